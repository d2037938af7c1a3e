"""What the customer sees of a plan, built once for the share page and the PDF.

Everything here is chosen for the customer: goals in their words, each metric's numbers and the
rule that set its pace in plain words, both sides' commitments and the history they agreed to.
Internal notes, audit entries, computed-source settings and anything else kept for our team
never enter these objects, so a template cannot show them by mistake.

The CSV rows (measurements and commitments) are for our team's own analysis and live here too, so
every export of a plan reads the same tree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from paceline.success import pacing
from paceline.success.charts import burnup_spec
from paceline.success.models import (
    ActionItem,
    ActionStatus,
    Goal,
    GoalStatus,
    PaceStatus,
    Side,
    SuccessMetric,
)
from paceline.success.selectors import PlanTree, commitment_counts
from paceline.success.services import metric_pace

# A badge colour per pace status and per commitment outcome.
TONE = {
    "ahead": "good", "on_pace": "good", "hit": "good", "kept": "good",
    "behind": "warn", "no_data": "", "late": "warn", "open": "",
    "at_risk": "bad", "missed": "bad",
}
OUTCOME_LABELS = {"kept": "Kept", "late": "Done late", "missed": "Missed", "open": "Open"}
CHECKPOINT_LABELS = {"reached": "Reached", "missed": "Missed", "upcoming": "Upcoming"}
# Closing reasons are shown for the outcomes both sides celebrate or agreed to; a reason given
# for a missed or retired goal is our team's account of it, not the customer's.
SHARED_CLOSE_REASONS = (GoalStatus.HIT, GoalStatus.CHANGED)


def person_name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


@dataclass(frozen=True)
class CheckpointRow:
    label: str
    due_on: dt.date
    target: str
    value_then: str
    state: str
    state_label: str


@dataclass(frozen=True)
class ChangeRow:
    changed_on: dt.date
    old_target: str
    new_target: str
    old_target_date: dt.date
    new_target_date: dt.date
    old_absolute: str
    new_absolute: str
    absolute_held: bool
    reason: str
    equivalence: str
    agreed_by: str


@dataclass(frozen=True)
class MetricReport:
    id: int
    name: str
    unit: str
    unit_label: str
    direction_label: str
    baseline: str
    baseline_date: dt.date
    target: str
    target_date: dt.date
    absolute_target: str  # "50 of 200" for a percent metric with a denominator
    current: str
    current_on: dt.date | None
    projected: str
    status: str
    status_label: str
    tone: str
    rule: str
    checkpoints: tuple[CheckpointRow, ...]
    changes: tuple[ChangeRow, ...]
    spec: dict
    svg: str = ""  # the same spec drawn on the server, for the PDF


@dataclass(frozen=True)
class CommitmentRow:
    title: str
    goal: str
    side: str
    side_label: str
    owner: str
    due_on: dt.date
    done_on: dt.date | None
    outcome: str
    outcome_label: str
    tone: str


@dataclass(frozen=True)
class GoalReport:
    id: int
    title: str
    description: str
    status: str
    status_label: str
    is_open: bool
    target_date: dt.date | None
    agreed_on: dt.date | None
    agreed_by: str
    closed_on: dt.date | None
    close_reason: str
    replaced_by: str
    pace: str
    pace_label: str
    tone: str
    metrics: tuple[MetricReport, ...]
    commitments: tuple[CommitmentRow, ...]
    children: tuple[GoalReport, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    on: dt.date
    kind: str  # agreed, hit, missed, changed, retired, renegotiated
    text: str


@dataclass(frozen=True)
class SideCounts:
    label: str
    kept: int
    late: int
    missed: int
    open: int


@dataclass(frozen=True)
class PlanReport:
    plan_id: int
    title: str
    summary: str
    account_name: str
    status_label: str
    csm: str
    customer_owner: str
    reviewed_on: dt.date | None
    today: dt.date
    goals: tuple[GoalReport, ...]
    commitments: tuple[CommitmentRow, ...]
    sides: tuple[SideCounts, ...]
    history: tuple[HistoryEntry, ...]
    goals_on_pace: int
    goals_measured: int
    metrics: tuple[MetricReport, ...]  # every metric of the plan, in the goals' order


def _side_label(side: str, account_name: str) -> str:
    return account_name if side == Side.CUSTOMER else Side(side).label


def _agreed_by(contact, user, account_name: str) -> str:
    names = []
    if contact is not None:
        names.append(f"{contact.name} ({account_name})")
    if user is not None:
        names.append(person_name(user))
    return " and ".join(names)


def _fmt(metric: SuccessMetric, value) -> str:
    return pacing.format_value(metric.unit, value, metric.currency)


def _absolute(metric: SuccessMetric, target: Decimal, denominator: Decimal | None) -> str:
    if metric.unit != "percent" or denominator is None:
        return ""
    return f"{pacing.format_value('count', target * denominator / 100)} of {pacing.format_value('count', denominator)}"


def _metric(metric: SuccessMetric, today: dt.date, account_name: str,
            draw: Callable[[dict], str] | None) -> MetricReport:
    pace = metric_pace(metric, today, measurements=metric.measurements.all(), checkpoints=metric.checkpoints.all())
    labels = {c.due_on: c.label for c in metric.checkpoints.all()}
    checkpoints = tuple(
        CheckpointRow(
            label=labels.get(lap.due_on) or f"Checkpoint {number}", due_on=lap.due_on, target=_fmt(metric, lap.target),
            value_then=_fmt(metric, lap.value_then), state=lap.state, state_label=CHECKPOINT_LABELS[lap.state],
        )
        for number, lap in enumerate(pace.checkpoints, start=1)
    )
    changes = tuple(
        ChangeRow(
            changed_on=c.changed_on, old_target=_fmt(metric, c.old_target), new_target=_fmt(metric, c.new_target),
            old_target_date=c.old_target_date, new_target_date=c.new_target_date,
            old_absolute=_absolute(metric, c.old_target, c.old_denominator),
            new_absolute=_absolute(metric, c.new_target, c.new_denominator),
            absolute_held=c.absolute_held, reason=c.reason, equivalence=c.equivalence,
            agreed_by=_agreed_by(c.agreed_by_contact, c.agreed_by_user, account_name),
        )
        for c in metric.changes.all()
    )
    spec = burnup_spec(metric, pace)
    return MetricReport(
        id=metric.pk, name=metric.name, unit=metric.unit, unit_label=metric.get_unit_display(),
        direction_label=metric.get_direction_display(), baseline=_fmt(metric, metric.baseline),
        baseline_date=metric.baseline_date, target=_fmt(metric, metric.target), target_date=metric.target_date,
        absolute_target=_absolute(metric, metric.target, metric.denominator),
        current=_fmt(metric, pace.current.value) if pace.current else "—",
        current_on=pace.current.on if pace.current else None,
        projected=_fmt(metric, pace.projected) if pace.projected is not None else "",
        status=pace.status, status_label=PaceStatus(pace.status).label, tone=TONE.get(pace.status, ""),
        rule=pace.rule, checkpoints=checkpoints, changes=changes, spec=spec, svg=draw(spec) if draw else "",
    )


def _commitment(action: ActionItem, goal_title: str, account_name: str) -> CommitmentRow:
    if action.side == Side.VENDOR:
        owner = person_name(action.owner_user)
    else:
        owner = action.owner_contact.name if action.owner_contact is not None else ""
    outcome = action.outcome
    return CommitmentRow(
        title=action.title, goal=goal_title, side=action.side, side_label=_side_label(action.side, account_name),
        owner=owner or _side_label(action.side, account_name), due_on=action.due_on, done_on=action.done_on,
        outcome=outcome, outcome_label=OUTCOME_LABELS[outcome], tone=TONE.get(outcome, ""),
    )


def _history(goals: list[Goal], metrics: list[SuccessMetric], account_name: str) -> list[HistoryEntry]:
    entries = []
    for goal in goals:
        if goal.agreed_on:
            who = _agreed_by(goal.agreed_by_contact, goal.agreed_by_user, account_name)
            entries.append(HistoryEntry(goal.agreed_on, "agreed",
                                        f"“{goal.title}” agreed{' by ' + who if who else ''}."))
        if goal.closed_on and goal.status == GoalStatus.CHANGED:
            successor = f" It became “{goal.replaced_by.title}”." if goal.replaced_by_id else ""
            because = f" {goal.close_reason}" if goal.close_reason else ""
            entries.append(HistoryEntry(goal.closed_on, "changed", f"“{goal.title}” changed.{because}{successor}"))
        elif goal.closed_on and goal.status in (GoalStatus.HIT, GoalStatus.MISSED, GoalStatus.RETIRED):
            text = f"“{goal.title}” {goal.get_status_display().lower()}."
            if goal.status in SHARED_CLOSE_REASONS and goal.close_reason:
                text += f" {goal.close_reason}"
            entries.append(HistoryEntry(goal.closed_on, str(goal.status), text))
    for metric in metrics:
        for c in metric.changes.all():
            text = (f"“{metric.name}” target renegotiated from {_fmt(metric, c.old_target)} to "
                    f"{_fmt(metric, c.new_target)}: {c.reason}")
            if c.absolute_held:
                text += (f" The same success: {_absolute(metric, c.old_target, c.old_denominator)} then, "
                         f"{_absolute(metric, c.new_target, c.new_denominator)} now.")
            if c.equivalence:
                text += f" {c.equivalence}"
            entries.append(HistoryEntry(c.changed_on, "renegotiated", text))
    return sorted(entries, key=lambda e: e.on)


def plan_report(tree: PlanTree, *, today: dt.date | None = None,
                draw: Callable[[dict], str] | None = None) -> PlanReport:
    """The customer's view of a plan. ``draw`` turns a chart spec into inline SVG (for the PDF)."""
    today = today or timezone.localdate()
    plan = tree.plan
    account_name = plan.account.name
    metric_reports: list[MetricReport] = []
    all_commitments: list[CommitmentRow] = []
    on_pace = measured = 0

    def build(goal: Goal) -> GoalReport:
        nonlocal on_pace, measured
        metrics = tuple(_metric(m, today, account_name, draw) for m in goal.metric_list)
        metric_reports.extend(metrics)
        commitments = tuple(_commitment(a, goal.title, account_name) for a in goal.action_list
                            if a.status != ActionStatus.CANCELLED)
        all_commitments.extend(commitments)
        pace = pacing.worst([m.status for m in metrics])
        if goal.is_open and pace:
            measured += 1
            on_pace += pace in ("ahead", "on_pace", "hit")
        children = tuple(build(child) for child in goal.children)
        return GoalReport(
            id=goal.pk, title=goal.title, description=goal.description, status=goal.status,
            status_label=goal.get_status_display(), is_open=goal.is_open, target_date=goal.target_date,
            agreed_on=goal.agreed_on, agreed_by=_agreed_by(goal.agreed_by_contact, goal.agreed_by_user, account_name),
            closed_on=goal.closed_on,
            close_reason=goal.close_reason if goal.status in SHARED_CLOSE_REASONS else "",
            replaced_by=goal.replaced_by.title if goal.replaced_by_id else "",
            pace=pace, pace_label=PaceStatus(pace).label if pace else "", tone=TONE.get(pace, ""),
            metrics=metrics, commitments=commitments, children=children,
        )

    goals = tuple(build(goal) for goal in tree.goals)
    counts = commitment_counts([a for a in tree.actions if a.status != ActionStatus.CANCELLED])
    sides = tuple(
        SideCounts(label=_side_label(side, account_name), kept=c.kept, late=c.late, missed=c.missed, open=c.open)
        for side, c in counts.items()
    )
    return PlanReport(
        plan_id=plan.pk, title=plan.title, summary=plan.summary, account_name=account_name,
        status_label=plan.get_status_display(), csm=person_name(plan.owner),
        customer_owner=plan.customer_owner.name if plan.customer_owner_id else "", reviewed_on=plan.reviewed_on,
        today=today, goals=goals, commitments=tuple(sorted(all_commitments, key=lambda c: c.due_on)), sides=sides,
        history=tuple(_history(tree.all_goals, tree.metrics, account_name)),
        goals_on_pace=on_pace, goals_measured=measured, metrics=tuple(metric_reports),
    )


