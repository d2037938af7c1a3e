"""Writes on success plans. Pages, the API, imports, the worker and the demo call these.

Like every service: keyword-only, ``full_clean`` before saving, ``ValidationError`` keyed by
field, an audit entry and an outbox event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit, snapshot
from paceline.customers.models import Account, Contact
from paceline.customers.services import interaction_create
from paceline.success import pacing
from paceline.success.models import (
    CLOSED_GOAL_STATUSES,
    OPEN_GOAL_STATUSES,
    ActionItem,
    ActionStatus,
    Checkpoint,
    Goal,
    GoalStatus,
    Measurement,
    MeasurementSource,
    MetricChange,
    PaceStatus,
    PlanStatus,
    PlanTemplate,
    Side,
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


# Metrics ----------------------------------------------------------------------------------------


def _spec(metric: SuccessMetric, checkpoints: Iterable[Checkpoint] | None = None) -> pacing.MetricSpec:
    laps = metric.checkpoints.all() if checkpoints is None else checkpoints
    return pacing.MetricSpec(
        direction=metric.direction,
        baseline=pacing.Point(metric.baseline_date, float(metric.baseline)),
        target=pacing.Point(metric.target_date, float(metric.target)),
        unit=metric.unit,
        checkpoints=tuple(pacing.Point(c.due_on, float(c.target)) for c in laps),
    )


def _validate_laps(metric: SuccessMetric, laps: Sequence[tuple[dt.date, Decimal, str]]) -> None:
    spec = _spec(metric, [])
    problems = pacing.validate_checkpoints(spec, [pacing.Point(on, float(target)) for on, target, _ in laps])
    if problems:
        raise ValidationError({"checkpoints": problems})


@transaction.atomic
def metric_create(
    *, actor: Actor, goal: Goal, name: str, checkpoints: Sequence[tuple[dt.date, Decimal, str]] = (), **fields: Any
) -> SuccessMetric:
    _check(fields, METRIC_FIELDS)
    metric = SuccessMetric(goal=goal, name=name, **fields)
    metric.full_clean()
    _validate_laps(metric, checkpoints)
    _save(metric, actor=actor, before=None)
    Checkpoint.objects.bulk_create(
        [Checkpoint(metric=metric, due_on=on, target=target, label=label) for on, target, label in checkpoints]
    )
    metric_evaluate(metric=metric)
    return metric


@transaction.atomic
def metric_update(
    *, actor: Actor, metric: SuccessMetric, checkpoints: Sequence[tuple[dt.date, Decimal, str]] | None = None,
    **fields: Any,
) -> SuccessMetric:
    """Change a metric. With ``checkpoints``, its laps are replaced too, each checked against the
    other (a new target and the laps that lead to it are saved together or not at all)."""
    _check(fields, METRIC_FIELDS)
    locked = RENEGOTIATED_FIELDS & {k for k, v in fields.items() if getattr(metric, k) != v}
    if locked and metric.goal.status != GoalStatus.PROPOSED:
        raise ValidationError({name: "The goal is agreed: change its target by renegotiating, so the history is kept."
                               for name in sorted(locked)})
    current = [(c.due_on, c.target, c.label) for c in metric.checkpoints.all()]
    laps = current if checkpoints is None else list(checkpoints)
    before = snapshot(metric)
    for name, value in fields.items():
        setattr(metric, name, value)
    metric.full_clean()
    _validate_laps(metric, laps)
    _save(metric, actor=actor, before=before)
    if checkpoints is not None and laps != current:
        return checkpoints_set(actor=actor, metric=metric, checkpoints=laps)
    metric_evaluate(metric=metric)
    return metric


@transaction.atomic
def metric_delete(*, actor: Actor, metric: SuccessMetric) -> None:
    goal = metric.goal
    _delete(metric, actor=actor)
    _refresh_goal_pace(goal)


@transaction.atomic
def checkpoints_set(
    *, actor: Actor, metric: SuccessMetric, checkpoints: Sequence[tuple[dt.date, Decimal, str]]
) -> SuccessMetric:
    """Replace the metric's laps with these (date, target, label) triples."""
    _validate_laps(metric, checkpoints)
    before = {"checkpoints": [[str(c.due_on), str(c.target), c.label] for c in metric.checkpoints.all()]}
    metric.checkpoints.all().delete()
    Checkpoint.objects.bulk_create(
        [Checkpoint(metric=metric, due_on=on, target=target, label=label) for on, target, label in checkpoints]
    )
    after = {"checkpoints": [[str(on), str(target), label] for on, target, label in checkpoints]}
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=metric, before=before, after=after,
                 account_id=_account_id(metric))
    metric_evaluate(metric=metric)
    return metric


