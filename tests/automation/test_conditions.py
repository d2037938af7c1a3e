"""What holds a firing back: conditions (with properties checked by hypothesis), dedupe by cause,
snoozes and the frequency cap; and the errors of a rule's definition naming their place."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from paceline.automation import conditions, engine, services
from paceline.automation.models import Firing, FiringStatus
from paceline.core.services import Actor
from paceline.customers.models import Segment, Task
from tests.automation.helpers import emit, events
from tests.factories import AccountFactory

SEGMENTS = st.sampled_from(Segment.values)
NUMBERS = st.one_of(st.integers(-10**9, 10**9), st.decimals(-10**6, 10**6, places=2, allow_nan=False))


@given(actual=st.one_of(st.none(), SEGMENTS), chosen=st.lists(SEGMENTS, min_size=1, unique=True))
def test_in_and_not_in_are_complements(actual, chosen):
    row = {"segment": actual}
    inside = conditions.holds(conditions.clean([{"field": "segment", "op": "in", "value": chosen}])[0], row)
    outside = conditions.holds(conditions.clean([{"field": "segment", "op": "not_in", "value": chosen}])[0], row)
    assert inside != outside
    assert inside == (actual in chosen)


@given(actual=NUMBERS, bound=NUMBERS)
def test_gte_and_lt_are_complements_on_numbers(actual, bound):
    row = {"arr": Decimal(str(actual))}
    at_least = conditions.holds(conditions.clean([{"field": "arr", "op": "gte", "value": str(bound)}])[0], row)
    below = conditions.holds(conditions.clean([{"field": "arr", "op": "lt", "value": bound}])[0], row)
    assert at_least != below
    assert at_least == (Decimal(str(actual)) >= Decimal(str(bound)))


@given(actual=st.one_of(st.none(), st.text(max_size=5)), value=st.text(max_size=5))
def test_eq_and_ne_are_complements(actual, value):
    row = {"industry": actual}
    eq = conditions.holds({"field": "industry", "op": "eq", "value": value}, row)
    ne = conditions.holds({"field": "industry", "op": "ne", "value": value}, row)
    assert eq != ne


def test_an_account_without_a_value_is_neither_above_nor_below():
    row = {"arr": None}
    assert not any(conditions.holds({"field": "arr", "op": op, "value": "0"}, row) for op in ("gte", "lt", "gt", "lte"))
    assert conditions.holds({"field": "arr", "op": "empty", "value": None}, row)


def test_clean_names_the_field_op_and_value_in_error():
    with pytest.raises(ValidationError) as caught:
        conditions.clean([
            {"field": "segment", "op": "eq", "value": "enterprise"},
            {"field": "colour", "op": "eq", "value": "red"},
            {"field": "arr", "op": "about", "value": 1},
            {"field": "arr", "op": "gte", "value": "lots"},
            {"field": "segment", "op": "gt", "value": "smb"},
            {"field": "tier", "op": "in", "value": []},
        ])
    errors = caught.value.message_dict
    assert set(errors) == {"conditions[2].field", "conditions[3].op", "conditions[4].value", "conditions[5].value",
                           "conditions[6].value"}
    assert "Use a number" in errors["conditions[4].value"][0]
    assert "not a number" in errors["conditions[5].value"][0]


@pytest.mark.django_db
def test_rule_clean_names_trigger_and_action_params():
    with pytest.raises(ValidationError) as caught:
        services.rule_clean({
            "trigger": "no_interaction", "trigger_params": {"days": 0, "colour": "red"},
            "actions": [{"type": "create_task", "params": {"title": "ok"}},
                        {"type": "create_task", "params": {"due_in_days": "soon"}},
                        {"type": "notify", "params": {"channel": "nowhere"}},
                        {"type": "teleport"}],
        })
    errors = caught.value.message_dict
    assert set(errors) == {"trigger_params.days", "trigger_params.colour", "actions[2].params.title",
                           "actions[2].params.due_in_days", "actions[3].params.channel", "actions[4].type"}
    assert errors["trigger_params.days"] == ["Use at least 1."]
    with pytest.raises(ValidationError) as empty:
        services.rule_clean({"trigger": "nope", "actions": []})
    assert set(empty.value.message_dict) == {"trigger", "actions"}


# Held back on real rows -----------------------------------------------------------------------

db_test = pytest.mark.django_db


def usage_drop(account, week):
    return emit("usage.weekly_change", account, payload={"metric": "active_users", "week": week, "previous": 100,
                                                          "current": 50, "change_pct": -50})


@db_test
def test_the_same_cause_fires_once(make_rule):
    account = AccountFactory()
    rule = make_rule("usage_dropped")
    usage_drop(account, "2026-W01")
    first = engine.evaluate_events(events("usage.weekly_change"))
    usage_drop(account, "2026-W01")  # reported again later: the same cause
    second = engine.evaluate_events(events("usage.weekly_change"))
    assert (first.fired, second.fired, second.skipped["duplicate"]) == (1, 0, 1)
    assert rule.firings.count() == 1 and Task.objects.count() == 1


@db_test
def test_a_snooze_holds_until_its_day_and_no_longer(make_rule, csm):
    account = AccountFactory()
    rule = make_rule("usage_dropped")
    today = timezone.localdate()
    services.snooze_set(actor=Actor(csm), rule=rule, account=account, until=today)
    usage_drop(account, "2026-W01")

    held = engine.evaluate_events(events("usage.weekly_change"))
    after = engine.evaluate_events(events("usage.weekly_change"), now=timezone.now() + dt.timedelta(days=1))

    assert (held.skipped["snoozed"], held.fired) == (1, 0)
    assert after.fired == 1 and rule.firings.get().status == FiringStatus.DONE
    with pytest.raises(ValidationError) as past:
        services.snooze_set(actor=Actor(csm), rule=rule, account=account, until=today - dt.timedelta(days=1))
    assert "until" in past.value.message_dict


@db_test
def test_the_cap_logs_held_back_firings_without_actions_and_lets_go_after_its_days(make_rule):
    account = AccountFactory()
    rule = make_rule("usage_dropped", cap_count=2, cap_days=7)
    for week in ("2026-W01", "2026-W02", "2026-W03"):
        usage_drop(account, week)

    summary = engine.evaluate_events(events("usage.weekly_change"))

    assert (summary.fired, summary.capped) == (2, 1)
    capped = rule.firings.get(status=FiringStatus.CAPPED)
    assert capped.outcome == [] and capped.cause == "usage:active_users:2026-W03"
    assert Task.objects.count() == 2
    usage_drop(account, "2026-W04")
    assert engine.evaluate_events(events("usage.weekly_change")[-1:]).capped == 1
    later = engine.evaluate_events(events("usage.weekly_change")[-1:], now=timezone.now() + dt.timedelta(days=8))
    assert later.skipped["duplicate"] == 1  # a capped cause is logged, so it does not come back
    usage_drop(account, "2026-W05")
    assert engine.evaluate_events(events("usage.weekly_change")[-1:], now=timezone.now() + dt.timedelta(days=8)).fired == 1
    assert Firing.objects.filter(rule=rule, status=FiringStatus.DONE).count() == 3


@db_test
def test_conditions_filter_on_account_fields(make_rule):
    big = AccountFactory(segment="enterprise", arr=Decimal("250000"))
    small = AccountFactory(segment="enterprise", arr=Decimal("9000"))
    rule = make_rule("usage_dropped", conditions=[{"field": "segment", "op": "in", "value": "enterprise, mid_market"},
                                                  {"field": "arr", "op": "gte", "value": "100000"}])
    usage_drop(big, "2026-W01")
    usage_drop(small, "2026-W01")

    summary = engine.evaluate_events(events("usage.weekly_change"))

    assert (summary.fired, summary.skipped["condition"]) == (1, 1)
    assert rule.firings.get().account == big
