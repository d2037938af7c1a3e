"""The customer record over REST: accounts, contacts, subscriptions, interactions and tasks.

Endpoints parse and dispatch: the schema validates, references (ids or external ids) are looked
up, and one service writes with ``Actor(via="api")``. Lists filter, page, and cost a fixed number
of queries whatever the page size.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest
from ninja import PatchDict, Query, Router, Status
from ninja.errors import HttpError, ValidationError

from paceline.core.models import AuditEntry
from paceline.core.schemas import (
    AuditPage,
    PageParams,
    actor,
    get_or_404,
    page_of,
    refuse_unknown_params,
)
from paceline.customers import selectors, services
from paceline.customers.models import Account, Contact, Interaction, Subscription, Task
from paceline.customers.schemas import (
    AccountDetailOut,
    AccountIn,
    AccountListParams,
    AccountPage,
    ContactFields,
    ContactFilters,
    ContactIn,
    ContactOut,
    ContactPage,
    InteractionFields,
    InteractionFilters,
    InteractionIn,
    InteractionOut,
    InteractionPage,
    RenewalIn,
    RenewalOut,
    SubscriptionFields,
    SubscriptionFilters,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPage,
    TaskFields,
    TaskFilters,
    TaskIn,
    TaskOut,
    TaskPage,
)
from paceline.users.models import User

# Services name model fields; clients know the API's names for them.
API_FIELD_NAMES = {
    "owner": "owner_id",
    "parent": "parent_id",
    "reports_to": "reports_to_id",
    "account": "account_id",
    "contacts": "contact_ids",
    "users": "user_ids",
}

router = Router()
accounts = Router(tags=["accounts"])
contacts = Router(tags=["contacts"])
subscriptions = Router(tags=["subscriptions"])
interactions = Router(tags=["interactions"])
tasks = Router(tags=["tasks"])


def _get_external(qs: QuerySet, external_id: str, label: str) -> Any:
    obj = qs.filter(external_id=external_id).first()
    if obj is None:
        raise HttpError(404, f"No {label} with external id '{external_id}'.")
    return obj


def _lookup(model: type[Model], field: str, *, pk: Any = None, external_id: str | None = None) -> Any:
    """The record a reference names, or a validation error naming the reference's field."""
    if pk is not None and external_id:
        raise DjangoValidationError({field: f"Give {field} or the matching external id, not both."})
    if pk is not None:
        obj = model._default_manager.filter(pk=pk).first()
        if obj is None:
            raise DjangoValidationError({field: f"No {model._meta.verbose_name} with id {pk}."})
        return obj
    obj = model._default_manager.filter(external_id=external_id).first()
    if obj is None:
        name = field.removesuffix("_id") + "_external_id"
        raise DjangoValidationError({name: f"No {model._meta.verbose_name} with external id '{external_id}'."})
    return obj


def _resolve(data: dict[str, Any], name: str, model: type[Model], *, external: bool = True) -> None:
    """Replace ``<name>_id`` / ``<name>_external_id`` in ``data`` by ``<name>`` (the record or None)."""
    id_key, ext_key = f"{name}_id", f"{name}_external_id"
    if id_key not in data and ext_key not in data:
        return
    pk = data.pop(id_key, None)
    external_id = data.pop(ext_key, None) if external else None
    data[name] = None if pk is None and not external_id else _lookup(model, id_key, pk=pk, external_id=external_id)


def _account_of(data: dict[str, Any]) -> Account:
    _resolve(data, "account", Account)
    if data.get("account") is None:
        raise DjangoValidationError({"account_id": "Give account_id or account_external_id."})
    return data.pop("account")


def _participants(data: dict[str, Any]) -> None:
    for key, name, model in (("contact_ids", "contacts", Contact), ("user_ids", "users", User)):
        if key in data:
            ids = set(data.pop(key) or [])
            found = list(model._default_manager.filter(pk__in=ids))
            missing = sorted(ids - {obj.pk for obj in found})
            if missing:
                raise DjangoValidationError({key: f"No {name} with id {', '.join(map(str, missing))}."})
            data[name] = found


def _blank_for_none(data: dict[str, Any], *names: str) -> None:
    # Choice fields that may be empty are stored as "", shown as null.
    for name in names:
        if name in data and data[name] is None:
            data[name] = ""


def _same_external_id(data: dict[str, Any], external_id: str) -> None:
    given = data.pop("external_id", None)
    if given is not None and given != external_id:
        raise DjangoValidationError({"external_id": "The body's external_id differs from the one in the path."})


def _query_errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(
        [
            {"type": "invalid_filter", "loc": ["query", name], "msg": " ".join(messages)}
            for name, messages in exc.message_dict.items()
        ]
    )


# Accounts ---------------------------------------------------------------------------------------


