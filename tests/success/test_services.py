import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.customers.models import Interaction
from paceline.success import services
from paceline.success.models import ActionItem, GoalStatus, Measurement, PlanTemplate, SuccessMetric
from paceline.success.selectors import annotate_goal_pace, plan_tree
from tests.factories import (
    AccountFactory,
    ContactFactory,
    GoalFactory,
    SuccessMetricFactory,
    SuccessPlanFactory,
)

TODAY = timezone.localdate()


@pytest.fixture
def plan(account):
    return SuccessPlanFactory(account=account)


@pytest.fixture
def sponsor(account):
    return ContactFactory(account=account, name="Jane Roe", roles=["executive_sponsor"], is_primary=True)


def test_the_default_templates_are_installed(db):
    assert set(PlanTemplate.objects.values_list("name", flat=True)) >= {
        "Onboarding to first value", "Procurement process rollout"}


def test_a_plan_from_a_template_lays_out_goals_metrics_laps_and_commitments(actor, account, sponsor):
    template = PlanTemplate.objects.get(name="Onboarding to first value")
    start = TODAY - dt.timedelta(days=10)
    plan = services.plan_create_from_template(actor=actor, account=account, template=template, start=start)
    tree = plan_tree(plan_id=plan.pk)
    assert [g.title for g in tree.goals] == ["Reach first value", "Weekly active use"]
    assert [g.title for g in tree.goals[0].children] == ["Integrations live"]
    metric = tree.goals[0].metric_list[0]
    assert (metric.unit, metric.target, metric.target_date) == ("percent", Decimal("80"), start + dt.timedelta(days=90))
    assert [c.target for c in metric.checkpoints.all()] == [Decimal("30"), Decimal("60")]
    customer_side = [a for a in tree.actions if a.side == "customer"]
    assert customer_side and all(a.owner_contact == sponsor for a in customer_side)
    assert all(a.owner_user == actor.user for a in tree.actions if a.side == "vendor")
    assert plan.template == template


def test_an_unreachable_target_is_refused_by_field(actor, plan):
    goal = GoalFactory(plan=plan)
    with pytest.raises(ValidationError) as error:
        services.metric_create(actor=actor, goal=goal, name="Cycle time", unit="days", direction="lower",
                               baseline=Decimal(4), baseline_date=TODAY, target=Decimal(12),
                               target_date=TODAY + dt.timedelta(days=30))
    assert "target" in error.value.message_dict
    assert not SuccessMetric.objects.exists()


def test_checkpoints_out_of_order_are_refused(actor, plan):
    goal = GoalFactory(plan=plan)
    with pytest.raises(ValidationError) as error:
        services.metric_create(
            actor=actor, goal=goal, name="Trained", baseline=Decimal(0), baseline_date=TODAY,
            target=Decimal(100), target_date=TODAY + dt.timedelta(days=90),
            checkpoints=[(TODAY + dt.timedelta(days=30), Decimal(60), ""), (TODAY + dt.timedelta(days=60), Decimal(40), "")],
        )
    assert "checkpoints" in error.value.message_dict
    assert not SuccessMetric.objects.exists()


def test_measurements_move_the_pace_and_the_goal_and_the_book(actor, plan):
    metric = SuccessMetricFactory(goal__plan=plan)
    services.metric_evaluate(metric=metric)
    assert metric.pace_status == "no_data"
    services.measurement_record(actor=actor, metric=metric, measured_on=TODAY - dt.timedelta(days=20), value=Decimal(10))
    services.measurement_record(actor=actor, metric=metric, measured_on=TODAY, value=Decimal(60))
    metric.refresh_from_db()
    assert metric.pace_status == "ahead", metric.pace_reason
    assert metric.goal.__class__.objects.get(pk=metric.goal_id).pace_status == "ahead"
    account = annotate_goal_pace(type(plan.account).objects.filter(pk=plan.account_id)).get()
    assert (account.goals_on_pace, account.goals_measured) == (1, 1)


def test_recording_the_same_day_again_replaces_the_value(actor, plan):
    metric = SuccessMetricFactory(goal__plan=plan)
    services.measurement_record(actor=actor, metric=metric, measured_on=TODAY, value=Decimal(10))
    services.measurement_record(actor=actor, metric=metric, measured_on=TODAY, value=Decimal(12), note="recount")
    assert list(Measurement.objects.values_list("value", "note")) == [(Decimal(12), "recount")]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"measured_on": TODAY + dt.timedelta(days=1), "value": Decimal(1)}, "measured_on"),
     ({"measured_on": TODAY - dt.timedelta(days=365), "value": Decimal(1)}, "measured_on"),
     ({"measured_on": TODAY, "value": Decimal(-5)}, "value"),
     ({"measured_on": TODAY, "value": Decimal(5), "unit": "percent"}, "unit")],
)
def test_a_bad_measurement_names_its_field(actor, plan, kwargs, field):
    metric = SuccessMetricFactory(goal__plan=plan)
    with pytest.raises(ValidationError) as error:
        services.measurement_record(actor=actor, metric=metric, **kwargs)
    assert field in error.value.message_dict
    assert not Measurement.objects.exists()


