"""Plans applied to accounts; touchpoints kept, held and missed by the services."""

from __future__ import annotations

import datetime as dt

import pytest

from paceline.core.models import ActivityEvent
from paceline.core.services import SYSTEM, Actor
from paceline.engagement import services
from paceline.engagement.models import Touchpoint, TouchpointStatus
from tests.engagement.conftest import START, TODAY
from tests.engagement.factories import PlanFactory, StepFactory
from tests.factories import AccountFactory, InteractionFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

D = dt.timedelta


def _at(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def test_apply_dates_from_start_and_renewal_skipping_passed_and_after_renewal(termed, actor, leader):
    renewal = termed.next_renewal_date
    assert renewal is not None
    plan = PlanFactory(name="Mid-market")
    passed = StepFactory(plan=plan, name="Kickoff", offset_days=10, window_days=7)  # window ended 83 days ago
    open_window = StepFactory(plan=plan, name="Adoption check", offset_days=95, window_days=7)
    qbr = StepFactory(plan=plan, name="QBR", offset_days=180, owner_role="leader")
    renewal_talk = StepFactory(plan=plan, name="Renewal talk", anchor="renewal", offset_days=60)
    StepFactory(plan=plan, name="Beyond renewal", offset_days=400)

    made = services.plan_apply(actor=actor, plan=plan, account=termed, today=TODAY)

    by_step = {tp.step_id: tp for tp in Touchpoint.objects.filter(account=termed)}
    assert len(made) == 3 and set(by_step) == {open_window.pk, qbr.pk, renewal_talk.pk}
    assert passed.pk not in by_step
    assert by_step[open_window.pk].due_date == START + D(days=95)
    assert by_step[qbr.pk].due_date == START + D(days=180)
    assert by_step[renewal_talk.pk].due_date == renewal - D(days=60)
    assert by_step[qbr.pk].owner == leader and by_step[open_window.pk].owner == termed.owner
    assert all(tp.term_start == START and tp.source == "plan" for tp in by_step.values())
    assert ActivityEvent.objects.filter(kind="touchpoint.plan_applied", account_id=termed.pk).count() == 1


def test_apply_is_idempotent_per_term(termed, actor):
    plan = PlanFactory()
    StepFactory(plan=plan, offset_days=150)
    assert len(services.plan_apply(actor=actor, plan=plan, account=termed, today=TODAY)) == 1
    assert services.plan_apply(actor=actor, plan=plan, account=termed, today=TODAY) == []
    assert Touchpoint.objects.filter(account=termed).count() == 1


def test_apply_without_a_contract_is_refused_naming_the_account(account, actor):
    plan = PlanFactory()
    StepFactory(plan=plan)
    with pytest.raises(Exception) as error:
        services.plan_apply(actor=actor, plan=plan, account=account, today=TODAY)
    assert "account" in error.value.message_dict
    assert not Touchpoint.objects.exists()


def test_plans_apply_auto_picks_the_segment_plan_then_the_any_segment_one(csm):
    enterprise = AccountFactory(segment="enterprise", owner=csm)
    smb = AccountFactory(segment="smb", owner=csm)
    no_contract = AccountFactory(segment="smb", owner=csm)
    for acc in (enterprise, smb):
        SubscriptionFactory(account=acc, start_date=START, end_date=START + D(days=365))
    ent_plan = PlanFactory(name="Enterprise plan", segment="enterprise")
    StepFactory(plan=ent_plan, offset_days=150)
    any_plan = PlanFactory(name="Everyone", segment="")
    StepFactory(plan=any_plan, offset_days=160)
    manual = PlanFactory(name="By hand only", segment="smb", auto_apply=False)
    StepFactory(plan=manual, offset_days=170)

    assert services.plans_apply_auto(today=TODAY) == 2
    assert set(Touchpoint.objects.filter(account=enterprise).values_list("plan__name", flat=True)) == {"Enterprise plan"}
    assert set(Touchpoint.objects.filter(account=smb).values_list("plan__name", flat=True)) == {"Everyone"}
    assert not Touchpoint.objects.filter(account=no_contract).exists()
    assert services.plans_apply_auto(today=TODAY) == 0  # the term is covered


def _planned(account, *, due, kind="any", window=7, name="Check-in"):
    return services.touchpoint_create(actor=SYSTEM, account=account, name=name, due_date=due, kind=kind,
                                      window_days=window)


def test_an_interaction_keeps_the_nearest_open_touchpoint_of_its_kind_in_window(termed):
    far = _planned(termed, due=TODAY + D(days=5), name="Far")
    near = _planned(termed, due=TODAY + D(days=1), name="Near")
    other_kind = _planned(termed, due=TODAY, kind="qbr", name="QBR")
    call = InteractionFactory(account=termed, kind="call", occurred_at=_at(TODAY), summary="Agreed a rollout date")

    assert services.interactions_match([call.pk]) == 1
    near.refresh_from_db(); far.refresh_from_db(); other_kind.refresh_from_db()  # noqa: E702
    assert near.status == TouchpointStatus.KEPT and near.interaction == call and near.result == "Agreed a rollout date"
    assert far.status == other_kind.status == TouchpointStatus.PLANNED
    assert ActivityEvent.objects.filter(kind="touchpoint.kept", subject_id=str(near.pk)).count() == 1
    assert services.interactions_match([call.pk]) == 0  # idempotent


def test_outside_the_window_nothing_is_kept(termed):
    tp = _planned(termed, due=TODAY + D(days=10), window=3)
    call = InteractionFactory(account=termed, kind="call", occurred_at=_at(TODAY), summary="Chat")
    assert services.interactions_match([call.pk]) == 0
    tp.refresh_from_db()
    assert tp.status == TouchpointStatus.PLANNED


def test_without_a_summary_it_is_held_and_notes_never_count(termed):
    tp = _planned(termed, due=TODAY)
    note = InteractionFactory(account=termed, kind="note", occurred_at=_at(TODAY), summary="Internal note")
    assert services.interactions_match([note.pk]) == 0
    tp.refresh_from_db()
    assert tp.status == TouchpointStatus.PLANNED
    meeting = InteractionFactory(account=termed, kind="meeting", occurred_at=_at(TODAY), summary="")
    assert services.interactions_match([meeting.pk]) == 1
    tp.refresh_from_db()
    assert tp.status == TouchpointStatus.HELD and tp.interaction == meeting and tp.closed_on is None
    services.touchpoint_record_result(actor=Actor(termed.owner), touchpoint=tp, result="Renewal champion named")
    tp.refresh_from_db()
    assert tp.status == TouchpointStatus.KEPT and tp.closed_on == TODAY


def test_missed_once_with_an_event(termed):
    late = _planned(termed, due=TODAY - D(days=10), window=3)
    still_open = _planned(termed, due=TODAY - D(days=2), window=3)
    assert services.touchpoints_check_missed(today=TODAY) == 1
    assert services.touchpoints_check_missed(today=TODAY) == 0
    late.refresh_from_db(); still_open.refresh_from_db()  # noqa: E702
    assert late.status == TouchpointStatus.MISSED and late.closed_on == late.window_end
    assert still_open.status == TouchpointStatus.PLANNED
    assert ActivityEvent.objects.filter(kind="touchpoint.missed").count() == 1


def test_a_kept_touchpoint_does_not_move(termed, actor):
    tp = _planned(termed, due=TODAY)
    services.touchpoint_record_result(actor=actor, touchpoint=tp, result="Done")
    with pytest.raises(Exception) as error:
        services.touchpoint_update(actor=actor, touchpoint=tp, due_date=TODAY + D(days=3))
    assert "status" in error.value.message_dict
    tp.refresh_from_db()
    assert tp.due_date == TODAY
