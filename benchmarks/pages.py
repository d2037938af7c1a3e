"""Server time of the busiest pages on a big book, on SQLite and PostgreSQL, against a small baseline.

    python benchmarks/pages.py                         # both databases, 20,000 / 1,000,000 and the baseline
    python benchmarks/pages.py --databases sqlite      # one database
    python benchmarks/pages.py --accounts 2000 --interactions 100000 --baseline-accounts 200 \\
        --baseline-interactions 10000 --iterations 50  # a quick look

For each database and each size, a child process builds a fresh book with the demo generator (its
interactions scaled to the target; one large account gets 1% of all interactions so the account
page shows a long timeline), then times, in-process with Django's test client (no network), after
a warm-up:

- the portfolio page, filtered and sorted: ``/book/?segment=enterprise&sort=-arr&owner=all``
- the account page of the account with the most interactions: ``/accounts/<id>/``
- the accounts API list: ``/api/v1/accounts?limit=50&sort=-arr`` with a Bearer token

It prints p50 and p95 server time, the number of queries and the slowest query of each, and the
ratio between the big book and the baseline (the point: neither grows with the number of rows).

SQLite runs on a file in a temporary directory. PostgreSQL runs on the database named by
``PACELINE_BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/paceline_bench``),
which is dropped and created for each run and dropped at the end; its name must contain
"bench" so a test or production database is never touched.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/paceline_bench"
SEED = 2
WHALE_SHARE = 0.01  # of all interactions, on one account


# Parent: run one child per (database, size) and report ---------------------------------------


def _child(database: str, accounts: int, interactions: int, args, out: Path) -> dict:
    command = [
        sys.executable, __file__, "--child", "--database", database, "--accounts", str(accounts),
        "--interactions", str(interactions), "--iterations", str(args.iterations), "--warmup", str(args.warmup),
        "--json", str(out),
    ]
    subprocess.run(command, check=True)  # noqa: S603
    return json.loads(out.read_text())


def _table(results: list[dict]) -> str:
    lines = [
        "| database | book (accounts / interactions) | page | p50 ms | p95 ms | queries | slowest query ms |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        size = f"{r['accounts']:,} / {r['interactions']:,}"
        for name, page in r["pages"].items():
            lines.append(
                f"| {r['database']} | {size} | {name} | {page['p50']:.1f} | {page['p95']:.1f} | {page['queries']} "
                f"| {page['slowest']['ms']:.1f} |"
            )
    return "\n".join(lines)


def _ratios(small: dict, big: dict) -> str:
    lines = [f"{big['database']}: big book / baseline"]
    for name, page in big["pages"].items():
        base = small["pages"][name]
        lines.append(
            f"  {name:<10} p95 x{page['p95'] / base['p95']:.2f}   queries {base['queries']} -> {page['queries']}"
        )
    return "\n".join(lines)


def _short_sql(sql: str) -> str:
    """The query without its lists of plain columns, which say little about its cost."""
    return re.sub(r'(?:"?\w+"?\."\w+"(?: AS "\w+")?, ){2,}', "..., ", sql)[:700]


def parent(args) -> int:
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="paceline-bench-") as tmp:
        for database in args.databases.split(","):
            pair = []
            for accounts, interactions in (
                (args.baseline_accounts, args.baseline_interactions),
                (args.accounts, args.interactions),
            ):
                print(f"== {database}: {accounts:,} accounts, {interactions:,} interactions", flush=True)
                out = Path(tmp) / f"{database}-{accounts}.json"
                pair.append(_child(database, accounts, interactions, args, out))
            results.extend(pair)
            print(_ratios(*pair), flush=True)
    print()
    print(_table(results))
    print()
    for r in results:
        for name, page in r["pages"].items():
            print(f"{r['database']} {r['accounts']:,} {name}: slowest query {page['slowest']['ms']:.1f} ms: "
                  f"{_short_sql(page['slowest']['sql'])}")
    return 0


# Child: build one book on one database and time the pages -------------------------------------


def _configure(database: str, tmp: Path) -> str | None:
    """Point the settings at the database; returns the PostgreSQL database to drop afterwards."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="paceline.settings",
        PACELINE_DATA_DIR=str(tmp),
        PACELINE_SECRET_KEY="benchmark-only-secret-key-" + "x" * 40,
        PACELINE_ALLOWED_HOSTS="testserver",
        PACELINE_LOG_LEVEL="WARNING",
    )
    if database == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        return None
    url = os.environ.get("PACELINE_BENCH_DATABASE_URL", DEFAULT_PG)
    name = urlparse(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"PACELINE_BENCH_DATABASE_URL names the database {name!r}: it must contain 'bench'.")
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    return url