def test_bulk_measurements_are_all_or_nothing_with_rows_named(actor, plan):
    metric = SuccessMetricFactory(goal__plan=plan)
    other = SuccessMetricFactory(goal__plan__account=AccountFactory())
    rows = [
        {"metric": metric, "measured_on": TODAY - dt.timedelta(days=2), "value": Decimal(5)},
        {"metric": metric, "measured_on": TODAY + dt.timedelta(days=2), "value": Decimal(7)},
        {"metric": other, "measured_on": TODAY, "value": Decimal(7)},
    ]
    with pytest.raises(services.BulkError) as error:
        services.measurements_record_bulk(actor=actor, rows=rows, account=plan.account)
    assert [(i, f) for i, f, _ in error.value.rows] == [(1, "measured_on"), (2, "metric")]
    assert not Measurement.objects.exists()
    services.measurements_record_bulk(actor=actor, rows=rows[:1], account=plan.account)
    assert Measurement.objects.count() == 1


def test_the_goal_lifecycle_and_a_celebrated_hit(actor, plan, sponsor):
    goal = GoalFactory(plan=plan)
    services.goal_agree(actor=actor, goal=goal, contact=sponsor, on=TODAY - dt.timedelta(days=5))
    assert (goal.status, goal.agreed_by_contact, goal.agreed_by_user) == (GoalStatus.AGREED, sponsor, actor.user)
    services.goal_activate(actor=actor, goal=goal)
    services.goal_close(actor=actor, goal=goal, status=GoalStatus.HIT)
    celebration = Interaction.objects.get(account=plan.account, kind="event")
    assert celebration.subject == f"Goal hit: {goal.title}"
    assert list(celebration.contacts.all()) == [sponsor]
    assert ActivityEvent.objects.filter(kind="success.goal_hit", account_id=plan.account_id).exists()
    with pytest.raises(ValidationError):
        services.goal_close(actor=actor, goal=goal, status=GoalStatus.MISSED)


def test_only_a_proposed_goal_can_be_agreed(actor, plan, sponsor):
    goal = GoalFactory(plan=plan, status=GoalStatus.ACTIVE)
    with pytest.raises(ValidationError) as error:
        services.goal_agree(actor=actor, goal=goal, contact=sponsor)
    assert "status" in error.value.message_dict


def test_an_agreed_target_changes_only_by_renegotiation(actor, plan, sponsor):
    metric = SuccessMetricFactory(goal__plan=plan, goal__status=GoalStatus.AGREED)
    with pytest.raises(ValidationError) as error:
        services.metric_update(actor=actor, metric=metric, target=Decimal(120))
    assert "target" in error.value.message_dict


def test_the_seed_renegotiation_fifty_people_held(actor, plan, sponsor):
    """Train 50% of a team of 100 in year one; the team doubles; 25% of 200 is the same 50 people."""
    metric = SuccessMetricFactory(
        goal__plan=plan, goal__status=GoalStatus.ACTIVE, name="Team trained", unit="percent",
        baseline=Decimal(0), target=Decimal(50), denominator=Decimal(100),
        baseline_date=TODAY - dt.timedelta(days=120), target_date=TODAY + dt.timedelta(days=245),
    )
    change = services.metric_renegotiate(
        actor=actor, metric=metric, new_target=Decimal(25), new_denominator=Decimal(200),
        reason="The team doubled to 200 after the merger.",
        equivalence="The same 50 people trained is the same success.", agreed_by_contact=sponsor,
    )
    metric.refresh_from_db()
    assert (change.old_target, change.new_target) == (Decimal(50), Decimal(25))
    assert (change.old_absolute, change.new_absolute) == (Decimal(50), Decimal(50))
    assert change.absolute_held
    assert (change.agreed_by_contact, change.agreed_by_user) == (sponsor, actor.user)
    assert (metric.target, metric.denominator, metric.absolute_target) == (Decimal(25), Decimal(200), Decimal("50.00"))
    event = ActivityEvent.objects.get(kind="success.goal_renegotiated")
    assert event.payload["absolute_held"] is True


def test_renegotiation_needs_a_reason_and_the_customer(actor, plan):
    metric = SuccessMetricFactory(goal__plan=plan, goal__status=GoalStatus.ACTIVE)
    with pytest.raises(ValidationError) as error:
        services.metric_renegotiate(actor=actor, metric=metric, new_target=Decimal(80), reason=" ", agreed_by_contact=None)
    assert set(error.value.message_dict) == {"reason", "agreed_by_contact"}


