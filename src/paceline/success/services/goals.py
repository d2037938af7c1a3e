"""Goals and their lifecycle: proposed, agreed, active, then hit, missed, changed or retired."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from paceline.core.services import Actor, event_emit, snapshot
from paceline.customers.models import Contact
from paceline.customers.services import interaction_create
from paceline.success.models import (
    CLOSED_GOAL_STATUSES,
    Goal,
    GoalStatus,
    SuccessPlan,
)
from paceline.success.services._base import (
    GOAL_FIELDS,
    _check,
    _delete,
    _noon,
    _save,
    _today,
)

# Goals ------------------------------------------------------------------------------------------


@transaction.atomic
def goal_create(*, actor: Actor, plan: SuccessPlan, title: str, **fields: Any) -> Goal:
    _check(fields, GOAL_FIELDS)
    goal = _save(Goal(plan=plan, title=title, **fields), actor=actor, before=None)
    event_emit(kind="success.goal_proposed", account_id=plan.account_id, actor=actor, subject=goal,
               payload={"title": title, "plan_id": plan.pk})
    return goal


@transaction.atomic
def goal_update(*, actor: Actor, goal: Goal, **fields: Any) -> Goal:
    _check(fields, GOAL_FIELDS)
    before = snapshot(goal)
    for name, value in fields.items():
        setattr(goal, name, value)
    return _save(goal, actor=actor, before=before)


@transaction.atomic
def goal_delete(*, actor: Actor, goal: Goal) -> None:
    _delete(goal, actor=actor)


def _set_status(goal: Goal, *, actor: Actor, status: str, **extra: Any) -> Goal:
    before = snapshot(goal)
    goal.status = status
    for name, value in extra.items():
        setattr(goal, name, value)
    return _save(goal, actor=actor, before=before)


@transaction.atomic
def goal_agree(*, actor: Actor, goal: Goal, contact: Contact, on: dt.date | None = None) -> Goal:
    """The customer agreed: who on their side, who on ours, when."""
    if goal.status != GoalStatus.PROPOSED:
        raise ValidationError({"status": f"Only a proposed goal can be agreed; this one is {goal.get_status_display().lower()}."})
    if contact is None:
        raise ValidationError({"agreed_by_contact": "Say which customer contact agreed."})
    goal = _set_status(goal, actor=actor, status=GoalStatus.AGREED, agreed_by_contact=contact,
                       agreed_by_user=actor.user, agreed_on=on or _today())
    event_emit(kind="success.goal_agreed", account_id=goal.plan.account_id, actor=actor, subject=goal,
               payload={"title": goal.title, "contact": contact.name}, occurred_at=_noon(goal.agreed_on))
    return goal


@transaction.atomic
def goal_activate(*, actor: Actor, goal: Goal) -> Goal:
    if goal.status not in (GoalStatus.PROPOSED, GoalStatus.AGREED):
        raise ValidationError({"status": "Only a proposed or agreed goal can be started."})
    return _set_status(goal, actor=actor, status=GoalStatus.ACTIVE)


@transaction.atomic
def goal_close(*, actor: Actor, goal: Goal, status: str, on: dt.date | None = None, reason: str = "") -> Goal:
    """Close a goal as hit, missed or retired. A hit is celebrated on the account's timeline."""
    if status not in (GoalStatus.HIT, GoalStatus.MISSED, GoalStatus.RETIRED):
        raise ValidationError({"status": "Close a goal as hit, missed or retired (a change is a renegotiation)."})
    if goal.status in CLOSED_GOAL_STATUSES:
        raise ValidationError({"status": f"This goal is already {goal.get_status_display().lower()}."})
    on = on or _today()
    goal = _set_status(goal, actor=actor, status=status, closed_on=on, close_reason=reason)
    account = goal.plan.account
    event_emit(kind=f"success.goal_{status}", account_id=account.pk, actor=actor, subject=goal,
               payload={"title": goal.title, "plan_id": goal.plan_id, "reason": reason}, occurred_at=_noon(on))
    if status == GoalStatus.HIT:
        interaction_create(
            actor=actor, account=account, kind="event", occurred_at=_noon(on),
            subject=f"Goal hit: {goal.title}",
            summary=(reason or f"{account.name} hit the goal \u201c{goal.title}\u201d of the plan \u201c{goal.plan.title}\u201d.")
            + " Time to set the next one.",
            sentiment="positive",
            contacts=[goal.agreed_by_contact] if goal.agreed_by_contact_id else None,
        )
    return goal


@transaction.atomic
def goal_replace(*, actor: Actor, goal: Goal, title: str, reason: str, **fields: Any) -> Goal:
    """The goal itself changed (not just its number): close it as changed and propose its successor."""
    if goal.status in CLOSED_GOAL_STATUSES:
        raise ValidationError({"status": f"This goal is already {goal.get_status_display().lower()}."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the goal changed."})
    successor = goal_create(actor=actor, plan=goal.plan, title=title, parent=goal.parent, position=goal.position, **fields)
    _set_status(goal, actor=actor, status=GoalStatus.CHANGED, closed_on=_today(), close_reason=reason,
                replaced_by=successor)
    event_emit(kind="success.goal_changed", account_id=goal.plan.account_id, actor=actor, subject=goal,
               payload={"title": goal.title, "successor": successor.title, "reason": reason})
    return successor
