"""Server time of an account's Adoption tab with two years of usage history, against a young account.

    python benchmarks/usage_adoption.py                        # SQLite and PostgreSQL, the demo book
    python benchmarks/usage_adoption.py --databases sqlite --iterations 50   # a quick look

For each database, a child process loads the demo company (``--accounts`` accounts and
``--events`` product events over two years, through the real pipeline: events to Parquet, the
metrics job, the daily snapshots), then times the Adoption panel (``/usage/accounts/<id>/adoption/``,
the fragment the account page loads) in-process with Django's test client after a warm-up:

- the account with the most daily snapshots (two years of history): what is measured;
- baseline, in the same run: the live account with the fewest days of history (a customer in
  onboarding), so the ratio shows what two years of history cost the page.

It prints p50 and p95 server time, the number of queries and the slowest query of each. The
goal: p95 under 100 ms with two years of history (aim for 20). Databases as in ``pages.py``
(``PACELINE_BENCH_DATABASE_URL``, a database whose name contains "bench", dropped afterwards).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.pages import _measure, served_django  # noqa: E402


def parent(args) -> int:
    results = []
    with tempfile.TemporaryDirectory(prefix="paceline-bench-") as tmp:
        for database in args.databases.split(","):
            print(f"== {database}: the demo book, {args.accounts} accounts, {args.events:,} events", flush=True)
            out = Path(tmp) / f"{database}.json"
            command = [sys.executable, __file__, "--child", "--database", database, "--accounts", str(args.accounts),
                       "--events", str(args.events), "--iterations", str(args.iterations),
                       "--warmup", str(args.warmup), "--json", str(out)]
            subprocess.run(command, check=True)  # noqa: S603
            results.append(json.loads(out.read_text()))
    print()
    print("| database | account | days of history | p50 ms | p95 ms | queries | slowest query ms | x baseline p95 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        base = r["pages"]["young"]["p95"]
        for name, label in (("long", "two years of history"), ("young", "baseline: youngest live account")):
            page = r["pages"][name]
            print(f"| {r['database']} | {label} | {r['days'][name]} | {page['p50']:.1f} | {page['p95']:.1f} | "
                  f"{page['queries']} | {page['slowest']['ms']:.1f} | x{page['p95'] / base:.2f} |")
    return 0


def child(args) -> int:
    os.environ["PACELINE_DEMO_EVENTS"] = str(args.events)
    with served_django(args.database):
        from django.db import connection
        from django.db.models import Count
        from django.test import Client

        from paceline.customers.models import Account
        from paceline.ops.demo import DemoConfig, load_demo
        from paceline.users.models import User

        began = time.perf_counter()
        load_demo(DemoConfig(seed=2, accounts=args.accounts))
        built = time.perf_counter() - began
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        counted = (Account.objects.exclude(lifecycle_stage="churned").annotate(days=Count("usage_days"))
                   .filter(days__gt=0).order_by("days", "pk"))
        young, long = counted.first(), counted.last()
        client = Client()
        client.force_login(User.objects.get(username="maya"))
        measured = {name: _measure(client, f"/usage/accounts/{account.pk}/adoption/", {}, args.warmup,
                                   args.iterations)
                    for name, account in (("long", long), ("young", young))}
        result = {"database": args.database, "build_seconds": built, "pages": measured,
                  "days": {"long": long.days, "young": young.days}}
        Path(args.json).write_text(json.dumps(result))
        print(f"   demo loaded in {built:.0f} s; " + ", ".join(
            f"{n} ({result['days'][n]} days) p50 {p['p50']:.1f} / p95 {p['p95']:.1f} ms, {p['queries']} queries"
            for n, p in measured.items()), flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres", help="Comma-separated: sqlite, postgres.")
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--events", type=int, default=20_000_000, help="Product events in the demo's history.")
    parser.add_argument("--iterations", type=int, default=200, help="Timed requests per page.")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed requests per page first.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
