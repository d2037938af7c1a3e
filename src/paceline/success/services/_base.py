"""Shared pieces of the success services: field lists, saving with an audit entry, dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, snapshot
from paceline.success.models import (
    ActionItem,
    Goal,
    SuccessMetric,
    SuccessPlan,
)

PLAN_FIELDS = frozenset({"title", "summary", "internal_notes", "status", "owner", "customer_owner", "reviewed_on"})
GOAL_FIELDS = frozenset({"title", "description", "internal_notes", "target_date", "position", "parent"})
METRIC_FIELDS = frozenset(
    {"name", "unit", "currency", "direction", "baseline", "baseline_date", "target", "target_date",
     "denominator", "source", "source_params"}
)
# Once a goal is agreed with the customer, its targets change only by renegotiation (with history).
RENEGOTIATED_FIELDS = frozenset({"target", "target_date", "denominator"})
ACTION_FIELDS = frozenset({"title", "side", "owner_user", "owner_contact", "due_on"})




def _check(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: "This field is unknown or cannot be set here." for name in unknown})


def _account_id(obj) -> int:
    if isinstance(obj, SuccessPlan):
        return obj.account_id
    if isinstance(obj, Goal):
        return obj.plan.account_id
    if isinstance(obj, SuccessMetric):
        return obj.goal.plan.account_id
    if isinstance(obj, ActionItem):
        return obj.goal.plan.account_id
    raise TypeError(type(obj))


def _save(obj, *, actor: Actor, before: dict | None):
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
        instance=obj,
        before=before,
        after=snapshot(obj),
        account_id=_account_id(obj),
    )
    return obj


def _delete(obj, *, actor: Actor) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=obj, before=snapshot(obj),
                 account_id=_account_id(obj))
    obj.delete()


def _today() -> dt.date:
    return timezone.localdate()


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