def _account_fields(data: dict[str, Any]) -> dict[str, Any]:
    _resolve(data, "owner", User, external=False)
    _resolve(data, "parent", Account)
    return data


def _account_detail(account: Account) -> Account:
    account.child_accounts = selectors.account_children(account=account)
    account.rollup_arr = selectors.account_rollup_arr(account=account)
    return account


@accounts.get("", response=AccountPage, summary="List accounts (the book's filters)")
def account_list(request: HttpRequest, filters: Query[AccountListParams], page: Query[PageParams]):
    refuse_unknown_params(request, AccountListParams)
    try:
        book = selectors.AccountFilters.from_query(request.GET, viewer_id=request.auth.pk)
    except DjangoValidationError as exc:
        raise _query_errors(exc) from None
    return page_of(selectors.account_list(filters=book), page)


@accounts.post("", response={201: AccountDetailOut}, summary="Create an account")
def account_create(request: HttpRequest, payload: AccountIn):
    data = _account_fields(payload.model_dump(exclude_unset=True))
    account = services.account_create(actor=actor(request), **data)
    return Status(201, _account_detail(account))


@accounts.get("/{int:account_id}", response=AccountDetailOut, summary="Get an account")
def account_get(request: HttpRequest, account_id: int):
    return _account_detail(get_or_404(Account.objects.select_related("owner", "parent"), account_id, "account"))


@accounts.get("/by-external-id/{external_id}", response=AccountDetailOut, summary="Get an account by external id")
def account_get_external(request: HttpRequest, external_id: str):
    return _account_detail(_get_external(Account.objects.all(), external_id, "account"))


@accounts.patch("/{int:account_id}", response=AccountDetailOut, summary="Change some of an account's fields")
def account_update(request: HttpRequest, account_id: int, payload: PatchDict[AccountIn]):
    account = get_or_404(Account.objects.all(), account_id, "account")
    account = services.account_update(actor=actor(request), account=account, **_account_fields(payload))
    return _account_detail(account)


@accounts.put(
    "/by-external-id/{external_id}",
    response={200: AccountDetailOut, 201: AccountDetailOut},
    summary="Create or update an account by external id (201 created, 200 updated)",
)
def account_upsert(request: HttpRequest, external_id: str, payload: AccountIn):
    data = _account_fields(payload.model_dump(exclude_unset=True))
    _same_external_id(data, external_id)
    account, created = services.account_upsert(actor=actor(request), external_id=external_id, **data)
    return Status(201 if created else 200, _account_detail(account))


@accounts.delete("/{int:account_id}", response={204: None}, summary="Delete an account and its records")
def account_delete(request: HttpRequest, account_id: int):
    services.account_delete(actor=actor(request), account=get_or_404(Account.objects.all(), account_id, "account"))
    return Status(204, None)


@accounts.get("/{int:account_id}/audit", response=AuditPage, summary="The account's audit trail, newest first")
def account_audit(request: HttpRequest, account_id: int, page: Query[PageParams]):
    refuse_unknown_params(request)
    account = get_or_404(Account.objects.all(), account_id, "account")
    return page_of(AuditEntry.objects.filter(account_id=account.pk), page)


# Contacts ---------------------------------------------------------------------------------------


def _contact_fields(data: dict[str, Any]) -> dict[str, Any]:
    _resolve(data, "reports_to", Contact)
    _blank_for_none(data, "level")
    return data


@contacts.get("", response=ContactPage, summary="List contacts")
def contact_list(request: HttpRequest, filters: Query[ContactFilters], page: Query[PageParams]):
    refuse_unknown_params(request, ContactFilters)
    return page_of(filters.filter(Contact.objects.all()), page)


@contacts.post("", response={201: ContactOut}, summary="Create a contact")
def contact_create(request: HttpRequest, payload: ContactIn):
    data = payload.model_dump(exclude_unset=True)
    account = _account_of(data)
    contact = services.contact_create(actor=actor(request), account=account, **_contact_fields(data))
    return Status(201, contact)


@contacts.get("/{int:contact_id}", response=ContactOut, summary="Get a contact")
def contact_get(request: HttpRequest, contact_id: int):
    return get_or_404(Contact.objects.all(), contact_id, "contact")


@contacts.get("/by-external-id/{external_id}", response=ContactOut, summary="Get a contact by external id")
def contact_get_external(request: HttpRequest, external_id: str):
    return _get_external(Contact.objects.all(), external_id, "contact")


@contacts.patch("/{int:contact_id}", response=ContactOut, summary="Change some of a contact's fields")
def contact_update(request: HttpRequest, contact_id: int, payload: PatchDict[ContactFields]):
    contact = get_or_404(Contact.objects.all(), contact_id, "contact")
    return services.contact_update(actor=actor(request), contact=contact, **_contact_fields(payload))


