"""Synthetic product-usage events for the usage benchmarks: NumPy -> PyArrow, in ``store.EVENT_SCHEMA``.

    python benchmarks/usage_data.py --events 1000000 --accounts 1000 --days 90

N events over A accounts and D days (the last day is ``--end``, UTC). Accounts are uneven (a
Zipf-like share of the events each), every account has ``--users`` users (about 20 on average,
more for the big accounts), 90% of the events are ``track`` calls over a catalogue of 40 event
names, 10% ``page`` views; a fifth carry a small ``properties`` object. Every event has its
account (``group_id``), so the compactor has nothing to resolve.

As a script it writes the events through ``store.write_events`` under ``store.writing()`` into a
temporary data directory (deleted at the end) and prints what it wrote and how fast; the other
usage benchmarks import ``generate`` and ``write_store``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
END = dt.date(2026, 11, 30)
EVENT_NAMES = [f"{thing} {verb}" for thing in ("Report", "Dashboard", "Project", "Invoice", "Workflow",
                                               "Comment", "Export", "Integration")
               for verb in ("Viewed", "Created", "Updated", "Shared", "Deleted")]
PAGE_NAMES = ["page:Home", "page:Reports", "page:Settings", "page:Billing", "page:Projects"]
KEY_FEATURES = {"reports": ["Report Viewed", "Report Shared"], "exports": ["Export Created"],
                "workflows": ["Workflow Created", "Workflow Updated"], "integrations": ["Integration Created"]}
PROPERTIES = ['{"plan":"pro"}', '{"plan":"team","source":"web"}', '{"source":"mobile"}', '{"items":3}']
DAY_MS = 86_400_000


def setup_django() -> Path | None:
    """Django on a fresh temporary data directory (SQLite file, production settings), migrated.

    Returns the directory (the caller deletes it), or None when Django is already set up (the
    smoke tests: their settings and database are used as they are).
    """
    from django.apps import apps

    if apps.ready:
        return None
    data = Path(tempfile.mkdtemp(prefix="paceline-usage-bench-"))
    os.environ["PACELINE_DATA_DIR"] = str(data)
    os.environ.setdefault("PACELINE_SECRET_KEY", "usage-benchmark-only-" + "k" * 40)
    os.environ["DJANGO_SETTINGS_MODULE"] = "paceline.settings"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("PACELINE_USAGE_DIR", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return data


@contextlib.contextmanager
def usage_dir(path: Path):
    """``settings.USAGE_DIR`` pointed at ``path`` meanwhile (the store reads it on each call)."""
    from django.conf import settings

    before = settings.USAGE_DIR
    settings.USAGE_DIR = Path(path)
    try:
        yield Path(path)
    finally:
        settings.USAGE_DIR = before


def group_ids(accounts: int) -> list[str]:
    return [f"acct-{i:06d}" for i in range(accounts)]


def _strings(codes: np.ndarray, values: list[str]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(values, pa.string())).cast(pa.string())


def generate(events: int, accounts: int, days: int, *, users: int = 20, end: dt.date = END, seed: int = 7,
             first_id: int = 0) -> pa.Table:
    """``events`` events over ``accounts`` accounts and the ``days`` days ending ``end`` (a table in
    ``store.EVENT_SCHEMA``). ``first_id`` offsets the message ids, so two calls do not collide."""
    from paceline.usage import store

    rng = np.random.default_rng(seed)
    weight = 1.0 / np.arange(1, accounts + 1) ** 0.8  # a few big accounts, a long tail
    weight /= weight.sum()
    seats = np.maximum(3, np.round(users * weight / weight.mean() * 0.5 + users * 0.5)).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(seats)])
    account = rng.choice(accounts, size=events, p=weight).astype(np.int32)
    user = (offsets[account] + (rng.random(events) * seats[account]).astype(np.int64)).astype(np.int32)
    start_ms = (dt.datetime.combine(end, dt.time(), dt.UTC) - dt.timedelta(days=days - 1)).timestamp() * 1000
    day = rng.integers(0, days, size=events)
    ts = (np.int64(start_ms) + day * DAY_MS + rng.integers(0, DAY_MS, size=events)).astype(np.int64)
    page = rng.random(events) < 0.10
    name = np.where(page, len(EVENT_NAMES) + rng.integers(0, len(PAGE_NAMES), size=events),
                    np.minimum(rng.zipf(1.6, size=events) - 1, len(EVENT_NAMES) - 1)).astype(np.int32)
    props = np.where(rng.random(events) < 0.2, rng.integers(0, len(PROPERTIES), size=events), -1)
    user_names = [f"user-{i:07d}" for i in range(int(offsets[-1]))]
    ts_array = pa.array(ts, pa.int64()).cast(pa.timestamp("ms", tz="UTC"))
    ids = pc.binary_join_element_wise("evt-", pa.array(np.arange(first_id, first_id + events)).cast(pa.string()), "")
    received = pa.array(ts + rng.integers(50, 5000, size=events), pa.int64()).cast(pa.timestamp("ms", tz="UTC"))
    properties = pa.DictionaryArray.from_arrays(
        pa.array(props, pa.int32(), mask=props < 0), pa.array(PROPERTIES, pa.string())).cast(pa.string())
    return pa.table({
        "ts": ts_array,
        "group_id": _strings(account, group_ids(accounts)),
        "user_id": _strings(user, user_names),
        "event": _strings(name, EVENT_NAMES + PAGE_NAMES),
        "type": pa.array(np.where(page, "page", "track")),
        "message_id": ids,
        "received_at": received,
        "properties": properties,
    }, schema=store.EVENT_SCHEMA)


def with_received_at(table: pa.Table) -> pa.Table:
    """A file's events as the store holds them: received now (what ingestion adds), in its schema."""
    from paceline.usage import store

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    table = table.append_column("received_at", pa.array([now] * table.num_rows, pa.timestamp("ms", tz="UTC")))
    return store.conform(table)


