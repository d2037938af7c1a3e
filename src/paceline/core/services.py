"""Writes shared by every app: audit entries and outbox events.

Callers are services already inside ``transaction.atomic``; these helpers add rows to the same
transaction so an audit entry or an event never exists without the change it describes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from paceline.core.models import ActivityEvent, AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who is making a change, and through which door (web, api, import, cli, system)."""

    user: Any = None
    via: str = "web"

    @property
    def label(self) -> str:
        if self.user is None:
            return self.via
        return getattr(self.user, "email", "") or getattr(self.user, "username", "") or str(self.user)


SYSTEM = Actor(user=None, via="system")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The instance's concrete field values as JSON-safe data (foreign keys as their ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.name in {"created_at", "updated_at"}:
            continue
        data[field.attname] = _jsonable(getattr(instance, field.attname))
    return data


def audit_record(
    *,
    actor: Actor,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    account_id: int | None = None,
) -> AuditEntry | None:
    """Record one change. An update that changed nothing records nothing."""
    before = before or {}
    after = after or {}
    if action == AuditEntry.Action.UPDATE:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        if not changed:
            return None
        before = {k: before.get(k) for k in changed}
        after = {k: after.get(k) for k in changed}
    return AuditEntry.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        via=actor.via,
        action=action,
        target_type=instance._meta.label_lower,
        target_id=str(instance.pk),
        target_repr=str(instance)[:300],
        account_id=account_id,
        before=before,
        after=after,
    )


def event_emit(
    *,
    kind: str,
    account_id: int | None,
    actor: Actor = SYSTEM,
    subject: models.Model | None = None,
    payload: dict[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
) -> ActivityEvent:
    return ActivityEvent.objects.create(
        kind=kind,
        account_id=account_id,
        actor=actor.user,
        occurred_at=occurred_at or timezone.now(),
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        payload={k: _jsonable(v) for k, v in (payload or {}).items()},
    )
