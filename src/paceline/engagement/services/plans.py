"""Touchpoint plan templates and their steps: CS leaders write them, with an audit trail.

A plan is shared configuration. Changing or deleting a step leaves the touchpoints already made
from it as they are (their ``step`` becomes empty on delete): what was planned with a customer
stays planned until someone cancels or reschedules it on the account.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, snapshot
from paceline.engagement.models import TouchpointPlan, TouchpointStep

PLAN_FIELDS = frozenset({"name", "description", "segment", "auto_apply", "active"})
STEP_FIELDS = frozenset({
    "name", "kind", "anchor", "offset_days", "window_days", "purpose", "expected_result", "owner_role", "position",
})


def _check(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})


def _save(instance, *, actor: Actor, before: dict | None, exclude: tuple[str, ...] = ()) -> Any:
    instance.full_clean(exclude=list(exclude))
    instance.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
                 instance=instance, before=before, after=snapshot(instance))
    return instance


def _unique_name(name: str, *, exclude_pk: int | None = None) -> str:
    """The name, stripped, refused when blank or taken (in any letter case)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the plan a name."})
    clash = TouchpointPlan.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": "A touchpoint plan with this name already exists."})
    return name


@transaction.atomic
def plan_create(*, actor: Actor, name: str, **fields: Any) -> TouchpointPlan:
    _check(fields, PLAN_FIELDS)
    name = _unique_name(name)
    return _save(TouchpointPlan(name=name, **fields), actor=actor, before=None, exclude=("name",))


@transaction.atomic
def plan_update(*, actor: Actor, plan: TouchpointPlan, **fields: Any) -> TouchpointPlan:
    _check(fields, PLAN_FIELDS)
    if "name" in fields:
        fields["name"] = _unique_name(fields["name"], exclude_pk=plan.pk)
    before = snapshot(plan)
    for name, value in fields.items():
        setattr(plan, name, value)
    return _save(plan, actor=actor, before=before, exclude=("name",))


@transaction.atomic
def plan_delete(*, actor: Actor, plan: TouchpointPlan) -> None:
    """Delete a plan and its steps; the touchpoints made from it stay on their accounts."""
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=plan, before=snapshot(plan))
    plan.delete()


@transaction.atomic
def step_create(*, actor: Actor, plan: TouchpointPlan, **fields: Any) -> TouchpointStep:
    """Add a step; without a position it goes last."""
    _check(fields, STEP_FIELDS)
    if fields.get("position") is None:
        last = plan.steps.aggregate(last=Max("position"))["last"]
        fields["position"] = 0 if last is None else last + 1
    return _save(TouchpointStep(plan=plan, **fields), actor=actor, before=None)


@transaction.atomic
def step_update(*, actor: Actor, step: TouchpointStep, **fields: Any) -> TouchpointStep:
    """Change a step. Touchpoints already made from it keep their date, name and purpose."""
    _check(fields, STEP_FIELDS)
    before = snapshot(step)
    for name, value in fields.items():
        setattr(step, name, value)
    return _save(step, actor=actor, before=before)


@transaction.atomic
def step_delete(*, actor: Actor, step: TouchpointStep) -> None:
    """Delete a step; the touchpoints made from it stay (without their step)."""
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=step, before=snapshot(step))
    step.delete()
