"""The usage benchmarks' own code at a tiny size: each main function runs and prints its figures.

No timed assertion: the times depend on the machine and belong in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import pytest

from benchmarks import usage_data, usage_ingest, usage_metrics
from paceline.usage import store

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_generator_writes_the_events_it_says(capsys, tmp_path):
    table = usage_data.generate(5000, 20, 10)
    assert table.num_rows == 5000 and table.schema.equals(store.EVENT_SCHEMA)
    assert set(table["group_id"].to_pylist()) <= set(usage_data.group_ids(20))
    assert len(set(table["message_id"].to_pylist())) == 5000

    assert usage_data.main(["--events", "5000", "--accounts", "20", "--days", "10"]) == 0
    out = capsys.readouterr().out
    assert "generated 5,000 events over 20 accounts and 10 days" in out
    assert "bytes/event" in out


def test_the_ingest_benchmark_measures_bulk_storage_and_http(capsys):
    assert usage_ingest.main(["--bulk-events", "3000", "--accounts", "20", "--days", "10", "--http-events", "1000",
                              "--sdk-events", "200", "--orm-events", "50", "--threads", "2", "--batch", "100"]) == 0
    out = capsys.readouterr().out
    for figure in ("| bulk.ingest_file, no dedupe |", "| bulk.ingest_file, dedupe |", "floor: pyarrow read + write",
                   "core columns", "| ts |", "(a) raw: requests + orjson, 2 threads", "(b) Segment SDK",
                   "(c) baseline: one ORM insert per event", "server work per event", "journaled by the server: 1,200 of 1,200 events sent (all"):
        assert figure in out, figure
    assert "goal: 5,000,000 events/s in bulk:" in out and "goal: 100,000 events/s over HTTP" in out


def test_the_metrics_benchmark_computes_three_ways_that_agree(capsys):
    assert usage_metrics.main(["--events", "4000", "--accounts", "15", "--days", "40"], isolate=False) == 0
    out = capsys.readouterr().out
    for figure in ("usage_compute(full=True)", "pandas, active users 1/7/30 d", "DuckDB SQL by hand",
                   "nightly: usage_compute(), one new day of 100 events", "agree on the totals of active users 1/7/30 d: yes",
                   "nightly recomputed 1 day(s)", "the same nightly run without the kept user history"):
        assert figure in out, figure

