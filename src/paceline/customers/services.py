"""Writes on the customer record. Pages, the API, the importer, the CLI and the demo all call these.

Every service validates the whole object (``full_clean``) before writing, raises Django's
``ValidationError`` keyed by field on bad input, records an audit entry, and tells the apps above
what happened through an ``ActivityEvent`` row, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit, snapshot
from paceline.customers.calculations import Term, commercials, renewal_outcome
from paceline.customers.models import (
    Account,
    Contact,
    ContactRole,
    ContactStatus,
    Interaction,
    RenewalKind,
    RenewalOutcome,
    Subscription,
    SubscriptionStatus,
    Task,
    TaskStatus,
)

M = TypeVar("M", bound=models.Model)

ACCOUNT_FIELDS = frozenset(
    {
        "name", "external_id", "domain", "industry", "employees", "segment", "tier",
        "lifecycle_stage", "owner", "parent", "currency", "description",
    }
)
CONTACT_FIELDS = frozenset(
    {"external_id", "name", "email", "phone", "title", "level", "roles", "reports_to", "is_primary", "status", "left_on"}
)
SUBSCRIPTION_FIELDS = frozenset(
    {
        "external_id", "product", "seats", "currency", "arr", "start_date", "end_date",
        "renewal_date", "auto_renew", "notice_days", "status",
    }
)
INTERACTION_FIELDS = frozenset({"external_id", "kind", "occurred_at", "subject", "summary", "sentiment"})
TASK_FIELDS = frozenset({"external_id", "title", "description", "owner", "due_date", "priority", "status", "source"})


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: "This field is unknown or cannot be set." for name in unknown})


def _normalise_blank_ids(fields: dict[str, Any]) -> None:
    # An empty external id means "none": NULLs do not collide under the unique constraint.
    if "external_id" in fields and not (fields["external_id"] or "").strip():
        fields["external_id"] = None
    elif "external_id" in fields:
        fields["external_id"] = fields["external_id"].strip()


def _save(instance: M, *, actor: Actor, account_id: int | None, before: dict | None) -> M:
    """Validate, save and audit one instance (create when ``before`` is None).

    An Account is its own account: ``account_id`` is taken from it once it has a key.
    """
    instance.full_clean()
    instance.save()
    if isinstance(instance, Account):
        account_id = instance.pk
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
        instance=instance,
        before=before,
        after=snapshot(instance),
        account_id=account_id,
    )
    return instance


def _delete(instance: models.Model, *, actor: Actor, account_id: int | None) -> None:
    before = snapshot(instance)
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=instance, before=before, account_id=account_id)
    instance.delete()


def _existing_by_external_id(model, external_id: str, account: Account | None = None):
    """The row an upsert will update (locked), or None to create one.

    Refuses a blank external id, and one that belongs to another account: an upsert never moves
    a record between accounts.
    """
    if not (external_id or "").strip():
        raise ValidationError({"external_id": "An upsert needs an external id."})
    existing = model.objects.select_for_update().filter(external_id=external_id.strip()).first()
    if existing is not None and account is not None and existing.account_id != account.pk:
        raise ValidationError(
            {"external_id": f"{model._meta.verbose_name.capitalize()} {external_id} belongs to another account."}
        )
    return existing


# Accounts ---------------------------------------------------------------------------------------


@transaction.atomic
def account_create(*, actor: Actor, name: str, **fields: Any) -> Account:
    _check_fields(fields, ACCOUNT_FIELDS)
    _normalise_blank_ids(fields)
    account = Account(name=name, **fields)
    _save(account, actor=actor, account_id=None, before=None)
    event_emit(kind="account.created", account_id=account.pk, actor=actor, subject=account)
    return account


@transaction.atomic
def account_update(*, actor: Actor, account: Account, **fields: Any) -> Account:
    _check_fields(fields, ACCOUNT_FIELDS)
    _normalise_blank_ids(fields)
    before = snapshot(account)
    for name, value in fields.items():
        setattr(account, name, value)
    _save(account, actor=actor, account_id=account.pk, before=before)
    for field, kind in (("lifecycle_stage", "account.stage_changed"), ("segment", "account.segment_changed"),
                        ("owner_id", "account.owner_changed")):
        if before.get(field) != getattr(account, field):
            event_emit(
                kind=kind, account_id=account.pk, actor=actor, subject=account,
                payload={"from": before.get(field), "to": getattr(account, field)},
            )
    return account


@transaction.atomic
def account_delete(*, actor: Actor, account: Account) -> None:
    _delete(account, actor=actor, account_id=account.pk)


@transaction.atomic
def account_upsert(*, actor: Actor, external_id: str, **fields: Any) -> tuple[Account, bool]:
    """Create or update the account with this external id. Returns (account, created)."""
    account = _existing_by_external_id(Account, external_id)
    if account is None:
        return account_create(actor=actor, external_id=external_id, **fields), True
    fields.pop("external_id", None)
    return account_update(actor=actor, account=account, **fields), False


def account_refresh_commercials(*, account: Account, today: dt.date | None = None) -> Account:
    """Recompute the account's ARR, MRR and next renewal date from its subscriptions.

    Not audited: these are derived values, and the subscription write that moved them is.
    """
    terms = [
        Term(arr=arr, active=status == SubscriptionStatus.ACTIVE, end_date=end, renewal_date=renewal)
        for arr, status, end, renewal in account.subscriptions.values_list("arr", "status", "end_date", "renewal_date")
    ]
    result = commercials(terms, today=today or timezone.localdate())
    account.arr, account.mrr, account.next_renewal_date = result.arr, result.mrr, result.next_renewal_date
    Account.objects.filter(pk=account.pk).update(
        arr=account.arr, mrr=account.mrr, next_renewal_date=account.next_renewal_date
    )
    return account


# Contacts ---------------------------------------------------------------------------------------


def _contact_events(actor: Actor, contact: Contact, before: dict | None) -> None:
    was_left = before is not None and before.get("status") == ContactStatus.LEFT
    if contact.status == ContactStatus.LEFT and not was_left:
        roles = [r for r in contact.roles if r in (ContactRole.CHAMPION, ContactRole.EXECUTIVE_SPONSOR)]
        event_emit(
            kind="contact.departed",
            account_id=contact.account_id,
            actor=actor,
            subject=contact,
            payload={"name": contact.name, "roles": contact.roles, "key_roles": roles, "left_on": contact.left_on},
            occurred_at=timezone.make_aware(dt.datetime.combine(contact.left_on, dt.time(12)))
            if contact.left_on
            else None,
        )


def _only_one_primary(contact: Contact) -> None:
    if contact.is_primary:
        Contact.objects.filter(account_id=contact.account_id, is_primary=True).exclude(pk=contact.pk).update(
            is_primary=False
        )


@transaction.atomic
def contact_create(*, actor: Actor, account: Account, name: str, **fields: Any) -> Contact:
    _check_fields(fields, CONTACT_FIELDS)
    _normalise_blank_ids(fields)
    contact = Contact(account=account, name=name, **fields)
    _save(contact, actor=actor, account_id=account.pk, before=None)
    _only_one_primary(contact)
    event_emit(kind="contact.created", account_id=account.pk, actor=actor, subject=contact)
    _contact_events(actor, contact, None)
    return contact


@transaction.atomic
def contact_update(*, actor: Actor, contact: Contact, **fields: Any) -> Contact:
    _check_fields(fields, CONTACT_FIELDS)
    _normalise_blank_ids(fields)
    before = snapshot(contact)
    for name, value in fields.items():
        setattr(contact, name, value)
    _save(contact, actor=actor, account_id=contact.account_id, before=before)
    _only_one_primary(contact)
    _contact_events(actor, contact, before)
    return contact


@transaction.atomic
def contact_mark_departed(*, actor: Actor, contact: Contact, left_on: dt.date) -> Contact:
    return contact_update(actor=actor, contact=contact, status=ContactStatus.LEFT, left_on=left_on, is_primary=False)


@transaction.atomic
def contact_delete(*, actor: Actor, contact: Contact) -> None:
    _delete(contact, actor=actor, account_id=contact.account_id)


@transaction.atomic
def contact_upsert(*, actor: Actor, account: Account, external_id: str, **fields: Any) -> tuple[Contact, bool]:
    contact = _existing_by_external_id(Contact, external_id, account)
    if contact is None:
        return contact_create(actor=actor, account=account, external_id=external_id, **fields), True
    fields.pop("external_id", None)
    return contact_update(actor=actor, contact=contact, **fields), False


# Subscriptions and renewals ---------------------------------------------------------------------


@transaction.atomic
def subscription_create(*, actor: Actor, account: Account, **fields: Any) -> Subscription:
    _check_fields(fields, SUBSCRIPTION_FIELDS)
    _normalise_blank_ids(fields)
    fields.setdefault("currency", account.currency)
    subscription = Subscription(account=account, **fields)
    _save(subscription, actor=actor, account_id=account.pk, before=None)
    account_refresh_commercials(account=account)
    event_emit(kind="subscription.created", account_id=account.pk, actor=actor, subject=subscription,
               payload={"product": subscription.product, "arr": subscription.arr})
    return subscription


@transaction.atomic
def subscription_update(*, actor: Actor, subscription: Subscription, **fields: Any) -> Subscription:
    _check_fields(fields, SUBSCRIPTION_FIELDS)
    _normalise_blank_ids(fields)
    before = snapshot(subscription)
    for name, value in fields.items():
        setattr(subscription, name, value)
    _save(subscription, actor=actor, account_id=subscription.account_id, before=before)
    account_refresh_commercials(account=subscription.account)
    return subscription


@transaction.atomic
def subscription_delete(*, actor: Actor, subscription: Subscription) -> None:
    account = subscription.account
    _delete(subscription, actor=actor, account_id=account.pk)
    account_refresh_commercials(account=account)


@transaction.atomic
def subscription_upsert(
    *, actor: Actor, account: Account, external_id: str, **fields: Any
) -> tuple[Subscription, bool]:
    subscription = _existing_by_external_id(Subscription, external_id, account)
    if subscription is None:
        return subscription_create(actor=actor, account=account, external_id=external_id, **fields), True
    fields.pop("external_id", None)
    return subscription_update(actor=actor, subscription=subscription, **fields), False


@transaction.atomic
def renewal_record(
    *,
    actor: Actor,
    subscription: Subscription,
    decided_on: dt.date,
    arr_after: Decimal,
    seats_after: int | None = None,
    new_end_date: dt.date | None = None,
    note: str = "",
) -> RenewalOutcome:
    """Close a term: record the outcome and, unless churned, start the next term.

    The outcome follows from the ARR: equal is renewed, more is expanded, less is contracted,
    zero is churned.
    """
    if hasattr(subscription, "renewal_outcome"):
        raise ValidationError({"subscription": "This term's renewal is already recorded."})
    arr_after = Decimal(arr_after).quantize(Decimal("0.01"))
    if arr_after < 0:
        raise ValidationError({"arr_after": "ARR cannot be negative."})
    arr_before = subscription.arr
    outcome = renewal_outcome(arr_before, arr_after)
    ending = subscription.effective_renewal_date
    subscription_update(actor=actor, subscription=subscription, status=SubscriptionStatus.ENDED)
    renewed_into = None
    if outcome != RenewalKind.CHURNED:
        term = subscription.end_date - subscription.start_date
        renewed_into = subscription_create(
            actor=actor,
            account=subscription.account,
            product=subscription.product,
            seats=seats_after if seats_after is not None else subscription.seats,
            currency=subscription.currency,
            arr=arr_after,
            start_date=ending,
            end_date=new_end_date or ending + term,
            auto_renew=subscription.auto_renew,
            notice_days=subscription.notice_days,
        )
    result = RenewalOutcome(
        subscription=subscription,
        account=subscription.account,
        renewed_into=renewed_into,
        outcome=outcome,
        decided_on=decided_on,
        arr_before=arr_before,
        arr_after=arr_after,
        note=note,
    )
    _save(result, actor=actor, account_id=subscription.account_id, before=None)
    event_emit(
        kind=f"renewal.{outcome}",
        account_id=subscription.account_id,
        actor=actor,
        subject=result,
        payload={"arr_before": arr_before, "arr_after": arr_after, "product": subscription.product},
        occurred_at=timezone.make_aware(dt.datetime.combine(decided_on, dt.time(12))),
    )
    return result


# Interactions -----------------------------------------------------------------------------------


def _set_participants(interaction: Interaction, contacts: Iterable[Contact] | None, users: Iterable | None) -> None:
    if contacts is not None:
        contacts = list(contacts)
        strangers = [c.name for c in contacts if c.account_id != interaction.account_id]
        if strangers:
            raise ValidationError({"contacts": f"Not contacts of this account: {', '.join(strangers)}."})
        interaction.contacts.set(contacts)
    if users is not None:
        interaction.users.set(list(users))


def _participants(interaction: Interaction) -> dict[str, list[int]]:
    return {
        "contact_ids": sorted(interaction.contacts.values_list("pk", flat=True)),
        "user_ids": sorted(interaction.users.values_list("pk", flat=True)),
    }


@transaction.atomic
def interaction_create(
    *,
    actor: Actor,
    account: Account,
    contacts: Iterable[Contact] | None = None,
    users: Iterable | None = None,
    **fields: Any,
) -> Interaction:
    _check_fields(fields, INTERACTION_FIELDS)
    _normalise_blank_ids(fields)
    interaction = Interaction(account=account, created_by=actor.user, **fields)
    interaction.full_clean()
    interaction.save()
    _set_participants(interaction, contacts, users)
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, instance=interaction,
        after=snapshot(interaction) | _participants(interaction), account_id=account.pk,
    )
    event_emit(
        kind="interaction.logged",
        account_id=account.pk,
        actor=actor,
        subject=interaction,
        payload={"kind": interaction.kind, "sentiment": interaction.sentiment, **_participants(interaction)},
        occurred_at=interaction.occurred_at,
    )
    return interaction


@transaction.atomic
def interaction_update(
    *,
    actor: Actor,
    interaction: Interaction,
    contacts: Iterable[Contact] | None = None,
    users: Iterable | None = None,
    **fields: Any,
) -> Interaction:
    _check_fields(fields, INTERACTION_FIELDS)
    _normalise_blank_ids(fields)
    before = snapshot(interaction) | _participants(interaction)
    for name, value in fields.items():
        setattr(interaction, name, value)
    interaction.full_clean()
    interaction.save()
    _set_participants(interaction, contacts, users)
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, instance=interaction, before=before,
        after=snapshot(interaction) | _participants(interaction), account_id=interaction.account_id,
    )
    return interaction


@transaction.atomic
def interaction_delete(*, actor: Actor, interaction: Interaction) -> None:
    _delete(interaction, actor=actor, account_id=interaction.account_id)


@transaction.atomic
def interaction_upsert(
    *, actor: Actor, account: Account, external_id: str, **fields: Any
) -> tuple[Interaction, bool]:
    interaction = _existing_by_external_id(Interaction, external_id, account)
    if interaction is None:
        return interaction_create(actor=actor, account=account, external_id=external_id, **fields), True
    fields.pop("external_id", None)
    return interaction_update(actor=actor, interaction=interaction, **fields), False


# Tasks ------------------------------------------------------------------------------------------


def _task_completion(task: Task) -> None:
    if task.status == TaskStatus.DONE and task.completed_at is None:
        task.completed_at = timezone.now()
    elif task.status != TaskStatus.DONE:
        task.completed_at = None


@transaction.atomic
def task_create(*, actor: Actor, account: Account, title: str, **fields: Any) -> Task:
    _check_fields(fields, TASK_FIELDS)
    _normalise_blank_ids(fields)
    fields.setdefault("source", actor.via if actor.via in {"api", "import"} else "manual")
    task = Task(account=account, title=title, created_by=actor.user, **fields)
    _task_completion(task)
    _save(task, actor=actor, account_id=account.pk, before=None)
    event_emit(kind="task.created", account_id=account.pk, actor=actor, subject=task,
               payload={"title": task.title, "source": task.source, "due_date": task.due_date})
    return task


@transaction.atomic
def task_update(*, actor: Actor, task: Task, **fields: Any) -> Task:
    _check_fields(fields, TASK_FIELDS)
    _normalise_blank_ids(fields)
    before = snapshot(task)
    for name, value in fields.items():
        setattr(task, name, value)
    _task_completion(task)
    _save(task, actor=actor, account_id=task.account_id, before=before)
    if before["status"] != TaskStatus.DONE and task.status == TaskStatus.DONE:
        event_emit(kind="task.completed", account_id=task.account_id, actor=actor, subject=task,
                   payload={"title": task.title, "due_date": task.due_date})
    return task


@transaction.atomic
def task_complete(*, actor: Actor, task: Task) -> Task:
    return task_update(actor=actor, task=task, status=TaskStatus.DONE)


@transaction.atomic
def task_delete(*, actor: Actor, task: Task) -> None:
    _delete(task, actor=actor, account_id=task.account_id)


@transaction.atomic
def task_upsert(*, actor: Actor, account: Account, external_id: str, **fields: Any) -> tuple[Task, bool]:
    task = _existing_by_external_id(Task, external_id, account)
    if task is None:
        return task_create(actor=actor, account=account, external_id=external_id, **fields), True
    fields.pop("external_id", None)
    return task_update(actor=actor, task=task, **fields), False
