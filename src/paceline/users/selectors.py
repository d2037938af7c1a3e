"""Reads on users and API tokens."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.db.models.functions import Lower

from paceline.users.models import ApiToken, User


def team_list() -> QuerySet[User]:
    """Everyone, active first, each with ``owned_account_count``, in one query."""
    # The reverse relation is named by string so that users need not import customers.
    return User.objects.annotate(owned_account_count=Count("owned_accounts")).order_by(
        "-is_active", Lower("username")
    )


def user_get(*, user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def user_by_username(*, username: str) -> User | None:
    return User.objects.filter(username=username).first()


def user_tokens(*, user: User) -> QuerySet[ApiToken]:
    """A user's tokens, newest first, revoked ones included so they can see what was revoked."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def user_token(*, user: User, token_id: int) -> ApiToken | None:
    """One of the user's own tokens; None for a token of anybody else."""
    return ApiToken.objects.filter(user=user, pk=token_id).first()


def tokens_by_prefix(*, prefix: str) -> list[ApiToken]:
    return list(
        ApiToken.objects.select_related("user").filter(prefix__startswith=prefix).order_by("id")
    )