@transaction.atomic
def metric_renegotiate(
    *,
    actor: Actor,
    metric: SuccessMetric,
    new_target: Decimal,
    reason: str,
    new_target_date: dt.date | None = None,
    new_denominator: Decimal | None = None,
    equivalence: str = "",
    agreed_by_contact: Contact | None = None,
    changed_on: dt.date | None = None,
) -> MetricChange:
    """Change an agreed target, keeping the old one, the new one, why, who agreed, and what held."""
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "Say why the target changed."
    if agreed_by_contact is None:
        errors["agreed_by_contact"] = "Say who agreed on the customer's side."
    elif agreed_by_contact.account_id != _account_id(metric):
        errors["agreed_by_contact"] = "The person who agreed must be a contact of this account."
    if errors:
        raise ValidationError(errors)
    new_target_date = new_target_date or metric.target_date
    new_denominator = metric.denominator if new_denominator is None else new_denominator
    held = pacing.equivalence(
        unit=metric.unit, old_target=float(metric.target),
        old_denominator=float(metric.denominator) if metric.denominator is not None else None,
        new_target=float(new_target), new_denominator=float(new_denominator) if new_denominator is not None else None,
    )
    change = MetricChange(
        metric=metric, changed_on=changed_on or _today(),
        old_target=metric.target, new_target=new_target,
        old_target_date=metric.target_date, new_target_date=new_target_date,
        old_denominator=metric.denominator, new_denominator=new_denominator,
        old_absolute=Decimal(str(round(held.old_absolute, 4))) if held.old_absolute is not None else None,
        new_absolute=Decimal(str(round(held.new_absolute, 4))) if held.new_absolute is not None else None,
        reason=reason.strip(), equivalence=equivalence.strip(),
        agreed_by_contact=agreed_by_contact, agreed_by_user=actor.user,
    )
    before = snapshot(metric)
    metric.target, metric.target_date, metric.denominator = new_target, new_target_date, new_denominator
    metric.full_clean()
    _validate_laps(metric, [(c.due_on, c.target, c.label) for c in metric.checkpoints.all()])
    change.full_clean()
    change.save()
    _save(metric, actor=actor, before=before)
    event_emit(
        kind="success.goal_renegotiated", account_id=_account_id(metric), actor=actor, subject=change,
        payload={"metric": metric.name, "old_target": change.old_target, "new_target": change.new_target,
                 "absolute_held": change.absolute_held, "reason": change.reason},
    )
    metric_evaluate(metric=metric)
    return change


# Measurements -----------------------------------------------------------------------------------


def _measurement_errors(metric: SuccessMetric, measured_on: dt.date, value: Decimal, unit: str | None, today: dt.date) -> dict:
    errors = pacing.validate_measurement(unit=metric.unit, value=float(value), on=measured_on,
                                         baseline_date=metric.baseline_date, today=today)
    if unit and unit != metric.unit:
        errors["unit"] = f"This metric is measured in {metric.get_unit_display().lower()}, not {unit}."
    return errors


@transaction.atomic
def measurement_record(
    *, actor: Actor, metric: SuccessMetric, measured_on: dt.date, value: Decimal, note: str = "",
    source: str = MeasurementSource.MANUAL, unit: str | None = None, evaluate: bool = True,
) -> Measurement:
    """Record the metric's value on a day (replacing that day's value), then re-pace it."""
    value = Decimal(value)
    errors = _measurement_errors(metric, measured_on, value, unit, _today())
    if errors:
        raise ValidationError(errors)
    existing = Measurement.objects.filter(metric=metric, measured_on=measured_on).first()
    before = snapshot(existing) if existing else None
    measurement = existing or Measurement(metric=metric, measured_on=measured_on)
    measurement.value, measurement.note, measurement.source = value, note, source
    measurement.recorded_by, measurement.recorded_at = actor.user, timezone.now()
    measurement.full_clean(validate_constraints=False)
    measurement.save()
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE if existing else AuditEntry.Action.CREATE,
                 instance=measurement, before=before, after=snapshot(measurement), account_id=_account_id(metric))
    if evaluate:
        metric_evaluate(metric=metric)
    return measurement


class BulkError(ValidationError):
    """Rows that were refused, each as (row index from 0, field, reason). Nothing was written."""

    def __init__(self, rows: list[tuple[int, str, str]]):
        self.rows = rows
        super().__init__([f"row {i + 1}, {field}: {reason}" for i, field, reason in rows])


