"""The usage metrics job (``usage_compute``, Ibis on DuckDB) against pandas and hand-written DuckDB SQL.

    python benchmarks/usage_metrics.py                                  # 1M and 5M events
    python benchmarks/usage_metrics.py --events 50000000 --accounts 10000 --days 365

Per scale point (``--events``, comma-separated), a fresh event store of synthetic events
(``usage_data.generate``: ``--accounts`` accounts, ``--days`` days) and the accounts in a migrated
SQLite file (production settings), then, each in a child process of its own so that its peak
memory (``getrusage`` maxrss) is its own:

1. ``usage_compute(full=True)``: every daily metric of every account from scratch (13 metrics,
   weekly feature adoption, per-user activity, unmatched groups), read (the Ibis plan on DuckDB)
   and written (``AccountUsageDay`` etc. through the ORM) timed apart;
2. baseline, pandas: active users on the day, 7 and 30 days, per account per day, the way an
   analyst would write it (read the columns, distinct user-days, each spread over the 30 days it
   counts for, the latest activity per user and day, counted);
3. baseline, DuckDB SQL written by hand for the same three metrics;
4. the nightly incremental update: one new day of events (``--events`` / ``--days``) written and
   marked as the compactor does, then ``usage_compute()`` for that day: it reads the user history
   the full run kept and only the months its windows need;
5. baseline for 4: the same night again with the kept user history deleted (every month read).

The three full computations are checked against each other (the totals of the three metrics over
every account and day).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import usage_data  # noqa: E402

ACTIVITY = ("track", "page", "screen")
EPOCH = dt.date(1970, 1, 1)


def _rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _measured(fn, *args) -> dict:
    start_rss = _rss_mb()
    began, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    result.update(seconds=time.perf_counter() - began, cpu=time.process_time() - cpu,
                  peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, start_mb=start_rss)
    return result


def _child(conn, fn, args) -> None:
    try:
        conn.send(_measured(fn, *args))
    except BaseException as exc:  # noqa: BLE001 (reported to the parent)
        conn.send({"error": repr(exc)})
    finally:
        conn.close()


def run(fn, *args, isolate: bool = True) -> dict:
    """``fn(*args)`` timed, in a forked child (its own peak memory) unless ``isolate`` is False."""
    if not isolate:
        return _measured(fn, *args)
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, fn, args))
    process.start()
    child.close()
    result = parent.recv()
    process.join()
    if "error" in result:
        raise RuntimeError(result["error"])
    return result


# --- the three ways -----------------------------------------------------------------------------


def _totals_from_snapshots(today: dt.date) -> tuple[int, int, int]:
    from django.db.models import Sum

    from paceline.usage.models import AccountUsageDay

    sums = AccountUsageDay.objects.filter(day__lte=today).aggregate(a=Sum("active_1d"), b=Sum("active_7d"),
                                                                    c=Sum("active_30d"))
    return (sums["a"] or 0, sums["b"] or 0, sums["c"] or 0)


def ibis_full(today: dt.date) -> dict:
    from paceline.usage.compute import usage_compute

    report = usage_compute(full=True, today=today)
    return {"read": report.read_seconds, "write": report.write_seconds, "rows": report.rows,
            "usage_days": report.usage_days, "days": report.days, "totals": _totals_from_snapshots(today)}


def ibis_incremental(today: dt.date) -> dict:
    from paceline.usage.compute import usage_compute

    report = usage_compute(today=today)
    return {"read": report.read_seconds, "write": report.write_seconds, "rows": report.rows,
            "usage_days": report.usage_days, "days": report.days,
            "read_from": report.read_from.isoformat() if report.read_from else "the first event"}


def ibis_incremental_cold(today: dt.date) -> dict:
    """The same night again without the kept user history: every month read (as before it was kept)."""
    from paceline.usage import store
    from paceline.usage.models import AccountUsageDay

    AccountUsageDay.objects.filter(day=today).delete()
    saved = store.history_saved()
    if saved:
        saved.path.unlink()
    return ibis_incremental(today)


def pandas_active_users(today: dt.date) -> dict:
    """Active users on the day, 7 and 30 days, per account and day, in plain pandas."""
    import pandas as pd

    from paceline.usage import store

    today_dn = (today - EPOCH).days
    frame = pd.read_parquet([str(p) for p in store.event_files()], columns=["ts", "group_id", "user_id", "type"])
    frame = frame[frame["type"].isin(ACTIVITY)]
    frame["dn"] = (frame["ts"] - pd.Timestamp("1970-01-01", tz="UTC")).dt.days
    frame = frame.astype({"group_id": "category", "user_id": "category"})
    user_days = frame[["group_id", "user_id", "dn"]].drop_duplicates()
    del frame
    spread = pd.concat([user_days.assign(day=user_days["dn"] + age, age=age) for age in range(30)],
                       ignore_index=True)
    spread = spread[spread["day"] <= today_dn]
    latest = spread.groupby(["group_id", "user_id", "day"], observed=True)["age"].min().reset_index()
    del spread
    latest["active_1d"] = latest["age"] < 1
    latest["active_7d"] = latest["age"] < 7
    daily = latest.groupby(["group_id", "day"], observed=True).agg(
        active_1d=("active_1d", "sum"), active_7d=("active_7d", "sum"), active_30d=("age", "size"))
    return {"rows": len(daily), "totals": (int(daily["active_1d"].sum()), int(daily["active_7d"].sum()),
                                           int(daily["active_30d"].sum()))}


DUCKDB_SQL = """
WITH user_days AS (
    SELECT DISTINCT group_id, user_id, CAST(floor(epoch(ts) / 86400) AS BIGINT) AS dn
    FROM read_parquet($glob)
    WHERE type IN ('track', 'page', 'screen')
), latest AS (
    SELECT group_id, user_id, dn + age AS day, min(age) AS age
    FROM user_days, range(30) AS ages(age)
    WHERE dn + age <= $today
    GROUP BY ALL
)
SELECT group_id, day,
       count(*) FILTER (WHERE age < 1) AS active_1d,
       count(*) FILTER (WHERE age < 7) AS active_7d,
       count(*) AS active_30d
