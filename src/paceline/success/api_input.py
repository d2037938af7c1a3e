"""Reading a request to the success-plan API: references, values in a metric's unit, and a
service's refusals, each reported as ninja's 422 under the field name the client sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from ninja.errors import ValidationError

from paceline.core.schemas import actor, get_or_404, ref  # noqa: F401 (shared by this package's routers)
from paceline.customers.models import Account
from paceline.success.schemas import metric_value
from paceline.success.services import BulkError

# Services name model fields; clients know the API's names for them.
API_FIELD_NAMES = {
    "account": "account_id",
    "owner": "owner_id",
    "customer_owner": "customer_owner_id",
    "parent": "parent_id",
    "plan": "plan_id",
    "goal": "goal_id",
    "metric": "metric_id",
    "template": "template_id",
    "agreed_by_contact": "contact_id",
    "owner_user": "owner_user_id",
    "owner_contact": "owner_contact_id",
}


def error(loc: list, msg: str) -> dict[str, Any]:
    return {"type": "validation_error", "loc": loc, "msg": msg}


def invalid(field: str, msg: str) -> ValidationError:
    return ValidationError([error(["body", field], msg)])


@contextmanager
def refused(**names: str) -> Iterator[None]:
    """A service's ValidationError as a 422, each entry under the API's name for its field
    (``names`` overrides for one endpoint: a renegotiation's ``target`` is ``new_target``)."""
    try:
        yield
    except BulkError:
        raise
    except DjangoValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        raise ValidationError(
            [
                error(
                    ["body"] if field == NON_FIELD_ERRORS
                    else ["body", names.get(field, API_FIELD_NAMES.get(field, field))],
                    msg,
                )
                for field, messages in errors.items()
                for msg in messages
            ]
        ) from None


def resolve(data: dict[str, Any], key: str, name: str, qs: QuerySet | type[Model]) -> None:
    """Replace ``data[key]`` (an id) by ``data[name]`` (the record), when the key was sent."""
    if key in data:
        data[name] = ref(qs, key, data.pop(key))


def account_of(data: dict[str, Any]) -> Account | None:
    """The account ``account_id`` or ``account_external_id`` names (both taken out of ``data``)."""
    pk, external_id = data.pop("account_id", None), data.pop("account_external_id", None)
    if pk is not None and external_id:
        raise invalid("account_id", "Give account_id or account_external_id, not both.")
    if external_id:
        account = Account.objects.filter(external_id=external_id).first()
        if account is None:
            raise invalid("account_external_id", f"No account with external id '{external_id}'.")
        return account
    return ref(Account, "account_id", pk)


def values(data: dict[str, Any], unit: str, *names: str) -> None:
    """Read the named values in the metric's unit (decimal strings, or "m:ss" for durations)."""
    errors = []
    for name in names:
        if data.get(name) is not None:
            try:
                data[name] = metric_value(unit, data[name])
            except ValueError as exc:
                errors.append(error(["body", name], str(exc)))
    if errors:
        raise ValidationError(errors)


def laps(checkpoints: list[dict[str, Any]], unit: str) -> list[tuple]:
    """Checkpoints as the services take them: (due_on, target, label)."""
    errors = []
    result = []
    for index, lap in enumerate(checkpoints):
        try:
            result.append((lap["due_on"], metric_value(unit, lap["target"]), lap.get("label", "")))
        except ValueError as exc:
            errors.append(error(["body", "checkpoints", index, "target"], str(exc)))
    if errors:
        raise ValidationError(errors)
    return result
