"""Reading a request to the engagement API: records under their parent, leaders-only writes, and
a service's refusals as 422s under the API's own field names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja.errors import AuthorizationError, HttpError, ValidationError

from paceline.core.services import Actor
from paceline.users.permissions import is_leader

# Services name model fields; clients know the API's names for them.
API_FIELD_NAMES = {
    "account": "account_id",
    "owner": "owner_id",
    "plan": "plan_id",
    "interaction": "interaction_id",
    "area": "area_id",
    "areas": "area_ids",
    "contact": "contact_id",
}


def actor(request: HttpRequest) -> Actor:
    return Actor(user=request.auth, via="api")


def leader_only(request: HttpRequest, what: str) -> None:
    if not is_leader(request.auth):
        raise AuthorizationError(message=f"Only a CS leader may change {what}.")


def invalid(field: str, msg: str) -> ValidationError:
    return ValidationError([{"type": "validation_error", "loc": ["body", field], "msg": msg}])


@contextmanager
def refused() -> Iterator[None]:
    """A service's ValidationError as a 422, each entry under the API's name for its field."""
    try:
        yield
    except DjangoValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        raise ValidationError([
            {"type": "validation_error", "msg": msg,
             "loc": ["body"] if field == NON_FIELD_ERRORS else ["body", API_FIELD_NAMES.get(field, field)]}
            for field, messages in errors.items() for msg in messages
        ]) from None


def get_or_404(qs: QuerySet, pk: int, label: str) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise HttpError(404, f"No {label} with id {pk}.")
    return obj


def ref(qs: QuerySet | type[Model], field: str, pk: int | None) -> Any:
    """The record a body reference names (None for null), or a 422 naming the reference."""
    if pk is None:
        return None
    manager = qs._default_manager if isinstance(qs, type) else qs
    obj = manager.filter(pk=pk).first()
    if obj is None:
        raise invalid(field, f"No {manager.model._meta.verbose_name} with id {pk}.")
    return obj