FROM latest
GROUP BY ALL
"""


def duckdb_active_users(today: dt.date) -> dict:
    from paceline.usage import store

    con = store.duckdb_connect()
    try:
        con.execute(f"CREATE TEMP TABLE daily AS {DUCKDB_SQL}", {"glob": store.events_glob(),
                                                                   "today": (today - EPOCH).days})
        rows, a, b, c = con.execute("SELECT count(*), sum(active_1d), sum(active_7d), sum(active_30d) "
                                    "FROM daily").fetchone()
    finally:
        con.close()
    return {"rows": rows, "totals": (int(a or 0), int(b or 0), int(c or 0))}


# --- a scale point ------------------------------------------------------------------------------


BASELINES = ("pandas", "duckdb")


def measure(events: int, accounts: int, days: int, scratch: Path, *, isolate: bool = True,
            baselines: tuple[str, ...] = BASELINES) -> dict:
    from paceline.customers.models import Account
    from paceline.usage import compactor
    from paceline.usage.models import AccountUsageDay, DirtyDay

    if not Account.objects.filter(external_id=usage_data.group_ids(1)[0]).exists():
        usage_data.create_accounts(accounts)
    AccountUsageDay.objects.all().delete()
    DirtyDay.objects.all().delete()
    today = usage_data.END
    result: dict = {"events": events, "accounts": accounts, "days": days}
    with usage_data.usage_dir(scratch / f"usage-{events}"):
        began = time.perf_counter()
        usage_data.write_store(usage_data.generate(events, accounts, days))
        result["build"] = time.perf_counter() - began
        result["bytes"] = usage_data.store_bytes()
        result["ibis"] = run(ibis_full, today, isolate=isolate)
        for name, fn in (("pandas", pandas_active_users), ("duckdb", duckdb_active_users)):
            if name not in baselines:
                result[name] = {"not run": "left out with --baselines"}
                continue
            try:
                result[name] = run(fn, today, isolate=isolate)
            except RuntimeError as exc:  # a baseline out of memory is a figure too
                result[name] = {"not run": f"failed: {str(exc)[:160]}"}
        nightly = max(1, events // days)
        tomorrow = today + dt.timedelta(days=1)
        compactor.mark_days(usage_data.write_store(
            usage_data.generate(nightly, accounts, 1, end=tomorrow, seed=11, first_id=events)))
        result["nightly_events"] = nightly
        result["incremental"] = run(ibis_incremental, tomorrow, isolate=isolate)
        result["incremental_cold"] = run(ibis_incremental_cold, tomorrow, isolate=isolate)
    measured = [result[k]["totals"] for k in ("ibis", *BASELINES) if "totals" in result[k]]
    result["agree"] = all(t == measured[0] for t in measured)
    return result


def report(results: list[dict]) -> str:
    lines = ["| events | accounts × days | way | s (wall) | CPU s | peak RSS MB (+ over start) | rows out | "
             "x usage_compute's time |", "|---:|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        ibis = r["ibis"]["seconds"]
        ways = (("usage_compute(full=True), all metrics: read (Ibis on DuckDB) + write (ORM)", r["ibis"]),
                ("pandas, active users 1/7/30 d", r["pandas"]),
                ("DuckDB SQL by hand, active users 1/7/30 d", r["duckdb"]),
                (f"nightly: usage_compute(), one new day of {r['nightly_events']:,} events, reading from "
                 f"{r['incremental']['read_from']}", r["incremental"]),
                ("the same nightly run without the kept user history (reads every month)", r["incremental_cold"]))
        for label, x in ways:
            if "not run" in x:
                lines.append(f"| {r['events']:,} | {r['accounts']:,} × {r['days']} | {label} | {x['not run']} "
                             "| | | | |")
                continue
            lines.append(f"| {r['events']:,} | {r['accounts']:,} × {r['days']} | {label} | {x['seconds']:.2f} | "
                         f"{x['cpu']:.2f} | {x['peak_mb']:,.0f} (+{x['peak_mb'] - x['start_mb']:,.0f}) | "
                         f"{x['rows']:,} | x{x['seconds'] / ibis:.2f} |")
    for r in results:
        i = r["ibis"]
        lines.append(f"{r['events']:,} events ({r['bytes'] / 1e6:.1f} MB in the store, built in {r['build']:.1f} s): "
                     f"usage_compute read {i['read']:.2f} s + wrote {i['write']:.2f} s ({i['usage_days']:,} "
                     f"account-days over {i['days']} days, {i['rows']:,} rows in all); the ways run agree on the "
                     f"totals of active users 1/7/30 d: {'yes' if r['agree'] else 'NO'} "
                     f"(usage_compute {i['totals']}, pandas {r['pandas'].get('totals', 'not run')}, "
                     f"DuckDB {r['duckdb'].get('totals', 'not run')}); "
                     f"nightly recomputed {r['incremental']['days']} day(s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None, *, isolate: bool = True) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="1000000,5000000")
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--baselines", default=",".join(BASELINES),
                        help="Which baselines to run (pandas needs about 1.6 GB per million events).")
    args = parser.parse_args(argv)
    baselines = tuple(b for b in args.baselines.split(",") if b)
    data = usage_data.setup_django()
    scratch = Path(tempfile.mkdtemp(prefix="paceline-usage-metrics-"))
    results = []
    try:
        for events in (int(s) for s in args.events.split(",")):
            results.append(measure(events, args.accounts, args.days, scratch, isolate=isolate, baselines=baselines))
            print(report(results[-1:]), flush=True)
        if len(results) > 1:
            print("all scale points:")
            print(report(results), flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if data:
            shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