@contacts.put(
    "/by-external-id/{external_id}",
    response={200: ContactOut, 201: ContactOut},
    summary="Create or update a contact by external id (201 created, 200 updated)",
)
def contact_upsert(request: HttpRequest, external_id: str, payload: ContactIn):
    data = payload.model_dump(exclude_unset=True)
    account = _account_of(data)
    _same_external_id(data, external_id)
    contact, created = services.contact_upsert(
        actor=actor(request), account=account, external_id=external_id, **_contact_fields(data)
    )
    return Status(201 if created else 200, contact)


@contacts.delete("/{int:contact_id}", response={204: None}, summary="Delete a contact")
def contact_delete(request: HttpRequest, contact_id: int):
    services.contact_delete(actor=actor(request), contact=get_or_404(Contact.objects.all(), contact_id, "contact"))
    return Status(204, None)


# Subscriptions ----------------------------------------------------------------------------------


def _subscriptions() -> QuerySet[Subscription]:
    return Subscription.objects.select_related("renewal_outcome")


@subscriptions.get("", response=SubscriptionPage, summary="List subscriptions")
def subscription_list(request: HttpRequest, filters: Query[SubscriptionFilters], page: Query[PageParams]):
    refuse_unknown_params(request, SubscriptionFilters)
    return page_of(filters.filter(_subscriptions()), page)


@subscriptions.post("", response={201: SubscriptionOut}, summary="Create a subscription")
def subscription_create(request: HttpRequest, payload: SubscriptionIn):
    data = payload.model_dump(exclude_unset=True)
    account = _account_of(data)
    subscription = services.subscription_create(actor=actor(request), account=account, **data)
    return Status(201, subscription)


@subscriptions.get("/{int:subscription_id}", response=SubscriptionOut, summary="Get a subscription")
def subscription_get(request: HttpRequest, subscription_id: int):
    return get_or_404(_subscriptions(), subscription_id, "subscription")


@subscriptions.get(
    "/by-external-id/{external_id}", response=SubscriptionOut, summary="Get a subscription by external id"
)
def subscription_get_external(request: HttpRequest, external_id: str):
    return _get_external(_subscriptions(), external_id, "subscription")


@subscriptions.patch(
    "/{int:subscription_id}", response=SubscriptionOut, summary="Change some of a subscription's fields"
)
def subscription_update(request: HttpRequest, subscription_id: int, payload: PatchDict[SubscriptionFields]):
    subscription = get_or_404(_subscriptions(), subscription_id, "subscription")
    return services.subscription_update(actor=actor(request), subscription=subscription, **payload)


@subscriptions.put(
    "/by-external-id/{external_id}",
    response={200: SubscriptionOut, 201: SubscriptionOut},
    summary="Create or update a subscription by external id (201 created, 200 updated)",
)
def subscription_upsert(request: HttpRequest, external_id: str, payload: SubscriptionIn):
    data = payload.model_dump(exclude_unset=True)
    account = _account_of(data)
    _same_external_id(data, external_id)
    subscription, created = services.subscription_upsert(
        actor=actor(request), account=account, external_id=external_id, **data
    )
    return Status(201 if created else 200, subscription)


@subscriptions.delete("/{int:subscription_id}", response={204: None}, summary="Delete a subscription")
def subscription_delete(request: HttpRequest, subscription_id: int):
    subscription = get_or_404(_subscriptions(), subscription_id, "subscription")
    services.subscription_delete(actor=actor(request), subscription=subscription)
    return Status(204, None)


@subscriptions.post(
    "/{int:subscription_id}/renewal",
    response={201: RenewalOut},
    summary="Record the renewal outcome of a term (and start the next one unless churned)",
)
def subscription_renewal(request: HttpRequest, subscription_id: int, payload: RenewalIn):
    subscription = get_or_404(_subscriptions(), subscription_id, "subscription")
    outcome = services.renewal_record(actor=actor(request), subscription=subscription, **payload.model_dump())
    return Status(201, outcome)


# Interactions -----------------------------------------------------------------------------------


def _interactions() -> QuerySet[Interaction]:
    return Interaction.objects.prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.only("pk")), Prefetch("users", queryset=User.objects.only("pk"))
    )


def _interaction_fields(data: dict[str, Any]) -> dict[str, Any]:
    _participants(data)
    _blank_for_none(data, "sentiment")
    return data


@interactions.get("", response=InteractionPage, summary="List interactions (the timeline), newest first")
def interaction_list(request: HttpRequest, filters: Query[InteractionFilters], page: Query[PageParams]):
    refuse_unknown_params(request, InteractionFilters)
    return page_of(filters.filter(_interactions()), page)


