"""Reading a request to the engagement API: records under their parent, leaders-only writes, and
a service's refusals as 422s under the API's own field names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja.errors import ValidationError

# The helpers every router shares, for this package's modules to import from one place.
from paceline.core.schemas import actor, get_or_404, invalid, ref  # noqa: F401
from paceline.users.permissions import api_leader_only as leader_only  # noqa: F401

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
