"""Writes on users and API tokens."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, snapshot
from paceline.users.models import ApiToken, Role, User, token_hash

TOKEN_PREFIX = "pl_"  # noqa: S105 (a recognisable prefix, not a secret)


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    email: str = "",
    password: str | None = None,
    role: str = Role.CSM,
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    is_staff: bool = False,
) -> User:
    if role not in Role.values:
        raise ValueError(f"role: {role!r} is not one of {', '.join(Role.values)}")
    user = User(
        username=username,
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        title=title,
        is_staff=is_staff or role == Role.LEADER,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, instance=user, after=snapshot(user, exclude=("password",))
    )
    return user


@transaction.atomic
def user_update(*, actor: Actor, user: User, **fields) -> User:
    allowed = {"email", "role", "first_name", "last_name", "title", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} here")
    if fields.get("is_active") is False and actor.user is not None and actor.user.pk == user.pk:
        raise ValidationError({"is_active": "You cannot deactivate your own account; ask another CS leader."})
    stays_leader = fields.get("is_active", user.is_active) and (
        fields.get("role", user.role) == Role.LEADER or user.is_superuser
    )
    if user.is_leader and not stays_leader:
        _keep_a_leader(user=user, field="role" if "role" in fields else "is_active")
    before = snapshot(user, exclude=("password",))
    for name, value in fields.items():
        setattr(user, name, value)
    if "role" in fields:
        user.is_staff = user.role == Role.LEADER or user.is_superuser
    try:
        user.full_clean(exclude=["password"])
    except ValidationError:
        # The caller may hold this very object (request.user): leave it as it was.
        user.refresh_from_db()
        raise
    user.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=user,
        before=before,
        after=snapshot(user, exclude=("password",)),
    )
    return user


def _keep_a_leader(*, user: User, field: str) -> None:
    """Refuse a change that would leave nobody able to administer users."""
    # Locking every leader row (this one included) serialises two leaders demoting each other
    # at once: the second waits, then sees the first one's change and is refused.
    leaders = User.objects.select_for_update().filter(Q(role=Role.LEADER) | Q(is_superuser=True), is_active=True)
    if not [pk for pk in leaders.values_list("pk", flat=True) if pk != user.pk]:
        raise ValidationError(
            {field: f"{user.username} is the last active CS leader; make someone else a leader first."}
        )


@transaction.atomic
def user_password_set(*, actor: Actor, user: User, password: str) -> User:
    """Set a new password. The audit entry says that it changed, never what it is."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=user,
        before={"password": "(previous)"},
        after={"password": "(changed)"},
    )
    return user


@transaction.atomic
def token_create(*, actor: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is never stored nor shown again."""
    name = name.strip()
    if not name:
        raise ValueError("name: give the token a name so you can recognise it later")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:10], digest=token_hash(raw))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=token,
        after={"user_id": user.pk, "name": token.name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=token,
            before={"revoked_at": None},
            after={"revoked_at": token.revoked_at.isoformat()},
        )
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a raw token, or None. Marks the token as used (at most once a minute)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
