"""The registry of usage metrics, checked by hand on small cases through the whole job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pytest

from paceline.customers.models import SubscriptionStatus
from paceline.usage import compute, metrics_plan
from paceline.usage.metrics import METRICS, METRICS_BY_KEY, WINDOWS
from paceline.usage.models import (
    AccountFeatureWeek,
    AccountUsageDay,
    AccountUserActivity,
    KeyFeature,
    UnmatchedGroup,
)
from tests.factories import AccountFactory, SubscriptionFactory
from tests.usage.metrics_data import Ev, write

D0 = dt.date(2026, 3, 2)  # a Monday


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def usage_dir(settings, tmp_path):
    settings.USAGE_DIR = tmp_path / "usage"
    return settings.USAGE_DIR


@pytest.fixture
def acme(db):
    return AccountFactory(name="Acme", external_id="acme")


def rows(account) -> dict[dt.date, AccountUsageDay]:
    return {r.day: r for r in AccountUsageDay.objects.filter(account=account)}


def test_every_metric_is_a_column_of_the_daily_snapshot():
    columns = {f.name for f in AccountUsageDay._meta.get_fields()}
    assert {m.key for m in METRICS} <= columns
    assert len(METRICS_BY_KEY) == len(METRICS)
    assert len({w.name for w in WINDOWS}) == len(WINDOWS)


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.key)
def test_every_metric_compiles_for_postgresql(metric):
    sql = ibis.to_sql(metrics_plan.metric_expr(metrics_plan.unbound_inputs(), metric), dialect="postgres")
    assert f'"{metric.key}"' in sql
    assert "SUM(" in sql and "OVER" in sql  # the running sums, not a per-day self-join


@pytest.mark.parametrize("build", [metrics_plan.feature_weeks, metrics_plan.user_activity,
                                   metrics_plan.unmatched_groups])
def test_the_other_snapshots_compile_for_postgresql(build):
    assert "SELECT" in ibis.to_sql(build(metrics_plan.unbound_inputs()), dialect="postgres")


def test_active_users_count_each_user_once_inside_windows_that_end_on_the_day(acme):
    # u1 on days 0 and 5, u2 on day 3 (twice), u3 on day 10.
    write([Ev(day(0), "acme", "u1"), Ev(day(5), "acme", "u1"), Ev(day(3), "acme", "u2"),
           Ev(day(3), "acme", "u2", hour=15), Ev(day(10), "acme", "u3")])
    compute.usage_compute(today=day(40))
    r = rows(acme)
    assert min(r) == day(0) and max(r) == day(40) and len(r) == 41  # dense from the first activity
    assert [r[day(n)].active_1d for n in (0, 1, 3, 5, 10)] == [1, 0, 1, 1, 1]
    assert r[day(3)].events == 2 and r[day(4)].events == 0
    assert r[day(6)].active_7d == 2  # u1 (5), u2 (3); day 0 still in [0, 6] but u1 counted once
    assert r[day(9)].active_7d == 2  # u1 (5), u2 (3): window [3, 9]
    assert r[day(10)].active_7d == 2  # window [4, 10]: u1 (5), u3 (10); u2 fell out
    assert r[day(12)].active_7d == 1  # window [6, 12]: u3 only
    assert r[day(10)].active_30d == 3
    assert r[day(32)].active_30d == 3  # window [3, 32]: u2 (3) on its first day, u1 (5), u3
    assert r[day(33)].active_30d == 2  # [4, 33]: u1 (5), u3
    assert r[day(35)].active_30d == 1  # [6, 35]: u3
    assert r[day(39)].active_30d == 1 and r[day(40)].active_30d == 0  # u3 (10): last in [10, 39]
    assert r[day(10)].events_30d == 5 and r[day(33)].events_30d == 2


def test_stickiness_and_events_per_user_are_30_day_averages(acme):
    # u1 every day 0..9 (10 user-days), u2 on day 9 with 3 events.
    write([Ev(day(n), "acme", "u1") for n in range(10)] + [Ev(day(9), "acme", "u2")] * 3)
    compute.usage_compute(today=day(9))
    r = rows(acme)[day(9)]
    assert r.active_30d == 2
    assert r.stickiness == pytest.approx((11 / 10) / 2)  # mean DAU over its 10 days so far / MAU
    write([Ev(day(n), "acme", "u1") for n in range(10, 40)])
    compute.usage_compute(today=day(39))
    later = rows(acme)
    assert later[day(39)].stickiness == pytest.approx((30 / 30) / 1)  # [10, 39]: u1 alone, every day
    assert later[day(29)].stickiness == pytest.approx((30 + 1) / 30 / 2)  # [0, 29]: 30 days old
    assert r.events_30d == 13
    assert r.events_per_user == pytest.approx(13 / 2)


def test_breadth_counts_key_features_used_in_30_days(acme):
    KeyFeature.objects.create(key="reports", name="Reports", event_names=["Report Viewed", "page:Reports"])
    KeyFeature.objects.create(key="export", name="Export", event_names=["Exported"])
    KeyFeature.objects.create(key="alerts", name="Alerts", event_names=["Alert Set"])
    write([Ev(day(0), "acme", "u1", event="page:Reports", type="page"),
           Ev(day(2), "acme", "u2", event="Report Viewed"),
           Ev(day(5), "acme", "u1", event="Exported"),
           Ev(day(5), "acme", "u1", event="Something Else"),
           Ev(day(6), "acme", "u1", event="Alert Set", type="identify")])  # not activity
    compute.usage_compute(today=day(40))
    r = rows(acme)
    assert r[day(0)].breadth == 1 and r[day(0)].breadth_share == pytest.approx(1 / 3)
    assert r[day(5)].breadth == 2 and r[day(5)].breadth_share == pytest.approx(2 / 3)
    assert r[day(31)].breadth == 2  # reports (2) and export (5) both inside [2, 31]
    assert r[day(32)].breadth == 1  # reports' last use (day 2) fell out
    assert r[day(35)].breadth == 0 and r[day(35)].breadth_share == 0.0


def test_breadth_share_is_null_when_no_key_feature_is_defined(acme):
    write([Ev(day(0), "acme", "u1")])
    compute.usage_compute(today=day(1))
    assert {r.breadth for r in rows(acme).values()} == {0}
    assert {r.breadth_share for r in rows(acme).values()} == {None}


def test_utilisation_divides_active_users_by_the_seats_in_force(acme):
    SubscriptionFactory(account=acme, seats=10, start_date=day(0), end_date=day(9))
    SubscriptionFactory(account=acme, seats=5, start_date=day(5), end_date=day(20), arr=Decimal("100"))
    SubscriptionFactory(account=acme, seats=100, start_date=day(0), end_date=day(20),
                        status=SubscriptionStatus.CANCELLED)
    write([Ev(day(0), "acme", f"u{i}") for i in range(3)])
    compute.usage_compute(today=day(25))
    r = rows(acme)
    assert (r[day(0)].seats, r[day(0)].utilisation) == (10, pytest.approx(0.3))
    assert (r[day(5)].seats, r[day(5)].utilisation) == (15, pytest.approx(0.2))
    assert (r[day(9)].seats, r[day(10)].seats) == (15, 5)  # end dates are inclusive
    assert r[day(20)].seats == 5 and r[day(21)].seats is None
    assert r[day(21)].utilisation is None


def test_trend_compares_with_the_30_days_before_and_is_null_without_a_base(acme):
    # Days 0..29: u1, u2. Days 30..59: u1, u3, u4.
    write([Ev(day(0), "acme", "u1"), Ev(day(10), "acme", "u2"),
           Ev(day(31), "acme", "u1"), Ev(day(40), "acme", "u3"), Ev(day(59), "acme", "u4")])
    compute.usage_compute(today=day(70))
    r = rows(acme)
    assert r[day(29)].trend_30d is None  # nothing before day 0
    assert r[day(59)].active_30d == 3
    assert r[day(59)].trend_30d == pytest.approx((3 - 2) / 2)
    assert r[day(40)].trend_30d == 0.0  # [11, 40]: u1, u3 against [-19, 10]: u1, u2
    assert r[day(70)].active_30d == 1 and r[day(70)].trend_30d == pytest.approx((1 - 2) / 2)  # u4 vs u1, u3


def test_days_since_last_activity_counts_from_the_last_active_day(acme):
    other = AccountFactory(external_id="quiet")
    write([Ev(day(0), "acme", "u1"), Ev(day(3), "acme", "u2"), Ev(day(4), "acme", "u2"),  # two days running
           Ev(day(1), "quiet", "u9", type="identify")])  # an identify is not activity
    compute.usage_compute(today=day(100))
    r = rows(acme)
    assert [r[day(n)].days_since_last for n in (0, 1, 3, 4, 5, 100)] == [0, 1, 0, 0, 1, 96]
    assert not AccountUsageDay.objects.filter(account=other).exists()  # no activity, no rows


def test_unmatched_groups_collect_the_events_of_unknown_accounts(acme):
    write([Ev(day(0), "acme", "u1"),
           Ev(day(1), "ghost", "g1"), Ev(day(4), "ghost", "g2"), Ev(day(4), "ghost", "g2", type="identify"),
           Ev(day(2), "", "anon:1", type="page", event="page:Home")])
    compute.usage_compute(today=day(5))
    found = {u.group_id: (u.events, u.users, u.first_seen, u.last_seen) for u in UnmatchedGroup.objects.all()}
    assert found == {"ghost": (3, 2, day(1), day(4)), "": (1, 1, day(2), day(2))}
    assert set(AccountUsageDay.objects.values_list("account__external_id", flat=True)) == {"acme"}


def test_user_activity_lists_the_users_of_the_last_30_days(acme):
    write([Ev(day(0), "acme", "old"), Ev(day(10), "acme", "u1"), Ev(day(35), "acme", "u1"),
           Ev(day(35), "acme", "u1"), Ev(day(36), "acme", "u1"), Ev(day(5), "acme", "old")])
    compute.usage_compute(today=day(40))
    users = {u.user_id: u for u in AccountUserActivity.objects.filter(account=acme)}
    assert set(users) == {"u1"}  # "old" was last seen on day 5, before [11, 40]
    u1 = users["u1"]
    assert (u1.as_of, u1.first_seen, u1.last_seen) == (day(40), day(10), day(36))
    assert (u1.active_days_30d, u1.events_30d) == (2, 3)


def test_feature_adoption_is_users_of_the_feature_over_active_users_per_iso_week(acme):
    KeyFeature.objects.create(key="export", name="Export", event_names=["Exported"])
    write([Ev(day(0), "acme", "u1", event="Exported"), Ev(day(6), "acme", "u2"),  # week of day 0
           Ev(day(1), "acme", "u3"), Ev(day(7), "acme", "u2", event="Exported")])  # day 7: next Monday
    compute.usage_compute(today=day(8))
    weeks = {(w.feature, w.week): (w.users, w.share) for w in AccountFeatureWeek.objects.filter(account=acme)}
    assert weeks == {("export", day(0)): (1, pytest.approx(1 / 3)), ("export", day(7)): (1, 1.0)}
