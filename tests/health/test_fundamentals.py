"""The five fundamentals, evaluated from the data: each passes on a sound account and fails, naming
the missing piece, when its own data is taken away; read as of a day; in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paceline.customers.models import Contact
from paceline.engagement.models import Touchpoint, TouchpointStatus
from paceline.health import fundamentals
from paceline.health.fundamentals import FundamentalResult, evaluate, fundamental_facts
from paceline.success.models import ActionItem, Goal, SuccessPlan
from tests.engagement.factories import NeedFactory
from tests.factories import AccountFactory, InteractionFactory
from tests.health.fundamentals_setup import days, moment, sound_account

pytestmark = pytest.mark.django_db


def results(account, as_of=None) -> dict[str, FundamentalResult]:
    found = evaluate([account.pk], as_of=as_of or days(0))[account.pk]
    assert [r.key for r in found] == list(fundamentals.KEYS)
    return {r.key: r for r in found}


def test_a_sound_account_passes_all_five(csm):
    sound = sound_account(csm)
    found = results(sound.account)
    assert all(r.passed for r in found.values()), found
    assert all(r.missing == "" for r in found.values())
    assert "Bea Boss" in found["escalation"].reason


def test_availability_names_the_need_without_a_resource(csm):
    sound = sound_account(csm)
    NeedFactory(account=sound.account, area__name="Single sign-on", opened_on=days(-5))
    result = results(sound.account)["availability"]
    assert not result.passed
    assert "Single sign-on" in result.missing and "Reporting" not in result.missing


def test_a_need_met_before_the_day_does_not_count_but_one_met_after_does(csm):
    sound = sound_account(csm)
    gap = NeedFactory(account=sound.account, area__name="Billing", opened_on=days(-60), status="met", met_on=days(-40))
    assert results(sound.account)["availability"].passed
    assert not results(sound.account, days(-50))["availability"].passed
    assert gap.area.name in results(sound.account, days(-50))["availability"].missing


def test_escalation_fails_with_nobody_above_the_primary(csm):
    sound = sound_account(csm)
    Contact.objects.filter(pk=sound.primary.pk).update(reports_to=None)
    result = results(sound.account)["escalation"]
    assert not result.passed
    assert "Pat Primary" in result.missing


def test_escalation_walks_past_someone_who_left(csm):
    sound = sound_account(csm)
    Contact.objects.filter(pk=sound.boss.pk).update(status="left", left_on=days(-3))
    assert not results(sound.account)["escalation"].passed
    assert results(sound.account, days(-5))["escalation"].passed  # still there five days ago


def test_escalation_needs_a_recent_conversation_and_a_note_is_none(csm):
    sound = sound_account(csm)
    sound.talk.contacts.remove(sound.boss)
    note = InteractionFactory(account=sound.account, kind="note", occurred_at=moment(-2))
    note.contacts.add(sound.boss)
    old = InteractionFactory(account=sound.account, kind="call", occurred_at=moment(-120))
    old.contacts.add(sound.boss)
    result = results(sound.account)["escalation"]
    assert not result.passed
    assert result.reason.startswith("No conversation with Bea Boss")
    assert f"{fundamentals.ESCALATION_DAYS} days" in result.missing


def test_the_plan_must_reach_the_renewal(csm):
    sound = sound_account(csm)
    Touchpoint.objects.filter(account=sound.account, name="Renewal review").delete()
    result = results(sound.account)["plan"]
    assert not result.passed and "renewal" in result.missing


def test_a_recent_miss_fails_the_plan_and_an_old_one_under_the_threshold_does_not(csm):
    sound = sound_account(csm)
    start = sound.kept.term_start
    missed = Touchpoint.objects.create(account=sound.account, term_start=start, source="plan", name="Check-in",
                                       due_date=days(-30), status=TouchpointStatus.MISSED, closed_on=days(-16))
    assert not results(sound.account)["plan"].passed
    assert "Check-in" in results(sound.account)["plan"].reason
    Touchpoint.objects.filter(pk=missed.pk).update(due_date=days(-95), closed_on=days(-81))
    Touchpoint.objects.create(account=sound.account, term_start=start, source="plan", name="Review", due_date=days(-70),
                              status=TouchpointStatus.KEPT, closed_on=days(-70))
    Touchpoint.objects.create(account=sound.account, term_start=start, source="plan", name="Pulse", due_date=days(-150),
                              status=TouchpointStatus.KEPT, closed_on=days(-150))
    assert results(sound.account)["plan"].passed  # 3 kept of 4, miss 81 days ago
    Touchpoint.objects.filter(name="Pulse").update(status=TouchpointStatus.MISSED)
    assert not results(sound.account)["plan"].passed  # 2 of 4 kept: under 70%


def test_without_a_term_there_is_no_plan(csm):
    sound = sound_account(csm)
    sound.account.subscriptions.all().delete()
    assert results(sound.account)["plan"].missing.startswith("A current subscription")


def test_accountability_needs_both_sides(csm):
    sound = sound_account(csm)
    ActionItem.objects.filter(side="vendor").delete()
    result = results(sound.account)["accountability"]
    assert not result.passed and "our team's" in result.missing


def test_accountability_fails_when_the_customer_does_not_keep_theirs(csm):
    sound = sound_account(csm)
    ActionItem.objects.filter(pk=sound.customer_item.pk).update(status="open", done_on=None)
    assert not results(sound.account)["accountability"].passed
    assert "kept 0 of 1" in results(sound.account)["accountability"].reason
    ActionItem.objects.filter(pk=sound.customer_item.pk).update(status="done", done_on=days(-15))
    assert not results(sound.account)["accountability"].passed  # done, but after its due date
    ActionItem.objects.filter(pk=sound.customer_item.pk).update(status="done", done_on=days(-20))
    assert results(sound.account)["accountability"].passed


def test_accountability_needs_the_primary_engaged(csm):
    sound = sound_account(csm)
    sound.talk.contacts.remove(sound.primary)
    result = results(sound.account)["accountability"]
    assert not result.passed and "Pat Primary" in result.reason


def test_goals_fail_with_an_open_goal_past_its_date(csm):
    sound = sound_account(csm)
    Goal.objects.filter(pk=sound.goal.pk).update(target_date=days(-3))
    result = results(sound.account)["goals"]
    assert not result.passed and "hit, missed or changed" in result.missing


def test_goals_fail_when_not_reviewed_recently(csm):
    sound = sound_account(csm)
    SuccessPlan.objects.filter(pk=sound.plan.pk).update(reviewed_on=days(-200))
    result = results(sound.account)["goals"]
    assert not result.passed and result.reason == f"Goals not reviewed since {days(-200).isoformat()}."
    Goal.objects.create(plan=sound.plan, title="Old goal", status="hit", target_date=days(-20), closed_on=days(-15))
    assert results(sound.account)["goals"].passed  # a goal closed recently is a known hit


def test_nothing_after_the_day_is_used(csm):
    sound = sound_account(csm)
    as_of = days(-40)
    found = results(sound.account, as_of)
    assert not found["escalation"].passed  # the meeting was 10 days ago, after the day read
    assert not found["goals"].passed  # reviewed 10 days ago: after the day
    assert found["accountability"].passed is False


def test_the_facts_feed_the_factors(csm):
    sound = sound_account(csm)
    Contact.objects.filter(pk=sound.primary.pk).update(reports_to=None)
    facts = fundamental_facts([sound.account.pk], as_of=days(0))[sound.account.pk]
    assert facts["fundamentals.escalation_path"].value == 0.0
    assert "Missing:" in facts["fundamentals.escalation_path"].note
    assert facts["fundamentals.plan_kept"].value == 1.0
    assert facts["fundamentals.accountability"].value == 1.0
    assert set(facts) == set(fundamentals.FACT_KEYS.values())


def test_a_fixed_number_of_queries(csm):
    first = sound_account(csm, "One").account.pk
    with CaptureQueriesContext(connection) as one:
        evaluate([first], as_of=days(0))
    ids = [sound_account(csm, f"Many {i}").account.pk for i in range(4)]
    with CaptureQueriesContext(connection) as many:
        found = evaluate(ids, as_of=days(0))
    assert len(found) == 4 and all(all(r.passed for r in rs) for rs in found.values())
    assert len(many) == len(one) <= 12


def test_an_account_with_nothing_to_read_feeds_no_fact_but_still_fails(csm):
    bare = AccountFactory(owner=csm)
    found = {r.key: r for r in evaluate([bare.pk], as_of=days(0))[bare.pk]}
    assert found["availability"].passed  # no open need
    assert not any(r.passed for k, r in found.items() if k != "availability")
    assert fundamental_facts([bare.pk], as_of=days(0))[bare.pk] == {}
