"""The demo's product usage: a small book's events (no database) are shaped by each account's fate,
and the demo step writes them once to the event store, with the key features and the daily metrics."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from paceline.ops.demo import DemoConfig, World, company, load_demo
from paceline.ops.demo import usage_catalogue as cat
from paceline.ops.demo.usage import events_target
from paceline.ops.demo.usage_events import DAY_MS, EPOCH, account_spec, generate
from paceline.usage import store
from paceline.usage.models import AccountUsageDay, KeyFeature
from tests.ops.conftest import ANCHOR

EVENTS = 200_000
ANCHOR_DAY = (ANCHOR - EPOCH).days


def book_specs(accounts: int = 160, seed: int = 2):
    world = World(DemoConfig(accounts=accounts, anchor=ANCHOR, seed=seed))
    return [account_spec(a, world.rng("usage", a.index).getrandbits(63)) for a in company.plan(world)]


@pytest.fixture(scope="module")
def specs():
    return book_specs()


@pytest.fixture(scope="module")
def events(specs):
    return generate(specs, anchor=ANCHOR, target=EVENTS, seed=2)


def offsets(events) -> np.ndarray:
    """Each event's day, as an offset from the anchor."""
    return events.ts // DAY_MS - ANCHOR_DAY


def per_day(events, position: int, lo: int, hi: int) -> float:
    """An account's events per day over the days [lo, hi)."""
    days = offsets(events)[events.group == position]
    return ((days >= lo) & (days < hi)).sum() / (hi - lo)


def test_the_tables_have_the_store_schema_and_unique_message_ids(events):
    table = pa.concat_tables(t for _, t in events.month_tables())
    assert table.schema == store.EVENT_SCHEMA
    assert table.num_rows == len(events)
    assert abs(len(events) - EVENTS) < 0.05 * EVENTS
    assert len(set(table["message_id"].to_pylist())) == table.num_rows
    assert table["received_at"].equals(table["ts"])
    assert set(table["event"].to_pylist()) <= {e.name for e in cat.EVENTS}
    assert set(table["type"].to_pylist()) == {"track", "page"}
    assert all(u.startswith("u-demo-") for u in table["user_id"].unique().to_pylist())


def test_each_months_table_holds_that_month_in_the_stores_order(events):
    for month, table in events.month_tables():
        assert set(pa.compute.strftime(table["ts"], format="%Y-%m").unique().to_pylist()) == {month}
        assert table.equals(table.sort_by(store.SORT_KEYS))


def test_weekdays_are_busier_than_weekends_and_monday_to_thursday_the_busiest(events):
    weekday = (ANCHOR.weekday() + offsets(events)) % 7
    counts = np.bincount(weekday, minlength=7)
    assert min(counts[:4]) > counts[4] > 3 * max(counts[5:])


def test_events_fall_within_each_accounts_lifetime_and_the_two_years(specs, events):
    days = offsets(events)
    assert days.min() >= -729 and days.max() <= 0
    for position, spec in enumerate(specs):
        mine = days[events.group == position]
        if len(mine):
            assert mine.min() >= spec.start and mine.max() < spec.end


def test_churned_accounts_use_less_in_the_90_days_before_they_go(specs, events):
    churned = [(i, s) for i, s in enumerate(specs) if s.end <= 0 and s.end - 300 >= max(s.start, -729) + 60]
    assert len(churned) >= 5
    before = [per_day(events, i, s.end - 300, s.end - 210) for i, s in churned]
    last = [per_day(events, i, s.end - 90, s.end) for i, s in churned]
    assert sum(last) < 0.5 * sum(before)
    busy = [(a, b) for a, b in zip(last, before, strict=True) if b >= 0.5]  # a small book's SMBs are noise
    assert len(busy) >= 3 and sum(a < b for a, b in busy) >= 0.8 * len(busy)


def test_new_accounts_ramp_up_after_their_first_contract(specs, events):
    fresh = [(i, s) for i, s in enumerate(specs) if -600 < s.start < -200 and s.end > s.start + 200]
    assert len(fresh) >= 3
    first = sum(per_day(events, i, s.start, s.start + 14) for i, s in fresh)
    settled = sum(per_day(events, i, s.start + 150, s.start + 178) for i, s in fresh)
    assert first < 0.5 * settled


def test_enterprise_sessions_reach_for_reports_admin_and_integrations_more_than_smb(specs, events):
    advanced = np.array([e.feature in ("reports", "admin", "integrations") for e in cat.EVENTS])
    segment = np.array([s.segment for s in specs] + [-1] * (len(events.groups) - len(specs)))[events.group]
    share = [advanced[events.code[segment == s]].mean() for s in (0, 2)]
    assert share[1] > 2 * share[0]


def test_a_small_share_of_events_has_no_or_an_unknown_group(specs, events):
    unmatched = events.group >= len(specs)
    assert 0.001 < unmatched.mean() < 0.004
    assert {events.groups[g] for g in np.unique(events.group[unmatched])} == {"", *cat.UNKNOWN_GROUPS}


def test_the_same_seed_gives_the_same_events_and_another_seed_does_not():
    few = book_specs(accounts=12)
    first, again = (generate(few, anchor=ANCHOR, target=20_000, seed=2) for _ in range(2))
    other = generate(book_specs(accounts=12, seed=7), anchor=ANCHOR, target=20_000, seed=7)
    for column in ("ts", "group", "user", "code"):
        assert np.array_equal(getattr(first, column), getattr(again, column))
    assert first.users == again.users
    assert len(first) != len(other) or not np.array_equal(first.ts, other.ts)


def test_the_number_of_events_is_per_default_book_and_set_by_the_environment(monkeypatch):
    monkeypatch.delenv("PACELINE_DEMO_EVENTS", raising=False)
    assert events_target(500) == 20_000_000
    monkeypatch.setenv("PACELINE_DEMO_EVENTS", "1_000_000")
    assert events_target(50) == 100_000
    monkeypatch.setenv("PACELINE_DEMO_EVENTS", "many")
    with pytest.raises(ImproperlyConfigured):
        events_target(500)


@pytest.mark.django_db
def test_the_step_writes_the_events_once_defines_key_features_and_computes_the_metrics(monkeypatch):
    monkeypatch.setenv("PACELINE_DEMO_EVENTS", str(EVENTS * 500 // 12 // 4))  # 50k for 12 accounts
    for _ in range(2):  # a reload replaces the events, never adds to them
        with transaction.atomic():
            report = load_demo(DemoConfig(accounts=12, anchor=ANCHOR))
            keys = set(KeyFeature.objects.values_list("key", flat=True))
            computed = AccountUsageDay.objects.filter(day=ANCHOR).count()
            transaction.set_rollback(True)
        stored = sum(pq.read_metadata(f).num_rows for f in store.event_files())
        assert stored == report.counts["usage"] == pytest.approx(EVENTS // 4, rel=0.1)
    assert keys == {f.key for f in cat.FEATURES}
    assert report.counts["usage_key_features"] == len(cat.FEATURES)
    assert computed > 0
