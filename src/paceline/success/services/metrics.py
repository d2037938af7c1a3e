"""Success metrics, their laps and measurements, renegotiation, and their pace."""

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
from paceline.success import pacing
from paceline.success.models import (
    OPEN_GOAL_STATUSES,
    Checkpoint,
    Goal,
    GoalStatus,
    Measurement,
    MeasurementSource,
    MetricChange,
    PaceStatus,
    PlanStatus,
    SuccessMetric,
    SuccessPlan,
)
from paceline.success.services._base import (
    METRIC_FIELDS,
    RENEGOTIATED_FIELDS,
    _account_id,
    _check,
    _delete,
    _save,
    _today,
)

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