# CSV rows -------------------------------------------------------------------------------------

MEASUREMENT_COLUMNS = ("plan", "goal", "sub-goal", "metric", "unit", "direction", "baseline", "target",
                       "target date", "date", "value", "source", "note")
COMMITMENT_COLUMNS = ("plan", "goal", "sub-goal", "commitment", "side", "owner", "due", "status", "done on",
                      "outcome")


def plain_number(value: Decimal | None) -> str:
    """A decimal as a spreadsheet reads it: no exponent, no trailing zeros."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _goal_columns(goal: Goal, titles: dict[int, str]) -> tuple[str, str]:
    if goal.parent_id:
        return titles.get(goal.parent_id, ""), goal.title
    return goal.title, ""


def measurement_rows(tree: PlanTree) -> list[list[str]]:
    """One row per measurement with its goal and metric; a metric not measured yet gets one row
    with an empty date and value, so every metric of the plan is in the file."""
    titles = {g.pk: g.title for g in tree.all_goals}
    rows = []
    for goal in tree.all_goals:
        top, sub = _goal_columns(goal, titles)
        for metric in goal.metric_list:
            context = [tree.plan.title, top, sub, metric.name, metric.unit, metric.direction,
                       plain_number(metric.baseline), plain_number(metric.target), metric.target_date.isoformat()]
            measurements = list(metric.measurements.all())
            if not measurements:
                rows.append([*context, "", "", "", ""])
            for m in measurements:
                rows.append([*context, m.measured_on.isoformat(), plain_number(m.value), m.source, m.note])
    return rows


def commitment_rows(tree: PlanTree) -> list[list[str]]:
    titles = {g.pk: g.title for g in tree.all_goals}
    rows = []
    for goal in tree.all_goals:
        top, sub = _goal_columns(goal, titles)
        for action in goal.action_list:
            owner = person_name(action.owner_user) if action.side == Side.VENDOR else (
                action.owner_contact.name if action.owner_contact is not None else "")
            rows.append([tree.plan.title, top, sub, action.title, action.side, owner, action.due_on.isoformat(),
                         action.status, action.done_on.isoformat() if action.done_on else "",
                         action.outcome])
    return rows