def write_store(table: pa.Table, *, chunk: int = 2_000_000) -> set[dt.date]:
    """Write ``table`` into the event store as the bulk path does (files of up to ``chunk`` events)."""
    from paceline.usage import store

    days: set[dt.date] = set()
    with store.writing():
        for start in range(0, table.num_rows, chunk):
            days |= store.write_events(table.slice(start, chunk))
    return days


def create_accounts(accounts: int) -> int:
    """Accounts whose external ids are the generator's group ids, and the key features (ORM rows)."""
    from paceline.customers.models import Account
    from paceline.usage.models import KeyFeature

    Account.objects.bulk_create([Account(name=f"Customer {g}", external_id=g) for g in group_ids(accounts)],
                                batch_size=2000)
    KeyFeature.objects.bulk_create([KeyFeature(key=k, name=k.title(), event_names=v) for k, v in KEY_FEATURES.items()])
    return accounts


def store_bytes() -> int:
    from paceline.usage import store

    return sum(p.stat().st_size for p in store.event_files())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--users", type=int, default=20, help="users per account, on average")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    data = setup_django()
    scratch = Path(tempfile.mkdtemp(prefix="paceline-usage-data-"))
    try:
        with usage_dir(scratch / "usage"):
            began = time.perf_counter()
            table = generate(args.events, args.accounts, args.days, users=args.users, seed=args.seed)
            generated = time.perf_counter() - began
            began = time.perf_counter()
            days = write_store(table)
            written = time.perf_counter() - began
            size = store_bytes()
            print(f"generated {table.num_rows:,} events over {args.accounts:,} accounts and {args.days} days "
                  f"({pc.count_distinct(table['user_id']).as_py():,} users) in {generated:.2f} s "
                  f"({table.num_rows / generated / 1e6:.1f} M events/s)")
            print(f"wrote them to the store in {written:.2f} s ({table.num_rows / written / 1e6:.2f} M events/s): "
                  f"{len(days)} days, {size / 1e6:.1f} MB, {size / table.num_rows:.1f} bytes/event")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if data:
            shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
