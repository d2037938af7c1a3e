"""Who is calling the REST API: a per-user API token, or the signed-in browser session.

Both classes also apply the role rule for the API: anyone signed in may read, only roles that may
write (CS leaders and CSMs) may use POST, PUT, PATCH or DELETE. Endpoints where people manage
their own things (their API tokens) use the ``self_service`` variants, open to every role.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.security import HttpBearer, SessionAuth

from paceline.users.permissions import can_read, can_write
from paceline.users.services import token_authenticate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_MESSAGE = "Your role ({role}) is read-only: you can read records but not change them."


class _RoleRule:
    self_service: bool = False

    def _admit(self, request: HttpRequest, user: Any) -> Any:
        if not can_read(user):
            return None
        if not self.self_service and request.method not in SAFE_METHODS and not can_write(user):
            raise AuthorizationError(message=READ_ONLY_MESSAGE.format(role=user.get_role_display().lower()))
        return user


class ApiTokenAuth(_RoleRule, HttpBearer):
    """``Authorization: Bearer pl_...`` with a token from the settings page or ``paceline token create``."""

    def __init__(self, *, self_service: bool = False) -> None:
        self.self_service = self_service
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if not header:
            return None  # no token: the session may still identify the caller
        # Credentials that were sent but are wrong end here rather than falling back to the
        # session, so a script with a revoked token fails loudly even in a logged-in browser.
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not raw.strip():
            raise AuthenticationError(message="Send the API token as 'Authorization: Bearer pl_...'.")
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is None:
            raise AuthenticationError(message="The API token is unknown or has been revoked.")
        return self._admit(request, user)


class ApiSessionAuth(_RoleRule, SessionAuth):
    """The browser session (so the docs page's "Try it out" works), with Django's CSRF check on writes."""

    def __init__(self, *, self_service: bool = False) -> None:
        self.self_service = self_service
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        # Check the session before CSRF so an anonymous caller gets 401, not a CSRF 403.
        if not can_read(getattr(request, "user", None)):
            return None
        try:
            key = self._get_key(request)
        except HttpError:
            raise AuthorizationError(
                message="CSRF check failed: a session-authenticated write needs the X-CSRFToken header. "
                "Scripts should use an API token instead."
            ) from None
        return self.authenticate(request, key)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self._admit(request, request.user)


def api_auth() -> list:
    """The default for every endpoint: any signed-in role reads, writers write."""
    return [ApiTokenAuth(), ApiSessionAuth()]


def self_service_auth() -> list:
    """For endpoints where a user manages their own things: every signed-in role may write."""
    return [ApiTokenAuth(self_service=True), ApiSessionAuth(self_service=True)]


UNAUTHENTICATED_MESSAGE = (
    "Authentication required: send 'Authorization: Bearer pl_...' with an API token, or sign in."
)
