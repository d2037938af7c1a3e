"""50 rules over a book of 100,000 accounts and a day of events, against a naive evaluator.

    python benchmarks/rules.py                                   # 100,000 accounts on SQLite
    python benchmarks/rules.py --accounts 10000,50000,100000     # the scaling, one size per process
    python benchmarks/rules.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    python benchmarks/rules.py --accounts 2000 --baseline-sample 200 --profile   # a quick look

Goal: evaluating the 50 rules for a day (the outbox of the day for the event rules, the daily scan
for the scheduled ones) takes under 30 seconds at 100,000 accounts, and grows linearly with them.

For each size, a child process builds a fresh book (see ``rules_data.py``: accounts, contacts,
interactions, the 50 rules, yesterday's firings of the scheduled rules, the day's outbox), then:

1. the baseline: a naive evaluator that, for each account and each rule, fetches the account,
   checks the conditions, then asks the database for the account's events of the day or its last
   conversation, whether the cause fired already and the recent firings, and fires as the engine
   does (same actions). It runs on a sample of accounts spread over the book, inside a
   transaction that is rolled back, and is extrapolated linearly to the whole book;
2. the engine, as the worker runs it: ``read_outbox()`` (event rules), then
   ``engine.evaluate_scheduled()`` (scheduled rules), each timed with its queries counted.

The firings both made on the sample's accounts are compared: the baseline is only a baseline if
it fires the same rules for the same causes. Notifications go to an e-mail channel (Django's
in-memory mail backend; sending is the worker's next job and is not timed).

SQLite runs on a file in a temporary directory (WAL, as in production). With ``--database-url``,
the benchmark creates a database of its own, ``bench_rules_<pid>``, on that PostgreSQL server
and drops it at the end; the database named in the URL is only used to create and drop it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 30
CPU: list[float] = []  # this process's CPU seconds of each timed phase, in order


# Parent: one child per size, then the tables -----------------------------------------------------


def parent(args) -> int:
    results = []
    database = f"bench_rules_{os.getpid()}" if args.database_url else ""
    with tempfile.TemporaryDirectory(prefix="paceline-bench-") as tmp:
        for size in (int(s) for s in args.accounts.split(",")):
            print(f"== {size:,} accounts ({'postgresql' if database else 'sqlite'})", flush=True)
            out = Path(tmp) / f"{size}.json"
            command = [sys.executable, __file__, "--child", "--accounts", str(size), "--json", str(out),
                       "--baseline-sample", str(args.baseline_sample), "--seed", str(args.seed)]
            if args.database_url:
                command += ["--database-url", args.database_url, "--database-name", database]
            if args.profile:
                command.append("--profile")
            subprocess.run(command, check=True)  # noqa: S603
            results.append(json.loads(out.read_text()))
    print()
    for r in results:
        print(report(r))
        print()
    if len(results) > 1:
        print(scaling(results))
    return 0


def report(r: dict) -> str:
    """The engine against the baseline at one size, as a Markdown table."""
    e, b = r["engine"], r["baseline"]
    note = f"extrapolated from {b['sample']:,} accounts" if b["sample"] < r["accounts"] else "measured in full"
    rows = [
        ("event rules, s", e["events"]["seconds"], b["events_seconds"]),
        ("scheduled rules, s", e["scheduled"]["seconds"], b["scheduled_seconds"]),
        ("total, s", e["seconds"], b["seconds"]),
        ("queries", e["queries"], b["queries"]),
        ("firings", e["firings"], b["firings"]),
    ]
    lines = [
        f"{r['database']}, {r['accounts']:,} accounts, {r['events']:,} events, {r['rules']} rules "
        f"(book built in {r['build_seconds']:.0f} s)",
        f"| | engine | naive baseline ({note}) | baseline / engine |",
        "|---|---:|---:|---:|",
    ]
    for label, mine, theirs in rows:
        ratio = f"x{theirs / mine:,.1f}" if mine else ""
        fmt = "{:,.1f}" if isinstance(mine, float) else "{:,}"
        lines.append(f"| {label} | {fmt.format(mine)} | {fmt.format(theirs)} | {ratio} |")
    goal = "under" if e["seconds"] < GOAL_SECONDS else "OVER"
    lines += [
        "",
        f"Engine: {e['seconds']:.1f} s ({e['cpu_seconds']:.1f} s of CPU in this process), {goal} the "
        f"{GOAL_SECONDS} s goal; {e['firings']:,} firings "
        f"({100 * e['firing_accounts'] / r['accounts']:.1f}% of accounts): {e['by_status']}; "
        f"{e['tasks']:,} tasks, {e['deliveries']:,} notifications, {e['fields_set']:,} fields set.",
        f"Event rules: {e['events']['summary']}",
        f"Scheduled rules: {e['scheduled']['summary']}",
        f"Sample of {b['sample']:,} accounts: baseline {b['sample_firings']} firings, engine "
        f"{b['engine_sample_firings']}, {'the same' if b['agree'] else 'DIFFERENT'} (rule, account, cause, status).",
    ]
    return "\n".join(lines)


def scaling(results: list[dict]) -> str:
    lines = [
        "| accounts | events | firings | event rules s | scheduled rules s | total s | s per 10k accounts "
        "| baseline s (extrapolated) | baseline / engine |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        e = r["engine"]
        lines.append(
            f"| {r['accounts']:,} | {r['events']:,} | {e['firings']:,} | {e['events']['seconds']:.1f} "
            f"| {e['scheduled']['seconds']:.1f} | {e['seconds']:.1f} | {e['seconds'] * 10_000 / r['accounts']:.2f} "
            f"| {r['baseline']['seconds']:,.0f} | x{r['baseline']['seconds'] / e['seconds']:,.0f} |"
        )
    return "\n".join(lines)


# Child: build one book, run the baseline and the engine ------------------------------------------


def configure(tmp: Path, database_url: str | None, database_name: str | None) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="paceline.settings",
        PACELINE_DATA_DIR=str(tmp),
        PACELINE_SECRET_KEY="benchmark-only-secret-key-" + "x" * 40,
        PACELINE_LOG_LEVEL="ERROR",
        PACELINE_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    if not database_url:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        return
    _pg_admin(database_url, f'DROP DATABASE IF EXISTS "{database_name}"', f'CREATE DATABASE "{database_name}"')
    os.environ["DATABASE_URL"] = urlparse(database_url)._replace(path=f"/{database_name}").geturl()


def _pg_admin(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


class QueryCount:
    """Counts the statements sent to the database (an ``executemany`` counts once)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def timed(work, profile: bool = False) -> tuple[float, int, object]:
    """Wall-clock seconds, queries and result of ``work()``; the CPU seconds go to ``CPU``."""
    from django.db import connection

    counter = QueryCount()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    with connection.execute_wrapper(counter):
        began, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = work()
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - began
        CPU.append(time.process_time() - cpu)
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return seconds, counter.n, result


