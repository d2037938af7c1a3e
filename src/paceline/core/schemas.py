"""API schemas and helpers shared by every app's router: paging, strict query strings, audit entries,
the acting user, and the 404 and 422 answers for records a request names."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import AwareDatetime, field_validator

from paceline.core.services import Actor

# The largest key a 64-bit integer column holds: a bigger number is refused as input rather than
# left to overflow in the database driver.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _refuse_nul(value: Any) -> Any:
    # PostgreSQL text cannot hold NUL; refuse it by field rather than fail in the driver.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Text cannot contain NUL (\\x00) characters.")
    if isinstance(value, list):
        for item in value:
            _refuse_nul(item)
    return value


class InputSchema(Schema):
    """Base of the schemas that read a request body or query string."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        return _refuse_nul(value)


class InputFilterSchema(FilterSchema):
    """Base of the list filters: as ``InputSchema``, plus ninja's filtering of a queryset."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        return _refuse_nul(value)


def _default_limit() -> int:
    return min(settings.PACELINE_PAGE_SIZE, settings.PACELINE_API_MAX_PAGE_SIZE)


class PageParams(Schema):
    limit: int = Field(
        default_factory=_default_limit,
        ge=1,
        le=settings.PACELINE_API_MAX_PAGE_SIZE,
        description="How many items to return (at most PACELINE_API_MAX_PAGE_SIZE).",
    )
    offset: int = Field(0, ge=0, le=2**62, description="How many items to skip.")


def page_of(qs: QuerySet, page: PageParams) -> dict[str, Any]:
    """One page of a queryset and the total count: two queries, plus the queryset's prefetches."""
    return {
        "count": qs.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(qs[page.offset : page.offset + page.limit]),
    }


def refuse_unknown_params(request: HttpRequest, *schemas: type[Schema]) -> None:
    """Refuse query parameters no schema declares, by name: a typo must not silently match everything."""
    known = {"limit", "offset"}
    for schema in schemas:
        known |= {f.alias or name for name, f in schema.model_fields.items()}
    unknown = sorted(k for k in request.GET if k not in known)
    if unknown:
        raise ValidationError(
            [
                {
                    "type": "unknown_parameter",
                    "loc": ["query", name],
                    "msg": f"Unknown query parameter '{name}'; use one of {', '.join(sorted(known))}.",
                }
                for name in unknown
            ]
        )


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_label: str = Field(description="Who made the change, kept if the user is deleted.")
    via: str = Field(description="web, api, import, cli or system.")
    action: str = Field(description="create, update or delete.")
    target_type: str = Field(description="app_label.model, e.g. customers.account.")
    target_id: str
    target_repr: str
    account_id: int | None
    before: dict[str, Any]
    after: dict[str, Any]
    changed_fields: list[str]


class AuditPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AuditEntryOut]


class AuditFilters(InputFilterSchema):
    account_id: Id | None = None
    target_type: str | None = Field(None, description="e.g. customers.account, customers.contact.")
    target_id: str | None = None
    actor: str | None = Field(None, description="A user id, or 'me'.")
    via: str | None = None
    action: str | None = None
    since: Annotated[AwareDatetime | None, FilterLookup("at__gte")] = Field(
        None, description="Entries at or after this moment (ISO 8601 with a time zone)."
    )
    until: Annotated[AwareDatetime | None, FilterLookup("at__lt")] = Field(
        None, description="Entries before this moment (ISO 8601 with a time zone)."
    )

    @field_validator("actor")
    @classmethod
    def _actor_is_an_id_or_me(cls, value: str | None) -> str | None:
        if value is not None and value != "me" and not (value.isdigit() and int(value) <= MAX_ID):
            raise ValueError("Use a user id or 'me'.")
        return value

    def filter_actor(self, value: str | None) -> Q:
        # 'me' is replaced by the caller's id in the view, which knows the request.
        return Q(actor_id=int(value)) if value else Q()


def actor(request: HttpRequest) -> Actor:
    """Who acts in an API call: the token's user, via the API (for the audit log)."""
    return Actor(user=request.auth, via="api")


def get_or_404(qs: QuerySet | type[Model], pk: int, label: str) -> Any:
    """The record the path names, or a 404 naming it."""
    manager = qs._default_manager if isinstance(qs, type) else qs
    obj = manager.filter(pk=pk).first()
    if obj is None:
        raise HttpError(404, f"No {label} with id {pk}.")
    return obj


def invalid(field: str, msg: str) -> ValidationError:
    """A 422 naming one field of the body."""
    return ValidationError([{"type": "validation_error", "loc": ["body", field], "msg": msg}])


def ref(qs: QuerySet | type[Model], field: str, pk: int | None) -> Any:
    """The record a body reference names (None for null), or a 422 naming the reference."""
    if pk is None:
        return None
    manager = qs._default_manager if isinstance(qs, type) else qs
    obj = manager.filter(pk=pk).first()
    if obj is None:
        raise invalid(field, f"No {manager.model._meta.verbose_name} with id {pk}.")
    return obj
