"""Who may do what. Pages and endpoints ask here rather than testing roles themselves."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def can_read(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_write(user) -> bool:
    return can_read(user) and user.can_write


def is_leader(user) -> bool:
    return can_read(user) and user.is_leader


def require_write(user) -> None:
    if not can_write(user):
        raise PermissionDenied("Your role is read-only.")


def require_leader(user) -> None:
    if not is_leader(user):
        raise PermissionDenied("Only a CS leader may do this.")


def writer_required(view):
    """A page that changes customer records: CS leaders and CSMs, not viewers."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        require_write(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def leader_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        require_leader(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def api_leader_only(request, what: str) -> None:
    """In an API call: a 403 naming what only a CS leader may change."""
    from ninja.errors import AuthorizationError

    if not is_leader(request.auth):
        raise AuthorizationError(message=f"Only a CS leader may change {what}.")
