"""The Ibis plan on DuckDB against a tiny pure-Python reference, on random events (hypothesis).

No database: the plan is run on in-memory tables, so this checks the metric definitions alone,
including a computation that starts mid-way (the incremental case) and reads 59 days back.
"""

from __future__ import annotations

import datetime as dt
import math

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paceline.usage import metrics_plan
from paceline.usage.metrics import ACTIVITY_TYPES, METRICS
from tests.usage.metrics_data import Ev, table

BASE = dt.date(2026, 1, 1)
BASE_DN = (BASE - dt.date(1970, 1, 1)).days
SPAN = 80
ACCOUNTS = {"a": 1, "b": 2}
FEATURES = {"f1": {"E1", "page:P"}, "f2": {"E2"}}
SEATS = [(1, 10, 40, 4), (1, 30, 70, 2), (2, 0, 20, 3)]  # (account, start, end, seats) in days from BASE

events_strategy = st.lists(
    st.builds(
        lambda d, g, u, e, t: Ev(BASE + dt.timedelta(days=d), g, u, event=e, type=t),
        st.integers(0, SPAN - 1), st.sampled_from(["a", "b", "x", ""]), st.sampled_from(["u1", "u2", "u3", "u4"]),
        st.sampled_from(["E1", "E2", "E3", "page:P"]), st.sampled_from(["track", "track", "page", "identify"]),
    ),
    min_size=1, max_size=60,
)


def reference(events: list[Ev], *, start: int, today: int) -> dict[tuple[int, int], dict]:
    """The metrics by definition, one day at a time (days are offsets from BASE)."""
    act = [(ACCOUNTS[e.group], (e.day - BASE).days, e.user, e.event) for e in events
           if e.type in ACTIVITY_TYPES and e.group in ACCOUNTS and (e.day - BASE).days <= today]
    out = {}
    for account in ACCOUNTS.values():
        mine = [a for a in act if a[0] == account]
        if not mine:
            continue

        def users(lo, hi, mine=mine):
            return len({u for _, d, u, _ in mine if lo <= d <= hi})

        def events_in(lo, hi, mine=mine):
            return sum(1 for _, d, _, _ in mine if lo <= d <= hi)

        first = min(d for _, d, _, _ in mine)
        for d in range(max(first, start), today + 1):
            a30 = users(d - 29, d)
            before = users(d - 59, d - 30)
            breadth = len({f for _, x, _, e in mine if d - 29 <= x <= d for f, names in FEATURES.items() if e in names})
            seats = sum(s for acc, lo, hi, s in SEATS if acc == account and lo <= d <= hi) or None
            e30 = events_in(d - 29, d)
            out[(account, d)] = {
                "events": events_in(d, d), "active_1d": users(d, d), "active_7d": users(d - 6, d),
                "active_30d": a30, "events_30d": e30,
                "stickiness": (sum(users(x, x) for x in range(d - 29, d + 1)) / min(30, d - first + 1) / a30
                               if a30 else None),
                "events_per_user": e30 / a30 if a30 else None,
                "breadth": breadth, "breadth_share": breadth / len(FEATURES),
                "seats": seats, "utilisation": a30 / seats if seats else None,
                "trend_30d": (a30 - before) / before if before else None,
                "days_since_last": d - max(x for _, x, _, _ in mine if x <= d),
            }
    return out


@pytest.fixture(scope="module")
def con():
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    yield con
    con.disconnect()


def run_plan(con, events: list[Ev], *, start: int, today: int) -> dict[tuple[int, int], dict]:
    lo = start - metrics_plan.LOOKBACK_DAYS
    features = [(k, e) for k, names in FEATURES.items() for e in sorted(names)]
    inputs = metrics_plan.Inputs(
        events=con.create_table("events", table(events), overwrite=True),
        accounts=ibis.memtable(pa.table({"external_id": list(ACCOUNTS), "account_id": list(ACCOUNTS.values())})),
        features=ibis.memtable(pa.table({"feature": [f for f, _ in features], "event": [e for _, e in features]})),
        seats=ibis.memtable(pa.table({
            "account_id": pa.array([s[0] for s in SEATS], pa.int64()),
            "start_dn": pa.array([BASE_DN + s[1] for s in SEATS], pa.int64()),
            "end_dn": pa.array([BASE_DN + s[2] for s in SEATS], pa.int64()),
            "seats": pa.array([s[3] for s in SEATS], pa.int64()),
        })),
        calendar=ibis.memtable(pa.table({"dn": pa.array(range(BASE_DN + lo, BASE_DN + today + 1), pa.int64())})),
        start_dn=BASE_DN + start, today_dn=BASE_DN + today, key_features=len(FEATURES),
    )
    result = con.to_pyarrow(metrics_plan.usage_days(inputs)).to_pylist()
    return {(r["account_id"], r["dn"] - BASE_DN): {m.key: r[m.key] for m in METRICS} for r in result}


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=events_strategy, start=st.integers(0, SPAN + 5), extra=st.integers(0, 30))
def test_the_plan_agrees_with_the_reference(con, events, start, extra):
    today = min(start + extra, SPAN + 10)
    expected = reference(events, start=start, today=today)
    got = run_plan(con, events, start=start, today=today)
    assert set(got) == set(expected)
    for key, row in expected.items():
        for name, value in row.items():
            assert same(got[key][name], value), (key, name, got[key][name], value)


def test_the_reference_itself_on_a_known_case():
    events = [Ev(BASE, "a", "u1"), Ev(BASE + dt.timedelta(days=3), "a", "u2", event="E2")]
    ref = reference(events, start=0, today=3)
    assert ref[(1, 3)]["active_7d"] == 2 and ref[(1, 3)]["breadth"] == 1 and ref[(1, 1)]["days_since_last"] == 1
