"""Every trigger of the registry, fed by the events the real services emit (or the documented
payload where the emitting app lands later), and the scheduled scans over the book."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paceline.automation import engine, triggers
from paceline.automation.models import Firing
from paceline.core.models import ActivityEvent
from paceline.core.services import Actor
from paceline.customers import services as customer_services
from paceline.customers.models import ContactStatus
from paceline.engagement import services as engagement_services
from tests.automation.helpers import emit, events
from tests.factories import AccountFactory, ContactFactory, InteractionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def causes(rule) -> list[str]:
    return sorted(Firing.objects.filter(rule=rule).values_list("cause", flat=True))


def test_every_registered_trigger_is_covered_here():
    assert set(triggers.TRIGGERS) == {
        "health_changed", "usage_dropped", "key_contact_left", "commitment_missed", "touchpoint_missed",
        "survey_answered", "goal_behind", "entered_segment_or_stage", "no_interaction", "renewal_in"}


def test_key_contact_left_fires_on_a_departed_champion_not_on_an_end_user(make_rule, leader):
    account = AccountFactory()
    rule = make_rule("key_contact_left")
    champion = ContactFactory(account=account, name="Jane Roe", roles=["champion"])
    user = ContactFactory(account=account, name="Ed User", roles=["end_user"])
    yesterday = TODAY() - dt.timedelta(days=1)
    for contact in (champion, user):
        customer_services.contact_update(actor=Actor(leader), contact=contact, status=ContactStatus.LEFT, left_on=yesterday)

    summary = engine.evaluate_events(events("contact.departed"))

    assert summary.fired == 1 and causes(rule) == [f"contact:{champion.pk}:left"]
    assert Firing.objects.get(rule=rule).why == {"contact": "Jane Roe", "roles": ["champion"],
                                                  "left_on": yesterday.isoformat()}


def test_a_departure_dated_long_ago_is_stale_and_fires_nothing(make_rule, leader):
    rule = make_rule("key_contact_left")
    contact = ContactFactory(roles=["champion"])
    old = TODAY() - engine.MAX_EVENT_AGE - dt.timedelta(days=2)
    customer_services.contact_update(actor=Actor(leader), contact=contact, status=ContactStatus.LEFT, left_on=old)

    summary = engine.evaluate_events(events("contact.departed"))

    assert (summary.fired, summary.skipped["stale"]) == (0, 1)
    assert not rule.firings.exists()


def test_survey_answered_filters_on_band_and_kind(make_rule):
    account = AccountFactory()
    rule = make_rule("survey_answered", trigger_params={"band": "detractor", "survey_kind": "nps"})
    payload = {"survey_id": 1, "survey_kind": "nps", "contact_id": None, "campaign_id": None, "source": "link",
               "sentiment": ""}
    emit("survey.responded", account, subject="surveys.response:11", payload={**payload, "score": 3, "band": "detractor"})
    emit("survey.responded", account, subject="surveys.response:12", payload={**payload, "score": 9, "band": "promoter"})
    emit("survey.responded", account, subject="surveys.response:13",
         payload={**payload, "survey_kind": "csat", "score": 1, "band": "detractor"})

    assert engine.evaluate_events(events("survey.responded")).fired == 1
    assert causes(rule) == ["response:11"]
    assert Firing.objects.get(rule=rule).why["score"] == 3


def test_a_missed_customer_commitment_fires_and_our_own_does_not(make_rule):
    account = AccountFactory()
    rule = make_rule("commitment_missed")
    payload = {"title": "Send the user list", "side": "customer", "due_on": "2026-01-05", "owner": "Jane",
               "owner_contact_id": None, "goal": "Roll out to sales"}
    emit("success.commitment_missed.customer", account, subject="success.actionitem:7", payload=payload)
    emit("success.commitment_missed.vendor", account, subject="success.actionitem:8", payload={**payload, "side": "vendor"})

    assert engine.evaluate_events(events("success.commitment_missed.customer")
                                  + events("success.commitment_missed.vendor")).fired == 1
    firing = Firing.objects.get(rule=rule)
    assert firing.cause == "commitment:7" and firing.why["commitment"] == "Send the user list"
    assert firing.why["goal"] == "Roll out to sales"


def test_a_goal_behind_pace_fires_once_per_metric_and_day(make_rule):
    account = AccountFactory()
    rule = make_rule("goal_behind")
    payload = {"metric": "Weekly active users", "goal": "Adoption", "from": "on_track", "to": "behind", "rule": "r"}
    emit("success.metric_behind_pace", account, subject="success.successmetric:5", payload=payload)
    emit("success.metric_behind_pace", account, subject="success.successmetric:5", payload={**payload, "to": "at_risk"})

    summary = engine.evaluate_events(events("success.metric_behind_pace"))

    assert summary.fired == 1 and causes(rule) == [f"metric:5:{TODAY().isoformat()}"]


def test_touchpoint_missed_from_the_daily_check(make_rule, leader, csm):
    account = AccountFactory(owner=csm)
    rule = make_rule("touchpoint_missed")
    tp = engagement_services.touchpoint_create(actor=Actor(leader), account=account, name="Quarterly review",
                                               due_date=TODAY() - dt.timedelta(days=5), window_days=3)
    assert engagement_services.touchpoints_check_missed() == 1

    assert engine.evaluate_events(events("touchpoint.missed")).fired == 1
    firing = Firing.objects.get(rule=rule)
    assert firing.cause == f"touchpoint:{tp.pk}" and firing.why["touchpoint"] == "Quarterly review"


@pytest.mark.parametrize(("field", "value", "change", "fires"), [
    ("stage", "renewal", {"lifecycle_stage": "renewal"}, True),
    ("stage", "renewal", {"lifecycle_stage": "maturity"}, False),
    ("stage", "", {"lifecycle_stage": "maturity"}, True),
    ("segment", "enterprise", {"segment": "enterprise"}, True),
    ("segment", "", {"lifecycle_stage": "renewal"}, False),
])
def test_entering_a_stage_or_segment(make_rule, leader, field, value, change, fires):
    account = AccountFactory(segment="smb", lifecycle_stage="adoption")
    rule = make_rule("entered_segment_or_stage", trigger_params={"field": field, "value": value})
    customer_services.account_update(actor=Actor(leader), account=account, **change)
    found = events("account.stage_changed") + events("account.segment_changed")

    assert engine.evaluate_events(found).fired == int(fires)
    if fires:
        assert rule.firings.get().why[field].endswith(f"→ {next(iter(change.values()))}")


def test_health_band_drop_and_model(make_rule):
    account = AccountFactory()
    into_red = make_rule("health_changed", trigger_params={"band_to": "red"})
    dropped = make_rule("health_changed", trigger_params={"drop_by": 10, "model": "renewal"})

    def score(pk, model, s_from, s_to, b_from, b_to):
        emit("health.score_changed", account, subject=f"health.score:{pk}", payload={
            "model": model, "score_from": s_from, "score_to": s_to, "band_from": b_from, "band_to": b_to})

    score(1, "adoption", 55, 45, "yellow", "red")   # into red; a 10-point drop but of another model
    score(2, "renewal", 40, 35, "red", "red")      # already red; 5 points
    score(3, "renewal", 80, 68, "green", "yellow")  # 12 points on renewal
    engine.evaluate_events(events("health.score_changed"))

    assert [e.split(":")[1] for e in causes(into_red)] == [str(events("health.score_changed")[0].pk)]
    assert [e.split(":")[1] for e in causes(dropped)] == [str(events("health.score_changed")[2].pk)]
    assert dropped.firings.get().why["score"] == "80 → 68"


def test_usage_drop_by_metric_once_per_week(make_rule):
    account = AccountFactory()
    rule = make_rule("usage_dropped", trigger_params={"drop_pct": 30, "metric": "active_users"})

    def week(metric, wk, change):
        emit("usage.weekly_change", account, payload={"metric": metric, "week": wk, "previous": 100,
                                                       "current": 100 + change, "change_pct": change})

    week("active_users", "2026-W10", -40)
    week("active_users", "2026-W10", -45)  # the same week reported again
    week("active_users", "2026-W11", -10)
    week("logins", "2026-W10", -60)
    engine.evaluate_events(events("usage.weekly_change"))

    assert causes(rule) == ["usage:active_users:2026-W10"]
    assert rule.firings.get().why["change"] == "-45%"  # the latest data wins


def test_renewal_in_fires_once_per_renewal_date_and_again_for_a_new_one(make_rule):
    rule = make_rule("renewal_in", trigger_params={"days": 60})
    soon = AccountFactory(next_renewal_date=TODAY() + dt.timedelta(days=45), arr=50000)
    AccountFactory(next_renewal_date=TODAY() + dt.timedelta(days=120))
    AccountFactory(next_renewal_date=TODAY() + dt.timedelta(days=10), lifecycle_stage="churned")

    first = engine.evaluate_scheduled()
    second = engine.evaluate_scheduled(today=TODAY() + dt.timedelta(days=1))
    assert (first.fired, second.fired, second.skipped["duplicate"]) == (1, 0, 1)
    assert rule.firings.get().why["days_to_renewal"] == 45

    renewed = TODAY() + dt.timedelta(days=30)
    soon.next_renewal_date = renewed
    soon.save(update_fields=["next_renewal_date"])
    assert engine.evaluate_scheduled().fired == 1
    assert f"renewal:{renewed.isoformat()}" in causes(rule) and len(causes(rule)) == 2


def test_no_interaction_ignores_notes_and_fires_once_per_silence(make_rule):
    rule = make_rule("no_interaction", trigger_params={"days": 30})
    quiet = AccountFactory()
    InteractionFactory(account=quiet, kind="call", occurred_at=timezone.now() - dt.timedelta(days=40))
    InteractionFactory(account=quiet, kind="note", occurred_at=timezone.now() - dt.timedelta(days=1))
    talking = AccountFactory()
    InteractionFactory(account=talking, kind="meeting", occurred_at=timezone.now() - dt.timedelta(days=5))
    AccountFactory()  # new, never talked to: not yet 30 days old

    assert engine.evaluate_scheduled().fired == 1
    assert engine.evaluate_scheduled(today=TODAY() + dt.timedelta(days=2)).fired == 0  # the same silence
    firing = rule.firings.get()
    assert firing.account == quiet and firing.why["days_quiet"] == 40

    InteractionFactory(account=quiet, kind="email", occurred_at=timezone.now())
    assert engine.evaluate_scheduled().fired == 0
    later = engine.evaluate_scheduled(today=TODAY() + dt.timedelta(days=31))
    assert rule.firings.filter(account=quiet).count() == 2
    assert later.fired == 3  # the new silence at Quiet, Talking's silence, and the account never talked to
    assert f"silent-since:{TODAY().isoformat()}" in causes(rule) and "silent-since:never" in causes(rule)


def test_days_are_counted_in_the_configured_time_zone(make_rule, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # UTC+9: early morning there is the day before in UTC
    rule = make_rule("no_interaction", trigger_params={"days": 30})
    goal = make_rule("goal_behind")
    account = AccountFactory()
    today = timezone.localdate()
    early = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=40), dt.time(3)))
    InteractionFactory(account=account, kind="call", occurred_at=early)
    emit("success.metric_behind_pace", account, subject="success.successmetric:9",
         payload={"metric": "m", "goal": "g", "from": "on_track", "to": "behind"})
    ActivityEvent.objects.update(occurred_at=timezone.make_aware(dt.datetime.combine(today, dt.time(2))))

    engine.evaluate_scheduled()
    engine.evaluate_events(events("success.metric_behind_pace"))

    assert rule.firings.get().why == {"last_conversation": (today - dt.timedelta(days=40)).isoformat(), "days_quiet": 40}
    assert causes(goal) == [f"metric:9:{today.isoformat()}"]