def _pg_admin(url: str, *statements: str) -> None:
    import psycopg

    parts = urlparse(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def _calibrate(accounts: int, generated: int) -> float:
    """The activity scale that makes the generator produce about ``generated`` interactions.

    Touches are a fixed part (kickoffs, QBRs, renewals) plus a part proportional to the scale:
    measured on a sample of accounts at two scales, then solved for the target.
    """
    import datetime as dt

    from paceline.ops.demo import DemoConfig, World, activity, company, people

    counts = []
    for scale in (1.0, 0.5):
        world = World(DemoConfig(seed=SEED, accounts=accounts, anchor=dt.date.today(), activity_scale=scale))
        plans = company.plan(world)
        sample = plans[:: max(1, len(plans) // 300)]
        total = 0
        for plan in sample:
            plan.contacts = people.plan_contacts(world, plan)
            total += len(activity.plan_touches(world, plan)[0])
        counts.append(total / len(sample))
    fixed = 2 * counts[1] - counts[0]
    variable = counts[0] - fixed
    return max(0.05, (generated / accounts - fixed) / variable)


def _build(accounts: int, interactions: int) -> tuple[dict, float]:
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from paceline.customers.models import Account, Interaction
    from paceline.ops.demo import DemoConfig, load_demo
    from paceline.ops.demo.bulk import db_datetime, insert_rows, reserve_ids, reset_sequence

    began = time.perf_counter()
    whale_size = int(interactions * WHALE_SHARE)
    scale = _calibrate(accounts, interactions - whale_size)
    load_demo(DemoConfig(seed=SEED, accounts=accounts, activity_scale=scale))
    whale = Account.objects.filter(segment="enterprise").exclude(lifecycle_stage="churned").order_by("-arr").first()
    have = whale.interactions.count()
    with transaction.atomic():
        first = reserve_ids(Interaction)
        contact = whale.contacts.first()
        now = timezone.now()
        rows, links = [], []
        for n in range(max(0, whale_size - have)):
            at = db_datetime(now - dt.timedelta(minutes=97 * (n + 1)))
            rows.append((first + n, whale.pk, "email", at, f"Follow-up #{n}", "Routine follow-up.", "neutral",
                         whale.owner_id, at, at))
            links.append((first + n, contact.pk))
        insert_rows(Interaction, ("id", "account_id", "kind", "occurred_at", "subject", "summary", "sentiment",
                                  "created_by_id", "created_at", "updated_at"), rows)
        insert_rows(Interaction.contacts.through, ("interaction_id", "contact_id"), links)
        reset_sequence(Interaction)
    with connection.cursor() as cursor:
        # PostgreSQL's autovacuum would have analysed a table this size; SQLite keeps no statistics
        # unless asked, and Paceline does not ask, so it is measured as it runs.
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    facts = {"accounts": Account.objects.count(), "interactions": Interaction.objects.count(),
             "whale_id": whale.pk, "whale_interactions": whale.interactions.count()}
    return facts, time.perf_counter() - began


def _measure(client, url: str, headers: dict, warmup: int, iterations: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, **headers)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.content[:500]!r}")
    timings: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append(((time.perf_counter() - began) * 1000, sql))

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        client.get(url, **headers)
    queries = len(captured.captured_queries)  # read now: the next request clears the log
    for _ in range(warmup):
        client.get(url, **headers)
    samples = []
    for _ in range(iterations):
        began = time.perf_counter()
        client.get(url, **headers)
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    slowest = max(timings, default=(0.0, ""))
    return {
        "p50": statistics.median(samples),
        "p95": samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))],
        "mean": statistics.fmean(samples),
        "queries": queries,
        "slowest": {"ms": slowest[0], "sql": slowest[1]},
        "bytes": len(response.content),
    }


@contextlib.contextmanager
def served_django(database: str) -> Iterator[None]:
    """Django on a fresh database (SQLite in a temporary directory, or the bench PostgreSQL database),
    migrated and with the production static manifest (pages resolve static URLs through it, as under
    `paceline serve`); the PostgreSQL database is dropped afterwards."""
    with tempfile.TemporaryDirectory(prefix="paceline-bench-db-") as tmp:
        pg_url = _configure(database, Path(tmp))
        try:
            sys.path.insert(0, str(ROOT / "src"))
            import django

            django.setup()
            from django.core.management import call_command
            from django.db import connections

            call_command("migrate", verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)
            yield
            connections.close_all()
        finally:
            if pg_url:
                name = urlparse(pg_url).path.lstrip("/")
                _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child(args) -> int:
    with served_django(args.database):
        from django.test import Client

        from paceline.core.services import Actor
        from paceline.users.models import User
        from paceline.users.services import token_create

        facts, build_seconds = _build(args.accounts, args.interactions)
        leader = User.objects.get(username="maya")
        _, token = token_create(actor=Actor(user=leader, via="cli"), user=leader, name="benchmark")
        client = Client()
        client.force_login(leader)
        pages = {
            "book": ("/book/?segment=enterprise&sort=-arr&owner=all", {}),
            "account": (f"/accounts/{facts['whale_id']}/", {}),
            "api": ("/api/v1/accounts?limit=50&sort=-arr", {"HTTP_AUTHORIZATION": f"Bearer {token}"}),
        }
        measured = {
            name: _measure(client, url, headers, args.warmup, args.iterations)
            for name, (url, headers) in pages.items()
        }
        result = {"database": args.database, **facts, "build_seconds": build_seconds, "pages": measured}
        Path(args.json).write_text(json.dumps(result))
        print(f"   built in {build_seconds:.0f} s; " + ", ".join(
            f"{n} p50 {p['p50']:.1f} / p95 {p['p95']:.1f} ms, {p['queries']} queries" for n, p in measured.items()
        ), flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres", help="Comma-separated: sqlite, postgres.")
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--baseline-accounts", type=int, default=2_000)
    parser.add_argument("--baseline-interactions", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=200, help="Timed requests per page.")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed requests per page first.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
