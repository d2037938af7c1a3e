"""The demo's success plans: on most accounts, valid as the services would write them, paced as the
daily job paces them, with the seed's renegotiation, and a history that follows each account's fate.

The signal tests group plans by the outcome of the contract term they belong to (recomputed from
the seed, as ``company.plan`` allows) and measure the generated rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from statistics import mean, median

import pytest

from paceline.core.models import ActivityEvent
from paceline.customers.models import Account, Interaction, RenewalKind
from paceline.ops.demo import DemoConfig, World, company
from paceline.success import pacing, services
from paceline.success.models import (
    OPEN_GOAL_STATUSES,
    ActionItem,
    Checkpoint,
    Goal,
    GoalStatus,
    Measurement,
    MetricChange,
    PlanStatus,
    SuccessMetric,
    SuccessPlan,
)
from tests.ops.conftest import ANCHOR, digest

GOOD = (RenewalKind.RENEWED, RenewalKind.EXPANDED)


def _spec(metric: SuccessMetric, checkpoints=None) -> pacing.MetricSpec:
    laps = metric.checkpoints.all() if checkpoints is None else checkpoints
    return pacing.MetricSpec(
        direction=metric.direction, unit=metric.unit,
        baseline=pacing.Point(metric.baseline_date, float(metric.baseline)),
        target=pacing.Point(metric.target_date, float(metric.target)),
        checkpoints=tuple(pacing.Point(c.due_on, float(c.target)) for c in laps),
    )


def test_most_accounts_have_plans_from_both_templates_and_by_hand(book):
    accounts = Account.objects.count()
    with_plans = SuccessPlan.objects.values("account").distinct().count()
    assert 0.7 * accounts <= with_plans <= 0.92 * accounts
    templates = set(SuccessPlan.objects.exclude(template=None).values_list("template__name", flat=True))
    assert templates == {"Onboarding to first value", "Procurement process rollout"}
    assert SuccessPlan.objects.filter(template=None).count() > 30
    assert {PlanStatus.ACTIVE, PlanStatus.CLOSED} <= set(SuccessPlan.objects.values_list("status", flat=True))
    statuses = set(Goal.objects.values_list("status", flat=True))
    assert {GoalStatus.PROPOSED, GoalStatus.ACTIVE, GoalStatus.HIT, GoalStatus.MISSED, GoalStatus.RETIRED} <= statuses
    assert Goal.objects.filter(parent__isnull=False).exists()
    units = set(SuccessMetric.objects.values_list("unit", flat=True))
    assert {"percent", "days", "count", "currency", "duration"} <= units
    assert SuccessMetric.objects.filter(direction="lower").exists()
    assert SuccessMetric.objects.filter(unit="percent", denominator__isnull=False).exists()
    assert Checkpoint.objects.exists() and MetricChange.objects.count() >= 5
    assert {"vendor", "customer"} == set(ActionItem.objects.values_list("side", flat=True))


def test_every_row_is_valid_as_the_services_would_check_it(book):
    for metric in SuccessMetric.objects.select_related("goal__plan").prefetch_related("checkpoints"):
        metric.clean()
        spec = _spec(metric)
        assert pacing.validate_checkpoints(spec, spec.checkpoints) == [], metric.name
    for goal in Goal.objects.select_related("plan", "parent", "agreed_by_contact"):
        goal.clean()
        if goal.agreed_on is not None:
            assert goal.agreed_by_contact is not None and goal.agreed_by_user_id is not None
            assert goal.agreed_on < ANCHOR
        else:
            assert goal.status in (GoalStatus.PROPOSED, GoalStatus.RETIRED)
        if goal.status in OPEN_GOAL_STATUSES:
            assert goal.closed_on is None
        else:
            assert goal.closed_on is not None and goal.closed_on < ANCHOR
    for action in ActionItem.objects.select_related("goal__plan", "owner_contact"):
        action.clean()
        if action.missed_on is not None:
            assert action.missed_on == action.due_on + dt.timedelta(days=1) <= ANCHOR
            assert action.status == "open" or action.done_on > action.due_on
    for m in Measurement.objects.select_related("metric"):
        assert m.metric.baseline_date < m.measured_on < ANCHOR
        assert pacing.validate_measurement(unit=m.metric.unit, value=float(m.value), on=m.measured_on,
                                           baseline_date=m.metric.baseline_date, today=ANCHOR) == {}
    assert Interaction.objects.filter(occurred_at__date__gte=ANCHOR).count() == 0


def test_the_daily_check_finds_no_new_missed_commitment_on_the_anchor(book):
    assert ActionItem.objects.filter(missed_on__isnull=False).count() > 50
    events = ActivityEvent.objects.count()
    assert services.commitments_check(today=ANCHOR) == 0
    assert ActivityEvent.objects.count() == events


def test_every_hit_goal_is_celebrated_on_its_accounts_timeline_on_the_day_it_closed(book):
    hits = Goal.objects.filter(status=GoalStatus.HIT).select_related("plan", "agreed_by_contact")
    assert hits.count() > 50
    celebrations = {(i.account_id, i.subject, i.occurred_at.date()): i
                    for i in Interaction.objects.filter(subject__startswith="Goal hit: ").prefetch_related("contacts")}
    assert len(celebrations) == hits.count()
    for goal in hits:
        event = celebrations[(goal.plan.account_id, f"Goal hit: {goal.title}", goal.closed_on)]
        assert event.kind == "event" and event.sentiment == "positive"
        assert goal.plan.title in event.summary
        assert list(event.contacts.all()) == [goal.agreed_by_contact]


def test_the_seeds_renegotiation_is_there_and_the_absolute_figure_held(book):
    change = MetricChange.objects.select_related("metric__goal__plan", "agreed_by_contact").get(
        old_target=50, old_denominator=100, new_target=25, new_denominator=200
    )
    assert change.old_absolute == change.new_absolute == 50 and change.absolute_held
    assert "same 50 people" in change.equivalence
    metric = change.metric
    assert (metric.target, metric.denominator, metric.absolute_target) == (25, 200, 50)
    assert change.agreed_by_contact.account_id == metric.goal.plan.account_id
    assert metric.goal.status in OPEN_GOAL_STATUSES + (GoalStatus.HIT,)
    values = list(metric.measurements.values_list("measured_on", "value"))
    before = [v for on, v in values if on < change.changed_on]
    after = [v for on, v in values if on >= change.changed_on]
    assert before and after
    # The same people trained: measured against 200, the percentage halves, then climbs again.
    assert after[0] <= before[-1] / 2 + 2 and after[-1] > after[0]


def test_stored_pace_statuses_are_the_ones_the_service_computes(book):
    metrics = list(SuccessMetric.objects.select_related("goal__plan").prefetch_related("measurements", "checkpoints"))
    for metric in metrics:
        assert metric.evaluated_on == ANCHOR
        assert metric.pace_status == services.metric_pace(metric, ANCHOR).status, metric.name
    assert {"hit", "missed", "ahead", "on_pace", "behind", "at_risk"} <= {m.pace_status for m in metrics}
    for goal in Goal.objects.prefetch_related("metrics"):
        assert goal.pace_status == pacing.worst([m.pace_status for m in goal.metrics.all()])
    before = dict(SuccessMetric.objects.values_list("pk", "pace_status"))
    events = ActivityEvent.objects.count()
    evaluated = services.plans_evaluate(today=ANCHOR)
    assert evaluated > 100
    assert dict(SuccessMetric.objects.values_list("pk", "pace_status")) == before
    assert ActivityEvent.objects.count() == events  # nothing slipped or hit: the statuses were already right


# The signal ----------------------------------------------------------------------------------


def _by_term():
    """Each plan with the term of its account's fate it belongs to."""
    fates = {a.external_id: a.fate for a in company.plan(World(DemoConfig(accounts=120, anchor=ANCHOR)))}
    plans = SuccessPlan.objects.select_related("account", "template").prefetch_related(
        "goals__actions", "goals__metrics__measurements"
    )
    for plan in plans:
        start = (plan.created_at.date() - ANCHOR).days
        yield plan, fates[plan.account.external_id].term_at(start)


