"""Health reads product usage from the daily snapshots, as known on the day, and never stale data."""

from __future__ import annotations

import datetime as dt

from paceline.health.facts import gather
from paceline.usage.models import AccountUsageDay
from tests.factories import AccountFactory

DAY = dt.date(2026, 11, 30)


def _snapshot(account, day, **values):
    defaults = {"active_30d": 12, "seats": 40, "utilisation": 0.3, "breadth": 3, "breadth_share": 0.5,
                "trend_30d": -0.25, "stickiness": 0.2, "events_per_user": 30.0, "days_since_last": 0}
    return AccountUsageDay.objects.create(account=account, day=day, **{**defaults, **values})


def test_the_latest_snapshot_on_or_before_the_day_gives_the_usage_facts(db):
    account = AccountFactory()
    _snapshot(account, DAY - dt.timedelta(days=2), utilisation=0.3)
    _snapshot(account, DAY + dt.timedelta(days=1), utilisation=0.9)  # after the day: not known yet
    facts = gather([account.pk], as_of=DAY)[account.pk]
    assert facts["usage.seat_utilisation"].value == 0.3
    assert facts["usage.seat_utilisation"].on == DAY - dt.timedelta(days=2)
    assert facts["usage.seat_utilisation"].note == "12 of 40 seats active in 30 days"
    assert facts["usage.breadth_share"].value == 0.5
    assert facts["usage.active_users_growth"].value == -0.25
    assert facts["usage.days_since_last"].value == 0


def test_a_stale_snapshot_is_no_fact_and_missing_values_stay_missing(db):
    stale, partial = AccountFactory(), AccountFactory()
    _snapshot(stale, DAY - dt.timedelta(days=30))
    _snapshot(partial, DAY, seats=None, utilisation=None, breadth_share=None, trend_30d=None)
    facts = gather([stale.pk, partial.pk], as_of=DAY)
    assert not any(k.startswith("usage.") for k in facts[stale.pk])
    assert "usage.seat_utilisation" not in facts[partial.pk]
    assert "usage.breadth_share" not in facts[partial.pk]
    assert facts[partial.pk]["usage.active_users_30d"].value == 12
