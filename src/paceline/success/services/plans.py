"""Plans: create, lay out from a template, review; the template library."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit, snapshot
from paceline.customers.models import Account
from paceline.success.models import (
    Goal,
    PlanTemplate,
    Side,
    SuccessPlan,
)
from paceline.success.services._base import (
    PLAN_FIELDS,
    _check,
    _delete,
    _save,
    _today,
)
from paceline.success.services.commitments import action_create
from paceline.success.services.goals import goal_create
from paceline.success.services.metrics import metric_create

# Plans ------------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor: Actor, account: Account, title: str, **fields: Any) -> SuccessPlan:
    _check(fields, PLAN_FIELDS)
    plan = _save(SuccessPlan(account=account, title=title, **fields), actor=actor, before=None)
    event_emit(kind="success.plan_created", account_id=account.pk, actor=actor, subject=plan, payload={"title": title})
    return plan


@transaction.atomic
def plan_update(*, actor: Actor, plan: SuccessPlan, **fields: Any) -> SuccessPlan:
    _check(fields, PLAN_FIELDS)
    before = snapshot(plan)
    for name, value in fields.items():
        setattr(plan, name, value)
    return _save(plan, actor=actor, before=before)


@transaction.atomic
def plan_delete(*, actor: Actor, plan: SuccessPlan) -> None:
    _delete(plan, actor=actor)


@transaction.atomic
def plan_mark_reviewed(*, actor: Actor, plan: SuccessPlan, on: dt.date | None = None) -> SuccessPlan:
    plan = plan_update(actor=actor, plan=plan, reviewed_on=on or _today())
    event_emit(kind="success.plan_reviewed", account_id=plan.account_id, actor=actor, subject=plan,
               payload={"reviewed_on": plan.reviewed_on})
    return plan


@transaction.atomic
def plan_create_from_template(
    *, actor: Actor, account: Account, template: PlanTemplate, start: dt.date | None = None,
    title: str = "", owner=None,
) -> SuccessPlan:
    """Lay the template's goals, metrics, laps and commitments out from ``start`` (default today)."""
    from paceline.success.plan_templates import validate_structure

    start = start or _today()
    structure = validate_structure(template.structure)
    plan = plan_create(actor=actor, account=account, title=title or template.name,
                       summary=template.description, owner=owner or actor.user)
    SuccessPlan.objects.filter(pk=plan.pk).update(template=template)
    plan.template = template
    primary = account.contacts.filter(is_primary=True, status="active").first()

    def lay_out(items: list[dict], parent: Goal | None) -> None:
        for position, item in enumerate(items):
            goal = goal_create(
                actor=actor, plan=plan, parent=parent, title=item["title"], description=item.get("description", ""),
                target_date=start + dt.timedelta(days=item["days"]), position=position,
            )
            for metric in item.get("metrics", []):
                metric_create(
                    actor=actor, goal=goal, name=metric["name"], unit=metric["unit"], direction=metric["direction"],
                    baseline=Decimal(str(metric["baseline"])), baseline_date=start,
                    target=Decimal(str(metric["target"])), target_date=start + dt.timedelta(days=metric["days"]),
                    checkpoints=[(start + dt.timedelta(days=c["days"]), Decimal(str(c["target"])), c.get("label", ""))
                                 for c in metric.get("checkpoints", [])],
                )
            for action in item.get("actions", []):
                side = action["side"]
                action_create(
                    actor=actor, goal=goal, title=action["title"], side=side,
                    owner_user=(owner or actor.user or account.owner) if side == Side.VENDOR else None,
                    owner_contact=primary if side == Side.CUSTOMER else None,
                    due_on=start + dt.timedelta(days=action["days"]),
                    allow_unowned=side == Side.CUSTOMER and primary is None,
                )
            lay_out(item.get("subgoals", []), goal)

    lay_out(structure, None)
    return plan



# Plan templates ---------------------------------------------------------------------------------

TEMPLATE_FIELDS = frozenset({"name", "use_case", "description", "structure"})


def _save_template(template: PlanTemplate, *, actor: Actor, before: dict | None) -> PlanTemplate:
    from paceline.success.plan_templates import validate_structure

    validate_structure(template.structure)
    template.full_clean()
    template.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
                 instance=template, before=before, after=snapshot(template))
    return template


@transaction.atomic
def template_create(*, actor: Actor, name: str, structure: list, **fields: Any) -> PlanTemplate:
    """A new template for the library; its structure is checked so a plan can be laid out from it."""
    _check(fields, TEMPLATE_FIELDS)
    return _save_template(PlanTemplate(name=name, structure=structure, created_by=actor.user, **fields),
                          actor=actor, before=None)


@transaction.atomic
def template_update(*, actor: Actor, template: PlanTemplate, **fields: Any) -> PlanTemplate:
    """Change a template. Plans already laid out from it keep their own goals."""
    _check(fields, TEMPLATE_FIELDS)
    before = snapshot(template)
    for name, value in fields.items():
        setattr(template, name, value)
    return _save_template(template, actor=actor, before=before)


@transaction.atomic
def template_deactivate(*, actor: Actor, template: PlanTemplate) -> PlanTemplate:
    """Take a template out of the library; the plans made from it are untouched."""
    before = snapshot(template)
    template.is_active = False
    template.save(update_fields=["is_active", "updated_at"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=template, before=before,
                 after=snapshot(template))
    return template


# Starting a plan from the page ------------------------------------------------------------------


@transaction.atomic
def plan_start(
    *, actor: Actor, account: Account, title: str = "", template: PlanTemplate | None = None,
    start: dt.date | None = None, **fields: Any,
) -> SuccessPlan:
    """A new plan from scratch, or laid out from a template, with the plan's own fields set at once."""
    _check(fields, PLAN_FIELDS)
    if template is None:
        if not (title or "").strip():
            raise ValidationError({"title": "Give the plan a title, or start from a template."})
        return plan_create(actor=actor, account=account, title=title.strip(), **fields)
    if not template.is_active:
        raise ValidationError({"template": "This template is retired; choose an active one."})
    owner = fields.pop("owner", None)
    plan = plan_create_from_template(actor=actor, account=account, template=template, start=start,
                                     title=(title or "").strip(), owner=owner)
    fields = {name: value for name, value in fields.items() if value not in (None, "")}
    return plan_update(actor=actor, plan=plan, **fields) if fields else plan