@pytest.fixture
def closed_terms(book):
    groups = defaultdict(list)
    for plan, term in _by_term():
        if term.closed:
            groups["churned" if term.outcome == RenewalKind.CHURNED else "kept" if term.outcome in GOOD else "other"].append(
                (plan, term)
            )
    assert len(groups["churned"]) >= 10 and len(groups["kept"]) >= 40, "too few closed terms to compare"
    return groups


def _share(items, test) -> float:
    items = list(items)
    return sum(map(test, items)) / len(items)


def test_goals_were_hit_far_more_often_in_terms_that_renewed(closed_terms):
    def goals(group):
        return [g for plan, _ in closed_terms[group] for g in plan.goals.all() if g.parent_id is None]

    hit = {group: _share(goals(group), lambda g: g.status == GoalStatus.HIT) for group in ("kept", "churned")}
    good = {group: _share(goals(group), lambda g: g.pace_status in ("hit", "on_pace", "ahead"))
            for group in ("kept", "churned")}
    assert hit["kept"] > hit["churned"] + 0.35
    assert good["kept"] > good["churned"] + 0.35


def test_customers_kept_their_commitments_more_in_terms_that_renewed(closed_terms):
    def kept(group):
        due = [a for plan, _ in closed_terms[group] for g in plan.goals.all() for a in g.actions.all()
               if a.side == "customer" and a.due_on < ANCHOR and a.status != "cancelled"]
        return _share(due, lambda a: a.status == "done" and a.done_on <= a.due_on)

    assert kept("kept") > kept("churned") + 0.15