@interactions.post("", response={201: InteractionOut}, summary="Log an interaction")
def interaction_create(request: HttpRequest, payload: InteractionIn):
    data = payload.model_dump(exclude_unset=True)
    account = _account_of(data)
    fields = _interaction_fields(data)
    return Status(201, services.interaction_create(actor=actor(request), account=account, **fields))


@interactions.get("/{int:interaction_id}", response=InteractionOut, summary="Get an interaction")
def interaction_get(request: HttpRequest, interaction_id: int):
    return get_or_404(_interactions(), interaction_id, "interaction")


@interactions.get(
    "/by-external-id/{external_id}", response=InteractionOut, summary="Get an interaction by external id"
)
def interaction_get_external(request: HttpRequest, external_id: str):
    return _get_external(_interactions(), external_id, "interaction")


@interactions.patch(
    "/{int:interaction_id}", response=InteractionOut, summary="Change some of an interaction's fields"
)
def interaction_update(request: HttpRequest, interaction_id: int, payload: PatchDict[InteractionFields]):
    interaction = get_or_404(Interaction.objects.all(), interaction_id, "interaction")
    return services.interaction_update(
        actor=actor(request), interaction=interaction, **_interaction_fields(payload)
    )


@interactions.put(
    "/by-external-id/{external_id}",
    response={200: InteractionOut, 201: InteractionOut},
    summary="Create or update an interaction by external id (201 created, 200 updated)",
)
def interaction_upsert(request: HttpRequest, external_id: str, payload: InteractionIn):
    data = payload.model_dump(exclude_unset=True)
    account = _account_of(data)
    _same_external_id(data, external_id)
    interaction, created = services.interaction_upsert(
        actor=actor(request), account=account, external_id=external_id, **_interaction_fields(data)
    )
    return Status(201 if created else 200, interaction)


@interactions.delete("/{int:interaction_id}", response={204: None}, summary="Delete an interaction")
def interaction_delete(request: HttpRequest, interaction_id: int):
    interaction = get_or_404(Interaction.objects.all(), interaction_id, "interaction")
    services.interaction_delete(actor=actor(request), interaction=interaction)
    return Status(204, None)


# Tasks ------------------------------------------------------------------------------------------


def _task_fields(data: dict[str, Any]) -> dict[str, Any]:
    _resolve(data, "owner", User, external=False)
    if data.get("source", "") is None:
        del data["source"]  # null means "the default", which the service picks
    return data


@tasks.get("", response=TaskPage, summary="List tasks, soonest due first")
def task_list(request: HttpRequest, filters: Query[TaskFilters], page: Query[PageParams]):
    refuse_unknown_params(request, TaskFilters)
    if filters.owner == "me":
        filters = filters.model_copy(update={"owner": str(request.auth.pk)})
    return page_of(filters.filter(Task.objects.all()), page)


@tasks.post("", response={201: TaskOut}, summary="Create a task")
def task_create(request: HttpRequest, payload: TaskIn):
    data = payload.model_dump(exclude_unset=True)
    account = _account_of(data)
    task = services.task_create(actor=actor(request), account=account, **_task_fields(data))
    return Status(201, task)


@tasks.get("/{int:task_id}", response=TaskOut, summary="Get a task")
def task_get(request: HttpRequest, task_id: int):
    return get_or_404(Task.objects.all(), task_id, "task")


@tasks.get("/by-external-id/{external_id}", response=TaskOut, summary="Get a task by external id")
def task_get_external(request: HttpRequest, external_id: str):
    return _get_external(Task.objects.all(), external_id, "task")


@tasks.patch("/{int:task_id}", response=TaskOut, summary="Change some of a task's fields")
def task_update(request: HttpRequest, task_id: int, payload: PatchDict[TaskFields]):
    task = get_or_404(Task.objects.all(), task_id, "task")
    return services.task_update(actor=actor(request), task=task, **_task_fields(payload))


@tasks.put(
    "/by-external-id/{external_id}",
    response={200: TaskOut, 201: TaskOut},
    summary="Create or update a task by external id (201 created, 200 updated)",
)
def task_upsert(request: HttpRequest, external_id: str, payload: TaskIn):
    data = payload.model_dump(exclude_unset=True)
    account = _account_of(data)
    _same_external_id(data, external_id)
    task, created = services.task_upsert(
        actor=actor(request), account=account, external_id=external_id, **_task_fields(data)
    )
    return Status(201 if created else 200, task)


@tasks.delete("/{int:task_id}", response={204: None}, summary="Delete a task")
def task_delete(request: HttpRequest, task_id: int):
    services.task_delete(actor=actor(request), task=get_or_404(Task.objects.all(), task_id, "task"))
    return Status(204, None)


router.add_router("/accounts", accounts)
router.add_router("/contacts", contacts)
router.add_router("/subscriptions", subscriptions)
router.add_router("/interactions", interactions)
router.add_router("/tasks", tasks)
