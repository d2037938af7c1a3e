"""What a plan page shows, worked out once in Python so the templates only lay it out.

A metric's card holds its numbers as the customer would say them ("−0:42 a week", "64%"), each
lap with its required split, its renegotiations with the absolute figures, and its burn-up chart.
Everything here reads rows already loaded by ``selectors.plan_tree``: no query per metric.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from paceline.success import pacing
from paceline.success.charts import burnup_spec
from paceline.success.forms import MeasurementForm
from paceline.success.models import GoalStatus, MetricChange, PaceStatus, SuccessMetric, Unit
from paceline.success.selectors import PlanTree, commitment_counts
from paceline.success.services import metric_pace
from paceline.success.sources import get_source

TONE = {"ahead": "good", "on_pace": "good", "hit": "good", "behind": "warn", "at_risk": "bad", "missed": "bad",
        "no_data": ""}
LAP_TONE = {"reached": "good", "missed": "bad", "upcoming": ""}
# Goals whose targets are agreed with the customer: their numbers change only by renegotiation.
RENEGOTIABLE = (GoalStatus.AGREED, GoalStatus.ACTIVE)


def pace_label(status: str) -> str:
    return PaceStatus(status).label if status else "Not measured"


@dataclass
class Lap:
    label: str
    due_on: dt.date
    target: str
    split: str
    days: int
    per_week: str
    state: str
    tone: str
    value_then: str


@dataclass
class Renegotiation:
    change: MetricChange
    old: str
    new: str
    absolute: str = ""  # "50% of 100 = 50 → 25% of 200 = 50"
    held: bool | None = None


@dataclass
class MetricCard:
    metric: SuccessMetric
    pace: pacing.Pace
    status_label: str
    tone: str
    baseline: str
    target: str
    current: str
    required_rate: str
    actual_rate: str
    projected: str
    progress: int
    elapsed: int
    chart: dict[str, Any]
    renegotiable: bool
    laps: list[Lap] = field(default_factory=list)
    changes: list[Renegotiation] = field(default_factory=list)
    measurements: list[tuple[Any, str]] = field(default_factory=list)
    absolute_target: str = ""
    source: str = ""
    form: MeasurementForm | None = None


def _signed(text_of, value: float) -> str:
    return f"{'+' if value >= 0 else '−'}{text_of(abs(value))}"


def rate_text(rate: float | None, text_of) -> str:
    """A rate per day as a change per week, e.g. "−0:42 a week"; "no trend yet" without one."""
    if rate is None:
        return "no trend yet"
    return f"{_signed(text_of, rate * 7)} a week"


def _renegotiation(change: MetricChange, metric: SuccessMetric, text_of) -> Renegotiation:
    item = Renegotiation(change=change, old=text_of(change.old_target), new=text_of(change.new_target))
    if metric.unit == Unit.PERCENT and change.old_absolute is not None and change.new_absolute is not None:
        count = lambda v: pacing.format_value(Unit.COUNT, v)  # noqa: E731
        item.absolute = (f"{item.old} of {count(change.old_denominator)} = {count(change.old_absolute)} → "
                         f"{item.new} of {count(change.new_denominator)} = {count(change.new_absolute)}")
        item.held = change.absolute_held
    return item


def metric_card(metric: SuccessMetric, *, goal_status: str, today: dt.date, writable: bool,
                form: MeasurementForm | None = None) -> MetricCard:
    """The card of one metric, from its prefetched measurements, checkpoints and changes."""
    measurements = list(metric.measurements.all())
    checkpoints = list(metric.checkpoints.all())
    pace = metric_pace(metric, today, measurements=measurements, checkpoints=checkpoints)

    def text_of(value) -> str:
        return pacing.format_value(metric.unit, value, metric.currency)

    labels = {c.due_on: c.label for c in checkpoints}
    laps = [
        Lap(label=labels.get(lap.due_on, ""), due_on=lap.due_on, target=text_of(lap.target),
            split=_signed(text_of, lap.split), days=lap.days, per_week=rate_text(lap.split_per_day, text_of),
            state=lap.state, tone=LAP_TONE[lap.state],
            value_then=text_of(lap.value_then) if lap.value_then is not None else "—")
        for lap in pace.checkpoints
    ]
    source = get_source(metric.source) if metric.source else None
    absolute = metric.absolute_target
    return MetricCard(
        metric=metric, pace=pace, status_label=pace_label(pace.status), tone=TONE.get(pace.status, ""),
        baseline=text_of(metric.baseline), target=text_of(metric.target),
        current=text_of(pace.current.value) if pace.current else "—",
        required_rate=rate_text(pace.required_rate, text_of) if pace.required_rate is not None else "—",
        actual_rate=rate_text(pace.actual_rate, text_of),
        projected=text_of(pace.projected) if pace.projected is not None else "—",
        progress=round(max(0.0, min(pace.progress, 1.0)) * 100), elapsed=round(pace.elapsed * 100),
        chart=burnup_spec(metric, pace), renegotiable=goal_status in RENEGOTIABLE,
        laps=laps,
        changes=[_renegotiation(c, metric, text_of) for c in metric.changes.all()],
        measurements=[(m, text_of(m.value)) for m in reversed(measurements)],
        absolute_target=(f"{pacing.format_value(Unit.COUNT, absolute)} of "
                         f"{pacing.format_value(Unit.COUNT, metric.denominator)}" if absolute is not None else ""),
        source=(source.label if source else metric.source),
        form=(form or MeasurementForm(metric=metric)) if writable else None,
    )


def pace_summary(tree: PlanTree) -> list[dict[str, Any]]:
    """How many open goals are at each pace, in the order a reader scans them (worst first)."""
    counts = tree.pace_counts
    order = sorted(counts, key=pacing.STATUS_RANK.__getitem__)
    return [{"status": s, "label": pace_label(s), "count": counts[s], "tone": TONE.get(s, "")} for s in order]


def plan_context(tree: PlanTree, *, today: dt.date, writable: bool,
                 forms: dict[int, MeasurementForm] | None = None) -> dict[str, Any]:
    """Everything the plan page (and its fragments) show, with a card on every metric."""
    status_of = {goal.pk: goal.status for goal in tree.all_goals}
    for metric in tree.metrics:
        metric.card = metric_card(metric, goal_status=status_of[metric.goal_id], today=today, writable=writable,
                                  form=(forms or {}).get(metric.pk))
    on_pace, measured = tree.goals_on_pace
    live = [a for a in tree.actions if a.status != "cancelled"]
    return {
        "tree": tree, "plan": tree.plan, "account": tree.plan.account, "goals": tree.goals,
        "on_pace": on_pace, "measured": measured, "pace_summary": pace_summary(tree),
        "commitments": commitment_counts(live),
        "overdue": [a for a in live if a.outcome == "missed"],
        "can_write": writable, "today": today, "nav": "book",
    }
