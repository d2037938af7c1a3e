"""Spark (local[2]) and DuckDB give the same snapshots on the same events."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from paceline.usage import compute, engines
from paceline.usage.models import (
    AccountFeatureWeek,
    AccountUsageDay,
    AccountUserActivity,
    KeyFeature,
    UnmatchedGroup,
)
from tests.factories import AccountFactory, SubscriptionFactory
from tests.usage.metrics_data import Ev, write

pytestmark = pytest.mark.spark

D0 = dt.date(2026, 2, 2)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


@pytest.fixture(scope="module")
def spark():
    session = engines.spark_session()  # one SparkSession for the module (it takes seconds to start)
    yield session
    session.stop()
    engines._spark_session = None


def snapshot() -> dict:
    def rows(model):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        return sorted(tuple(round(v, 9) if isinstance(v, float) else v for v in r)
                      for r in model.objects.values_list(*fields))

    return {m.__name__: rows(m) for m in (AccountUsageDay, AccountFeatureWeek, AccountUserActivity, UnmatchedGroup)}


def test_spark_and_duckdb_compute_the_same_snapshots(spark, db, settings, tmp_path):
    settings.USAGE_DIR = tmp_path / "usage"
    settings.USAGE_SPARK_MASTER = "local[2]"
    acme = AccountFactory(external_id="acme")
    AccountFactory(external_id="beta")
    SubscriptionFactory(account=acme, seats=6, start_date=day(0), end_date=day(50))
    KeyFeature.objects.create(key="export", name="Export", event_names=["Exported", "page:Export"])
    write([Ev(day(n), "acme", f"u{n % 5}", event="Exported" if n % 3 == 0 else "Viewed") for n in range(0, 80)]
          + [Ev(day(n), "beta", f"b{n % 2}", event="page:Export", type="page") for n in range(5, 80, 9)]
          + [Ev(day(3), "ghost", "g"), Ev(day(4), "", "anon:1", type="identify")])
    compute.usage_compute(today=day(90), engine="duckdb")
    by_duckdb = snapshot()
    assert len(by_duckdb["AccountUsageDay"]) == 91 + 91 - 5
    assert math.isclose(AccountUsageDay.objects.get(account=acme, day=day(10)).utilisation, 5 / 6)
    report = compute.usage_compute(today=day(90), engine="spark", full=True)
    assert report.engine == "spark" and report.usage_days == len(by_duckdb["AccountUsageDay"])
    assert snapshot() == by_duckdb
    # The nightly run on Spark reads the user history DuckDB kept, and only the months after it.
    nightly = compute.usage_compute(today=day(91), engine="spark")
    assert nightly.read_from is not None and nightly.read_from > day(0)
    by_spark = snapshot()
    compute.usage_compute(today=day(91), engine="duckdb", full=True)
    assert snapshot() == by_spark