def test_plans_went_stale_months_before_a_churn(closed_terms):
    def silence(group):
        """Days from the last review, and from the last measurement, to the customer's decision."""
        reviews, measures = [], []
        for plan, term in closed_terms[group]:
            if plan.template and plan.template.name == "Onboarding to first value":
                continue  # closed after its first 150 days, long before the renewal
            decided = ANCHOR + dt.timedelta(days=term.decided)
            reviews.append((decided - plan.reviewed_on).days if plan.reviewed_on else 365)
            days = [m.measured_on for g in plan.goals.all() for metric in g.metrics.all()
                    for m in metric.measurements.all()]
            if days:
                measures.append((decided - max(days)).days)
        return median(reviews), median(measures)

    churned_review, churned_measure = silence("churned")
    kept_review, kept_measure = silence("kept")
    assert churned_review >= 100 and churned_measure >= 90
    assert kept_review < churned_review - 50


def test_churners_metrics_plateaued_while_renewers_kept_moving(closed_terms):
    def progress(group) -> float:
        shares = []
        for plan, _ in closed_terms[group]:
            for goal in plan.goals.all():
                for metric in goal.metrics.all():
                    values = [float(m.value) for m in metric.measurements.all()]
                    if len(values) >= 3 and metric.denominator is None:
                        baseline, target = float(metric.baseline), float(metric.target)
                        shares.append((values[-1] - baseline) / (target - baseline))
        return mean(shares)

    assert progress("kept") > progress("churned") + 0.3


# Determinism ---------------------------------------------------------------------------------


def test_the_determinism_digest_covers_the_success_rows(book):
    """``test_determinism`` compares digests of whole loads; it must see a change in any success table."""
    before = digest(ANCHOR)
    measurement = Measurement.objects.order_by("id").first()
    Measurement.objects.filter(pk=measurement.pk).update(value=measurement.value + 1)
    changed = digest(ANCHOR)
    ActionItem.objects.filter(pk=ActionItem.objects.order_by("id").first().pk).update(title="Something else")
    assert len({before, changed, digest(ANCHOR)}) == 3