def sample_ids(n: int, size: int) -> list[int]:
    """Accounts spread evenly over the book (ids run from 1 to n)."""
    size = min(size, n)
    return sorted({1 + (i * n) // size for i in range(size)})


def run_engine(profile: bool = False) -> dict:
    """What the worker runs for a day: the outbox, then the daily scan, timed and counted."""
    from paceline.automation import engine
    from paceline.automation.tasks import read_outbox

    ev_seconds, ev_queries, ev_summary = timed(read_outbox, profile)
    sc_seconds, sc_queries, sc_summary = timed(engine.evaluate_scheduled, profile)
    return {
        "events": {"seconds": ev_seconds, "queries": ev_queries, "summary": ev_summary},
        "scheduled": {"seconds": sc_seconds, "queries": sc_queries, "summary": sc_summary.as_dict()},
        "seconds": ev_seconds + sc_seconds, "cpu_seconds": sum(CPU[-2:]),
        "queries": ev_queries + sc_queries,
    }


def outcome(after_firing: int) -> dict:
    """What the run made: firings by status, and the tasks, notifications and fields behind them."""
    from django.db.models import Count

    from paceline.automation.models import Delivery, Firing

    made = Firing.objects.filter(pk__gt=after_firing)
    by_status = dict(made.values_list("status").annotate(n=Count("id")).order_by("status"))
    kinds: dict[str, int] = {}
    for result in made.values_list("outcome", flat=True).iterator(chunk_size=5000):
        for step in result:
            kinds[step.get("action", "?")] = kinds.get(step.get("action", "?"), 0) + 1
    return {
        "firings": made.count(), "firing_accounts": made.values("account_id").distinct().count(),
        "by_status": by_status, "tasks": kinds.get("create_task", 0),
        "deliveries": Delivery.objects.filter(firing__in=made).count(), "fields_set": kinds.get("set_field", 0),
    }


def fired_on(accounts: list[int], after_firing: int) -> set[tuple]:
    from paceline.automation.models import Firing

    rows = Firing.objects.filter(pk__gt=after_firing, account_id__in=accounts)
    return set(rows.values_list("rule_id", "account_id", "cause", "status"))


def measure(accounts: int, *, baseline_sample: int, seed: int, profile: bool = False, analyze: bool = True) -> dict:
    """Build the book and the day, run the baseline on a sample, then the engine on everything.

    ``analyze=False`` leaves PostgreSQL's statistics alone (the smoke test runs inside the test
    database, where statistics of a tiny book would mislead the planner for the tests after it)."""
    from django.db import connection
    from django.utils import timezone

    from benchmarks import rules_baseline, rules_data
    from paceline.automation.models import Firing, Rule
    from paceline.core.models import ActivityEvent

    began = time.perf_counter()
    now = timezone.now()
    facts = rules_data.build_book(accounts, seed=seed, now=now)
    rules = rules_data.create_rules()
    seeded = rules_data.seed_yesterday(rules, now=now)
    before_day = ActivityEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    events = rules_data.load_day(accounts, seed=seed, now=now)
    if analyze and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    build_seconds = time.perf_counter() - began
    print(f"   built in {build_seconds:.0f} s: {facts}, {events:,} events, {seeded:,} earlier firings", flush=True)

    last_firing = Firing.objects.order_by("-id").values_list("id", flat=True).first() or 0
    sample = sample_ids(accounts, baseline_sample)
    ordered = rules_baseline.in_engine_order(list(Rule.objects.filter(active=True)))
    b_seconds, b_queries, (b_fired, b_split) = timed(
        lambda: rules_baseline.evaluate(ordered, sample, after_event=before_day, now=timezone.now()))
    scale = accounts / len(sample)
    print(f"   baseline: {b_seconds:.1f} s for {len(sample):,} accounts, {b_queries:,} queries", flush=True)

    engine = run_engine(profile)
    engine.update(outcome(last_firing))
    print(f"   engine: {engine['seconds']:.1f} s, {engine['queries']:,} queries, {engine['firings']:,} firings",
          flush=True)
    mine = fired_on(sample, last_firing)
    return {
        "database": connection.vendor, "accounts": accounts, "events": events, "rules": len(rules),
        "seeded_firings": seeded, "build_seconds": build_seconds, "engine": engine,
        "baseline": {
            "sample": len(sample), "seconds": b_seconds * scale, "queries": round(b_queries * scale),
            "events_seconds": b_split["events"] * scale, "scheduled_seconds": b_split["scheduled"] * scale,
            "firings": round(len(b_fired) * scale), "sample_firings": len(b_fired),
            "engine_sample_firings": len(mine), "agree": b_fired == mine,
        },
    }


def child(args) -> int:
    with tempfile.TemporaryDirectory(prefix="paceline-bench-db-") as tmp:
        configure(Path(tmp), args.database_url, args.database_name)
        try:
            sys.path.insert(0, str(ROOT / "src"))
            sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            from django.core.management import call_command
            from django.db import connections

            call_command("migrate", verbosity=0)
            result = measure(args.accounts, baseline_sample=args.baseline_sample, seed=args.seed,
                             profile=args.profile)
            Path(args.json).write_text(json.dumps(result, default=str))
            connections.close_all()
        finally:
            if args.database_url:
                _pg_admin(args.database_url, f'DROP DATABASE IF EXISTS "{args.database_name}" WITH (FORCE)')
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", default="100000", help="Comma-separated sizes of the book, e.g. 10000,50000.")
    parser.add_argument("--baseline-sample", type=int, default=1000,
                        help="Accounts the naive evaluator runs on (extrapolated to the book).")
    parser.add_argument("--database-url", help="A PostgreSQL server to run on instead of SQLite.")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--profile", action="store_true", help="Print cProfile's top functions of each phase.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-name", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.accounts = int(args.accounts)
        return child(args)
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
