"""Health scores for 100,000 accounts from their facts, against per-account ORM evaluation.

    python benchmarks/health.py                                  # 10,000, 50,000 and 100,000 accounts
    python benchmarks/health.py --accounts 100000 --baseline-sample 200

Goal: scoring 100,000 accounts with every factor (Adoption, Renewal, Expansion, each factor's
measures, the gates, the most impactful factor) from their facts takes under 5 seconds, and the
time grows linearly with the accounts.

1. Snapshots: every account gets a fact for every measure of every factor, plus a manual read
   for a third of them (seeded random values over each measure's range), built in memory before
   the clock starts. Then the whole book is scored with the standard model, timed per size (wall
   and CPU time of this process), two ways: ``batch.score_many`` (the scores, the bands and the
   most impactful factor, in NumPy columns: what the goal is about), and ``scoring.score`` one
   account at a time with the full explanation (what is stored and shown per account).
2. Baseline, in the same run: the per-account ORM evaluation. A fresh SQLite database (migrated)
   gets ``--baseline-sample`` accounts with data in every source (contacts with a champion and a
   sponsor, conversations, NPS answers, touchpoints, a need, an agreed goal with a metric and a
   measurement, a customer commitment, a manual read); each account is then scored alone:
   ``facts.gather([id])``, ``selectors.version_for([id])`` and ``scoring.score``. The time per
   account is **extrapolated** linearly to each size. The same sample gathered in one call shows
   what bulk gathering costs per account.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 5.0


def snapshots(count: int, seed: int) -> list[dict]:
    from paceline.health.factors import FACTORS
    from paceline.health.facts import Fact

    day = dt.date(2026, 3, 1)
    ranges = {}
    for factor in FACTORS.values():
        for measure in factor.measures:
            xs = [x for x, _ in measure.points]
            low, high = ranges.get(measure.key, (min(xs), max(xs)))
            ranges[measure.key] = (min(low, min(xs)), max(high, max(xs)))
    rng = random.Random(seed)
    found = []
    for i in range(count):
        facts = {k: Fact(rng.uniform(lo, hi), day, "") for k, (lo, hi) in ranges.items()}
        if i % 3 == 0:
            facts["manual.score"] = Fact(float(rng.randint(0, 100)), day - dt.timedelta(days=rng.randint(0, 90)), "")
        found.append(facts)
    return found


def time_scoring(facts: list[dict]) -> dict[str, tuple[float, float]]:
    from paceline.health import batch, scoring, spec

    definition = spec.validate(spec.default())
    day = dt.date(2026, 3, 1)
    timings = {}
    wall, cpu = time.perf_counter(), time.process_time()
    batch.score_many(facts, definition, as_of=day)
    timings["columns"] = (time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    for account in facts:
        scoring.score(account, definition, as_of=day)
    timings["explained"] = (time.perf_counter() - wall, time.process_time() - cpu)
    return timings


def baseline(sample: int) -> dict[str, float]:
    """Per-account and bulk ORM evaluation on a migrated scratch database (seconds per account)."""
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    sys.path.insert(0, str(ROOT))
    from paceline.health import facts as health_facts
    from paceline.health import scoring, selectors
    from tests.health.conftest import AS_OF, build_account

    ids = [build_account().pk for _ in range(sample)]
    cache: dict = {}
    wall = time.perf_counter()
    for account_id in ids:
        version = selectors.version_for([account_id])[account_id]
        found = health_facts.gather([account_id], as_of=AS_OF)[account_id]
        scoring.score(found, selectors.definition_of(version, cache), as_of=AS_OF)
    one_by_one = (time.perf_counter() - wall) / sample
    wall = time.perf_counter()
    gathered = health_facts.gather(ids, as_of=AS_OF)
    versions = selectors.version_for(ids)
    for account_id in ids:
        scoring.score(gathered[account_id], selectors.definition_of(versions[account_id], cache), as_of=AS_OF)
    bulk = (time.perf_counter() - wall) / sample
    return {"one_by_one": one_by_one, "bulk": bulk}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default="10000,50000,100000")
    parser.add_argument("--baseline-sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    per_account = baseline(args.baseline_sample)
    print(f"baseline on {args.baseline_sample} accounts: {per_account['one_by_one'] * 1000:.1f} ms per account one "
          f"at a time (gather, model, score); {per_account['bulk'] * 1000:.2f} ms per account gathered in one call")
    print("| accounts | scores in columns s (wall) | CPU s | µs per account | explained one by one s | "
          "baseline s (extrapolated) | baseline / columns |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for size in (int(s) for s in args.accounts.split(",")):
        facts = snapshots(size, args.seed)
        timings = time_scoring(facts)
        wall, cpu = timings["columns"]
        extrapolated = per_account["one_by_one"] * size
        worst = max(worst, wall) if size >= 100_000 else worst
        print(f"| {size:,} | {wall:.2f} | {cpu:.2f} | {wall / size * 1e6:.0f} | {timings['explained'][0]:.2f} | "
              f"{extrapolated:,.0f} | x{extrapolated / wall:,.0f} |", flush=True)
        del facts
    if worst:
        print(f"goal: under {GOAL_SECONDS:g} s at 100,000 accounts: {'met' if worst < GOAL_SECONDS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
