"""Success metrics computed from product usage read the daily snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from paceline.success.sources import get_source
from paceline.usage.models import AccountFeatureWeek, AccountUsageDay
from tests.factories import AccountFactory

DAY = dt.date(2026, 11, 30)


def test_usage_sources_read_the_snapshot_of_the_day_or_nothing(db):
    account = AccountFactory()
    AccountUsageDay.objects.create(account=account, day=DAY - dt.timedelta(days=1), active_30d=18, seats=40,
                                   utilisation=0.45, stickiness=0.2125, breadth=3)
    assert get_source("usage.active_users_30d").compute(account, DAY, {}) == Decimal("18")
    assert get_source("usage.utilisation").compute(account, DAY, {}) == Decimal("45.0")
    assert get_source("usage.stickiness").compute(account, DAY, {}) == Decimal("21.25")
    # Before the snapshot, or a fortnight after it (stale), there is no value: not a zero.
    assert get_source("usage.active_users_30d").compute(account, DAY - dt.timedelta(days=5), {}) is None
    assert get_source("usage.active_users_30d").compute(account, DAY + dt.timedelta(days=14), {}) is None


def test_a_key_features_share_of_users_comes_from_its_latest_week(db):
    account = AccountFactory()
    AccountFeatureWeek.objects.create(account=account, feature="reports", week=DAY - dt.timedelta(days=7),
                                      users=6, share=0.6)
    source = get_source("usage.feature_share")
    assert source.compute(account, DAY, {"feature": "reports"}) == Decimal("60.0")
    assert source.compute(account, DAY, {"feature": "exports"}) is None
