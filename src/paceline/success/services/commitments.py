"""Commitments of both sides (action items), kept, late or missed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit, snapshot
from paceline.success.models import (
    ActionItem,
    ActionStatus,
    Goal,
)
from paceline.success.services._base import (
    ACTION_FIELDS,
    _account_id,
    _check,
    _delete,
    _noon,
    _save,
    _today,
)

# Commitments ------------------------------------------------------------------------------------


@transaction.atomic
def action_create(*, actor: Actor, goal: Goal, title: str, allow_unowned: bool = False, **fields: Any) -> ActionItem:
    """A commitment. ``allow_unowned`` lets a template lay out a customer commitment before the
    account has a primary contact; it must be assigned before it can be tracked fairly."""
    _check(fields, ACTION_FIELDS)
    action = ActionItem(goal=goal, title=title, **fields)
    if allow_unowned:
        action.save()
        audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=action, after=snapshot(action),
                     account_id=_account_id(action))
        return action
    return _save(action, actor=actor, before=None)


@transaction.atomic
def action_update(*, actor: Actor, action: ActionItem, **fields: Any) -> ActionItem:
    _check(fields, ACTION_FIELDS)
    before = snapshot(action)
    for name, value in fields.items():
        setattr(action, name, value)
    if "due_on" in fields and action.due_on >= _today():
        action.missed_on = None
    return _save(action, actor=actor, before=before)


@transaction.atomic
def action_complete(*, actor: Actor, action: ActionItem, done_on: dt.date | None = None) -> ActionItem:
    done_on = done_on or _today()
    if done_on > _today():
        raise ValidationError({"done_on": "It cannot be done in the future."})
    before = snapshot(action)
    action.status, action.done_on = ActionStatus.DONE, done_on
    _save(action, actor=actor, before=before)
    event_emit(
        kind="success.commitment_kept" if action.outcome == "kept" else "success.commitment_late",
        account_id=_account_id(action), actor=actor, subject=action,
        payload={"title": action.title, "side": action.side, "due_on": action.due_on, "done_on": done_on},
    )
    return action


@transaction.atomic
def action_cancel(*, actor: Actor, action: ActionItem) -> ActionItem:
    before = snapshot(action)
    action.status = ActionStatus.CANCELLED
    return _save(action, actor=actor, before=before)


@transaction.atomic
def action_delete(*, actor: Actor, action: ActionItem) -> None:
    _delete(action, actor=actor)


def commitments_check(*, today: dt.date | None = None) -> int:
    """Mark open commitments past their due date as missed, once, and say so in the outbox.

    A missed customer commitment is a signal the escalation and health capabilities consume.
    The conditional UPDATE claims each row, so two workers never report the same miss twice.
    """
    today = today or _today()
    overdue = ActionItem.objects.filter(status=ActionStatus.OPEN, due_on__lt=today, missed_on__isnull=True)
    count = 0
    for action in overdue.select_related("goal__plan", "owner_contact", "owner_user"):
        with transaction.atomic():
            claimed = ActionItem.objects.filter(pk=action.pk, missed_on__isnull=True).update(missed_on=today)
            if not claimed:
                continue
            owner = action.owner_contact or action.owner_user
            event_emit(
                kind=f"success.commitment_missed.{action.side}", account_id=action.goal.plan.account_id,
                subject=action, occurred_at=_noon(action.due_on + dt.timedelta(days=1)),
                payload={"title": action.title, "side": action.side, "due_on": action.due_on,
                         "owner": str(owner) if owner else "", "owner_contact_id": action.owner_contact_id,
                         "goal": action.goal.title},
            )
            count += 1
    return count
