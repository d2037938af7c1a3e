"""Facts from the work with the customer: success plans, commitments, touchpoints, needs, surveys.

Each reader takes a chunk of account ids and the day, runs a fixed number of queries, and
returns the facts it found per account. Only what was dated on or before the day is read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from paceline.engagement.models import Need, Touchpoint, TouchpointStatus
from paceline.health.facts import Fact, Facts
from paceline.health.gathering.customers import day_end, local_day
from paceline.success import pacing
from paceline.success.models import (
    ActionItem,
    ActionStatus,
    Checkpoint,
    Goal,
    GoalStatus,
    Measurement,
    MetricChange,
    PlanStatus,
    Side,
    SuccessMetric,
)
from paceline.surveys import scoring as survey_scoring
from paceline.surveys.models import SurveyKind
from paceline.surveys.readiness import readiness_latest
from paceline.surveys.selectors import answered

YEAR_DAYS = 365  # the window of touchpoints, closed goals and NPS answers
COMMITMENT_DAYS = 180  # the window of customer commitments
ONBOARDING_DAYS = 90  # touchpoints due within this many days of a term's start are onboarding
READINESS_LEVELS = (1.0, 5.0)  # the readiness score 0-100 read on the factor's 1..5 scale


def share(part: int, whole: int, on: dt.date | None, what: str) -> Fact:
    return Fact(part / whole, on, f"{part} of {whole} {what}")


# Success plans --------------------------------------------------------------------------------


def _metric_spec(metric: dict, change: dict | None, laps: list[pacing.Point]) -> pacing.MetricSpec:
    """The metric as it stood on the day: a target changed later is read as it was before the change."""
    target, target_date = metric["target"], metric["target_date"]
    if change is not None:
        target, target_date = change["old_target"], change["old_target_date"]
    return pacing.MetricSpec(direction=metric["direction"], unit=metric["unit"],
                             baseline=pacing.Point(metric["baseline_date"], float(metric["baseline"])),
                             target=pacing.Point(target_date, float(target)), checkpoints=tuple(laps))


def _open_on(goal: dict, as_of: dt.date) -> bool:
    return goal["agreed_on"] is not None and goal["agreed_on"] <= as_of and (
        goal["closed_on"] is None or goal["closed_on"] > as_of)


def _goal_paces(goals: dict[int, dict], as_of: dt.date) -> dict[int, str]:
    """Each open goal's worst metric pace on ``as_of`` (four queries: metrics, measurements,
    checkpoints, later target changes)."""
    metrics = list(SuccessMetric.objects.filter(goal_id__in=goals, baseline_date__lte=as_of).values(
        "pk", "goal_id", "direction", "unit", "baseline", "baseline_date", "target", "target_date"))
    ids = [m["pk"] for m in metrics]
    points: dict[int, list[pacing.Point]] = defaultdict(list)
    for metric_id, on, value in Measurement.objects.filter(metric_id__in=ids, measured_on__lte=as_of).values_list(
            "metric_id", "measured_on", "value"):
        points[metric_id].append(pacing.Point(on, float(value)))
    laps: dict[int, list[pacing.Point]] = defaultdict(list)
    for metric_id, on, value in Checkpoint.objects.filter(metric_id__in=ids).values_list("metric_id", "due_on", "target"):
        laps[metric_id].append(pacing.Point(on, float(value)))
    changes: dict[int, dict] = {}
    for change in MetricChange.objects.filter(metric_id__in=ids, changed_on__gt=as_of).order_by("changed_on", "pk").values(
            "metric_id", "old_target", "old_target_date"):
        changes.setdefault(change["metric_id"], change)
    statuses: dict[int, list[str]] = defaultdict(list)
    for metric in metrics:
        spec = _metric_spec(metric, changes.get(metric["pk"]), laps[metric["pk"]])
        statuses[metric["goal_id"]].append(pacing.evaluate(spec, points[metric["pk"]], as_of).status)
    return {goal_id: pacing.worst(found) for goal_id, found in statuses.items()}


def plan_facts(ids: list[int], as_of: dt.date) -> dict[int, Facts]:
    """An agreed plan with measurable goals, the open goals on pace, and the goals hit in a year."""
    goals = {g["pk"]: g for g in Goal.objects.filter(plan__account_id__in=ids).exclude(
        plan__status=PlanStatus.DRAFT).values("pk", "plan__account_id", "title", "status", "agreed_on", "closed_on")}
    open_goals = {pk: g for pk, g in goals.items() if _open_on(g, as_of)}
    paces = _goal_paces(open_goals, as_of)
    found: dict[int, Facts] = {i: {} for i in ids}
    agreed: dict[int, dt.date] = {}
    on_pace: dict[int, list[bool]] = defaultdict(list)
    for goal_id, pace in paces.items():
        account_id = open_goals[goal_id]["plan__account_id"]
        agreed[account_id] = max(open_goals[goal_id]["agreed_on"], agreed.get(account_id, dt.date.min))
        on_pace[account_id].append(pace in ("ahead", "on_pace", "hit"))
    since = as_of - dt.timedelta(days=YEAR_DAYS)
    for goal in goals.values():
        # A goal hit (or missed) in the last year was a clearly defined outcome too: an account that
        # reached its goals is not one without a plan.
        if (goal["status"] in (GoalStatus.HIT, GoalStatus.MISSED) and goal["agreed_on"] and goal["closed_on"]
                and goal["agreed_on"] <= as_of and since < goal["closed_on"] <= as_of):
            account_id = goal["plan__account_id"]
            agreed[account_id] = max(goal["agreed_on"], agreed.get(account_id, dt.date.min))
    for account_id in ids:
        if account_id in agreed:
            found[account_id]["plan.agreed"] = Fact(1.0, agreed[account_id], "goals with metrics agreed")
        else:
            found[account_id]["plan.agreed"] = Fact(0.0, None, "no agreed goal with a metric")
    for account_id, flags in on_pace.items():
        found[account_id]["goals.on_pace_share"] = share(sum(flags), len(flags), as_of, "open goals on pace")
    closed: dict[int, list[dict]] = defaultdict(list)
    for goal in goals.values():
        if goal["status"] in (GoalStatus.HIT, GoalStatus.MISSED) and goal["closed_on"] and since < goal["closed_on"] <= as_of:
            closed[goal["plan__account_id"]].append(goal)
    for account_id, rows in closed.items():
        hits = sum(g["status"] == GoalStatus.HIT for g in rows)
        last = max(g["closed_on"] for g in rows)
        found[account_id]["goals.hit_share"] = share(hits, len(rows), last, "goals closed in a year were hit")
    return found


def commitment_facts(ids: list[int], as_of: dt.date) -> dict[int, Facts]:
    """Customer commitments due in the last 180 days, and how many were done by their date."""
    rows = ActionItem.objects.filter(goal__plan__account_id__in=ids, side=Side.CUSTOMER, due_on__lte=as_of,
                                     due_on__gt=as_of - dt.timedelta(days=COMMITMENT_DAYS)).exclude(
        status=ActionStatus.CANCELLED).values_list("goal__plan__account_id", "status", "due_on", "done_on")
    due: dict[int, int] = defaultdict(int)
    kept: dict[int, int] = defaultdict(int)
    last: dict[int, dt.date] = {}
    for account_id, status, due_on, done_on in rows:
        due[account_id] += 1
        last[account_id] = max(due_on, last.get(account_id, due_on))
        if status == ActionStatus.DONE and done_on is not None and done_on <= min(due_on, as_of):
            kept[account_id] += 1
    return {a: {"commitments.customer_kept": share(kept[a], n, last[a], "customer commitments kept")}
            for a, n in due.items()}


# Engagement -----------------------------------------------------------------------------------


def _onboarding(row: tuple) -> bool:
    term_start, due = row[1], row[2]
    return term_start is not None and 0 <= (due - term_start).days <= ONBOARDING_DAYS


def touchpoint_facts(ids: list[int], as_of: dt.date) -> dict[int, Facts]:
    """Touchpoints kept of those kept or missed in a year; onboarding touchpoints kept of those due."""
    rows = Touchpoint.objects.filter(account_id__in=ids, due_date__lte=as_of).exclude(
        status=TouchpointStatus.CANCELLED).values_list("account_id", "term_start", "due_date", "window_days",
                                                      "status", "closed_on")
    tally: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    last: dict[int, dt.date] = {}
    since = as_of - dt.timedelta(days=YEAR_DAYS)
    for row in rows:
        account_id, _, due, window, status, closed_on = row
        closed = status if closed_on is not None and closed_on <= as_of else None
        is_due = closed is not None or due + dt.timedelta(days=window) < as_of
        counts = tally[account_id]
        if closed in (TouchpointStatus.KEPT, TouchpointStatus.MISSED) and due > since:
            counts["closed"] += 1
            counts["kept"] += closed == TouchpointStatus.KEPT
            last[account_id] = max(closed_on, last.get(account_id, closed_on))
        if _onboarding(row) and is_due:
            counts["onboarding_due"] += 1
            counts["onboarding_kept"] += closed == TouchpointStatus.KEPT
    found: dict[int, Facts] = defaultdict(dict)
    for account_id, counts in tally.items():
        if counts["closed"]:
            found[account_id]["touchpoints.kept_share"] = share(
                counts["kept"], counts["closed"], last[account_id], "touchpoints kept (of kept or missed)")
        if counts["onboarding_due"]:
            found[account_id]["onboarding.kept_share"] = share(
                counts["onboarding_kept"], counts["onboarding_due"], None, "onboarding touchpoints kept")
    return found


def need_facts(ids: list[int], as_of: dt.date) -> dict[int, Facts]:
    """Stated needs still open on the day, for accounts where needs are being noted at all."""
    rows = Need.objects.filter(account_id__in=ids, opened_on__lte=as_of).values_list(
        "account_id", "area__name", "opened_on", "met_on")
    open_needs: dict[int, list[str]] = defaultdict(list)
    noted: dict[int, dt.date] = {}
    for account_id, area, opened_on, met_on in rows:
        noted[account_id] = max(opened_on, noted.get(account_id, opened_on))
        if met_on is None or met_on > as_of:
            open_needs[account_id].append(area)
    return {a: {"needs.open": Fact(float(len(open_needs[a])), on, ", ".join(sorted(open_needs[a])) or "none open")}
            for a, on in noted.items()}


# Surveys --------------------------------------------------------------------------------------


def survey_facts(ids: list[int], as_of: dt.date) -> dict[int, Facts]:
    """NPS from each contact's latest answer in a year, and the latest adoption-readiness level."""
    end = day_end(as_of)
    since = end - dt.timedelta(days=YEAR_DAYS)
    rows = answered().filter(account_id__in=ids, survey__kind=SurveyKind.NPS, submitted_at__lt=end,
                             submitted_at__gte=since).values_list("account_id", "contact_id", "submitted_at", "score")
    answers: dict[int, list[survey_scoring.Answered]] = defaultdict(list)
    for account_id, contact_id, at, value in rows:
        answers[account_id].append(survey_scoring.Answered(contact_id, at, value))
    found: dict[int, Facts] = defaultdict(dict)
    for account_id, given in answers.items():
        kept = survey_scoring.latest_per_contact(given)
        result = survey_scoring.nps(a.score for a in kept)
        on = local_day(max(a.on for a in kept))
        found[account_id]["nps.score"] = Fact(result.score, on, f"{result.n} answers (latest per contact)")
    low, high = READINESS_LEVELS
    for account_id, assessment in readiness_latest(ids, on=as_of).items():
        found[account_id]["readiness.level"] = Fact(
            low + (high - low) * assessment.score / 100, assessment.assessed_on,
            f"{assessment.get_level_display()} ({assessment.score}/100)")
    return found