@transaction.atomic
def measurements_record_bulk(
    *, actor: Actor, rows: Sequence[dict[str, Any]], source: str = MeasurementSource.API,
    account: Account | None = None,
) -> list[Measurement]:
    """All or nothing: every row is checked first; one bad row and nothing is written.

    Each row is ``{"metric": SuccessMetric, "measured_on": date, "value": Decimal, "note"?: str,
    "unit"?: str}``. When ``account`` is given, every metric must belong to it.
    """
    today = _today()
    problems: list[tuple[int, str, str]] = []
    seen: dict[tuple[int, dt.date], int] = {}
    for index, row in enumerate(rows):
        metric = row["metric"]
        if account is not None and _account_id(metric) != account.pk:
            problems.append((index, "metric", "This metric belongs to another account."))
            continue
        for field, reason in _measurement_errors(metric, row["measured_on"], Decimal(row["value"]), row.get("unit"), today).items():
            problems.append((index, field, reason))
        key = (metric.pk, row["measured_on"])
        if key in seen:
            problems.append((index, "measured_on", f"Same metric and day as row {seen[key] + 1}."))
        seen[key] = index
    if problems:
        raise BulkError(problems)
    written = [
        measurement_record(actor=actor, metric=row["metric"], measured_on=row["measured_on"], value=row["value"],
                           note=row.get("note", ""), source=source, evaluate=False)
        for row in rows
    ]
    for metric in {row["metric"].pk: row["metric"] for row in rows}.values():
        metric_evaluate(metric=metric)
    return written


@transaction.atomic
def measurement_delete(*, actor: Actor, measurement: Measurement) -> None:
    metric = measurement.metric
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=measurement, before=snapshot(measurement),
                 account_id=_account_id(metric))
    measurement.delete()
    metric_evaluate(metric=metric)


# Pace -------------------------------------------------------------------------------------------


def metric_pace(metric: SuccessMetric, today: dt.date | None = None, measurements=None, checkpoints=None) -> pacing.Pace:
    """The metric's full pace (for pages and exports); reads prefetched rows when given."""
    points = [pacing.Point(m.measured_on, float(m.value))
              for m in (metric.measurements.all() if measurements is None else measurements)]
    return pacing.evaluate(_spec(metric, checkpoints), points, today or _today(),
                           fmt=lambda v: pacing.format_value(metric.unit, v, metric.currency))


def metric_evaluate(*, metric: SuccessMetric, today: dt.date | None = None) -> SuccessMetric:
    """Store the metric's pace and its goal's; tell the apps above when it slips or hits."""
    today = today or _today()
    pace = metric_pace(metric, today)
    previous = metric.pace_status
    SuccessMetric.objects.filter(pk=metric.pk).update(pace_status=pace.status, pace_reason=pace.rule[:400],
                                                      evaluated_on=today)
    metric.pace_status, metric.pace_reason, metric.evaluated_on = pace.status, pace.rule[:400], today
    if previous != pace.status and metric.goal.status in OPEN_GOAL_STATUSES:
        slipped = pacing.STATUS_RANK[pace.status] < pacing.STATUS_RANK.get(previous, 6) and pace.status in (
            PaceStatus.BEHIND, PaceStatus.AT_RISK, PaceStatus.MISSED)
        if slipped or pace.status == PaceStatus.HIT:
            event_emit(
                kind="success.metric_behind_pace" if slipped else "success.metric_target_met",
                account_id=_account_id(metric), subject=metric,
                payload={"metric": metric.name, "goal": metric.goal.title, "from": previous, "to": pace.status,
                         "rule": pace.rule},
            )
    _refresh_goal_pace(metric.goal)
    return metric


def _refresh_goal_pace(goal: Goal) -> None:
    statuses = list(goal.metrics.values_list("pace_status", flat=True))
    Goal.objects.filter(pk=goal.pk).update(pace_status=pacing.worst(statuses))


def plans_evaluate(*, today: dt.date | None = None, plans: Iterable[SuccessPlan] | None = None) -> int:
    """Re-pace every metric of open goals (the daily job: a status can change just because a day passed)."""
    today = today or _today()
    metrics = SuccessMetric.objects.filter(goal__status__in=OPEN_GOAL_STATUSES, goal__plan__status=PlanStatus.ACTIVE)
    if plans is not None:
        metrics = metrics.filter(goal__plan__in=list(plans))
    count = 0
    for metric in metrics.select_related("goal__plan").prefetch_related("measurements", "checkpoints"):
        metric_evaluate(metric=metric, today=today)
        count += 1
    return count


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