def test_commitments_on_both_sides_and_a_missed_customer_one_is_signalled_once(actor, plan, sponsor, csm):
    goal = GoalFactory(plan=plan)
    ours = services.action_create(actor=actor, goal=goal, title="Send the training plan", side="vendor",
                                  owner_user=csm, due_on=TODAY - dt.timedelta(days=3))
    theirs = services.action_create(actor=actor, goal=goal, title="Invite all users", side="customer",
                                    owner_contact=sponsor, due_on=TODAY - dt.timedelta(days=2))
    services.action_complete(actor=actor, action=ours, done_on=TODAY - dt.timedelta(days=4))
    assert ours.outcome == "kept"
    assert services.commitments_check() == 1
    assert services.commitments_check() == 0  # once
    event = ActivityEvent.objects.get(kind="success.commitment_missed.customer")
    assert event.payload["owner"] == "Jane Roe" and event.account_id == plan.account_id
    theirs.refresh_from_db()
    assert theirs.outcome == "missed" and theirs.missed_on == TODAY


def test_a_commitment_owner_must_fit_its_side(actor, plan, sponsor, csm):
    goal = GoalFactory(plan=plan)
    with pytest.raises(ValidationError) as error:
        services.action_create(actor=actor, goal=goal, title="x", side="customer", owner_user=csm, due_on=TODAY)
    assert "owner_contact" in error.value.message_dict
    stranger = ContactFactory()
    with pytest.raises(ValidationError) as error:
        services.action_create(actor=actor, goal=goal, title="x", side="customer", owner_contact=stranger, due_on=TODAY)
    assert "owner_contact" in error.value.message_dict
    assert not ActionItem.objects.exists()


def test_falling_behind_pace_is_told_to_the_apps_above(actor, plan):
    metric = SuccessMetricFactory(goal__plan=plan, goal__status=GoalStatus.ACTIVE,
                                  baseline_date=TODAY - dt.timedelta(days=80), target_date=TODAY + dt.timedelta(days=10))
    services.measurement_record(actor=actor, metric=metric, measured_on=TODAY - dt.timedelta(days=70), value=Decimal(60))
    services.measurement_record(actor=actor, metric=metric, measured_on=TODAY - dt.timedelta(days=1), value=Decimal(61))
    metric.refresh_from_db()
    assert metric.pace_status == "at_risk"
    event = ActivityEvent.objects.get(kind="success.metric_behind_pace")
    assert event.payload["to"] == "at_risk"


def test_every_write_is_audited_against_the_account(actor, plan):
    metric = SuccessMetricFactory(goal__plan=plan)
    services.measurement_record(actor=actor, metric=metric, measured_on=TODAY, value=Decimal(3))
    entry = AuditEntry.objects.get(target_type="success.measurement")
    assert entry.account_id == plan.account_id and entry.after["value"] == "3"


def test_a_metric_bound_to_a_source_gets_its_values_on_its_own(actor, plan, sponsor):
    from paceline.success import sources

    metric = SuccessMetricFactory(goal__plan=plan, source="customers.active_contacts", name="Contacts engaged",
                                  target=Decimal(5))
    ContactFactory(account=plan.account)
    assert sources.refresh_computed() == {"recorded": 1, "unknown": 0, "unregistered": 0}
    measurement = Measurement.objects.get(metric=metric)
    assert (measurement.value, measurement.source, measurement.measured_on) == (Decimal(2), "computed", TODAY)


def test_a_registered_source_is_used_and_an_unknown_value_is_skipped(actor, plan):
    from paceline.success import sources

    sources.register_source(sources.MetricSource("test.nothing", "Nothing", "count", lambda a, d, p: None))
    try:
        SuccessMetricFactory(goal__plan=plan, source="test.nothing")
        SuccessMetricFactory(goal__plan=plan, source="not.registered")
        assert sources.refresh_computed() == {"recorded": 0, "unknown": 1, "unregistered": 1}
        assert not Measurement.objects.exists()
    finally:
        sources._registry.pop("test.nothing")


def test_the_burnup_spec_carries_baseline_measurements_target_and_projection(actor, plan):
    from paceline.core.charts import render_svg
    from paceline.success.charts import burnup_spec

    metric = SuccessMetricFactory(goal__plan=plan)
    services.measurement_record(actor=actor, metric=metric, measured_on=TODAY - dt.timedelta(days=10), value=Decimal(20))
    pace = services.metric_pace(metric)
    spec = burnup_spec(metric, pace)
    rows = spec["layer"][0]["data"]["values"]
    assert {r["series"] for r in rows} == {"measured", "pace line", "target", "projection"}
    assert [r["value"] for r in rows if r["series"] == "measured"] == [0, 20]
    assert [r["value"] for r in rows if r["series"] == "target"] == [100, 100]
    assert render_svg(burnup_spec(metric, pace, width=500)).startswith("<svg")
