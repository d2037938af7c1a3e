"""Product-usage ingestion: bulk files into the event store, storage per event, and the HTTP API.

    python benchmarks/usage_ingest.py                        # 2M events in bulk, 100k over HTTP
    python benchmarks/usage_ingest.py --bulk-events 5000000 --http-events 300000 --threads 4

Goals (2 cores): bulk ingestion of a Parquet file at 5 million events/s or more; at most
15 bytes/event for the core columns (ts, group_id, user_id, event) in the store; 100,000
events/s over HTTP. Each against a baseline measured in the same run:

1. Bulk: a Parquet file of ``--bulk-events`` synthetic events (``usage_data.generate``) is
   ingested with ``bulk.ingest_file`` into an empty store, with and without dedupe. Baseline: the
   floor, pyarrow reading the same file and writing it with the store's writer options (and the
   same plus the store's sort, which ``write_events`` does).
2. Storage: bytes/event of the core columns (the sum of their compressed sizes in the Parquet
   metadata / rows) and of the whole files, in the store the bulk ingest wrote.
3. HTTP: a real ``paceline serve --workers 2`` (gunicorn) on its own temporary data directory
   (SQLite), a write key, then ``/v1/batch`` loaded by (a) a raw client (requests + orjson,
   ``--threads`` threads, ``--batch`` events per request, bodies built before the clock starts)
   and (b) the official Segment SDK (``gzip=True, upload_size=100``; timed until ``flush`` and
   ``join`` return, every request answered 200), each with p50/p99 of a request. Baseline (c): one
   ORM insert per event in this process: each event normalised as the endpoint does and journaled
   as an ``InboxBatch`` row of one event (``services.inbox_append``, autocommit), on this
   process's own SQLite file with the production settings (WAL).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import itertools
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import usage_data  # noqa: E402

BULK_GOAL = 5_000_000
BYTES_GOAL = 15.0
HTTP_GOAL = 100_000


# --- bulk ---------------------------------------------------------------------------------------


def _timed(fn):
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def source_file(events: int, accounts: int, days: int, folder: Path) -> Path:
    """A Parquet file as a product would export it (no received_at: ingestion sets it)."""
    table = usage_data.generate(events, accounts, days).drop_columns(["received_at"])
    path = folder / "events.parquet"
    pq.write_table(table, path, compression="zstd")
    return path


def storage(files: list[Path]) -> dict:
    """Bytes per event of the core columns (compressed, from the Parquet metadata) and in total."""
    from paceline.usage import store

    rows = core = total = 0
    per_column: dict[str, int] = {}
    for path in files:
        meta = pq.ParquetFile(path).metadata
        rows += meta.num_rows
        total += path.stat().st_size
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            for c in range(group.num_columns):
                column = group.column(c)
                per_column[column.path_in_schema] = per_column.get(column.path_in_schema, 0) + column.total_compressed_size
    core = sum(per_column.get(name, 0) for name in store.CORE_COLUMNS)
    return {"rows": rows, "files": len(files), "core": core / max(rows, 1), "total": total / max(rows, 1),
            "columns": {k: v / max(rows, 1) for k, v in per_column.items()}}


def measure_bulk(events: int, accounts: int, days: int, scratch: Path) -> dict:
    from paceline.usage import bulk, store

    path = source_file(events, accounts, days, scratch)
    result: dict = {"events": events, "file_mb": path.stat().st_size / 1e6}
    floor_dir = scratch / "floor"
    floor_dir.mkdir()

    def floor(sort: bool):
        table = pq.read_table(path)
        table = usage_data.with_received_at(table)
        if sort:
            table = table.sort_by(store.SORT_KEYS)
        store._write_file(table, floor_dir / f"sorted-{sort}.parquet")

    result["floor"], _ = _timed(lambda: floor(False))
    result["floor_sorted"], _ = _timed(lambda: floor(True))
    for dedupe in (False, True):
        with usage_data.usage_dir(scratch / f"store-{dedupe}"):
            seconds, report = _timed(lambda dedupe=dedupe: bulk.ingest_file(path, dedupe=dedupe))
            assert report.stored == events, report.as_dict()
            result["dedupe" if dedupe else "plain"] = seconds
            if dedupe:
                result["storage"] = storage(store.event_files())
    return result


def report_bulk(r: dict) -> str:
    n = r["events"]
    lines = [f"bulk: a Parquet file of {n:,} events ({r['file_mb']:.1f} MB, zstd) into an empty store",
             "| path | s | events/s | x the floor's time |", "|---|---:|---:|---:|"]
    for label, key in (("floor: pyarrow read + write (store's writer options)", "floor"),
                       ("floor + the store's sort", "floor_sorted"),
                       ("bulk.ingest_file, no dedupe", "plain"),
                       ("bulk.ingest_file, dedupe", "dedupe")):
        lines.append(f"| {label} | {r[key]:.2f} | {n / r[key]:,.0f} | x{r[key] / r['floor']:.1f} |")
    best = n / min(r["plain"], r["dedupe"])
    lines.append(f"goal: {BULK_GOAL:,} events/s in bulk: {'met' if best >= BULK_GOAL else 'NOT met'} "
                 f"(best {best:,.0f}/s; the floor itself {n / r['floor']:,.0f}/s)")
    s = r["storage"]
    lines.append(f"storage: {s['rows']:,} events in {s['files']} files: core columns {s['core']:.2f} bytes/event, "
                 f"total {s['total']:.2f} bytes/event")
    lines.append("| column | bytes/event |")
    lines.append("|---|---:|")
    for name, size in s["columns"].items():
        lines.append(f"| {name} | {size:.2f} |")
    lines.append(f"goal: at most {BYTES_GOAL:g} bytes/event for the core columns: "
                 f"{'met' if s['core'] <= BYTES_GOAL else 'NOT met'}")
    return "\n".join(lines)


# --- HTTP ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "paceline.cli", *args], env=env, capture_output=True,  # noqa: S603
                          text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout


class Server:
    """``paceline serve --workers 2`` on its own data directory, or on the environment given (the
    SIGKILL test, tests/usage/test_durability.py, starts, kills and restarts it)."""

    def __init__(self, data: Path | None = None, *, env: dict | None = None):
        self.data = data
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if env is None:
            env = dict(os.environ)
            for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PACELINE_USAGE_DIR"):
                env.pop(name, None)
            env["PACELINE_DATA_DIR"] = str(data)
            env["PACELINE_SECRET_KEY"] = "usage-benchmark-only-" + "k" * 40
            env["PACELINE_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
        self.env = env
        self.process = None

    def prepare(self) -> str:
        _cli(self.env, "migrate", "--verbosity", "0")
        out = _cli(self.env, "shell", "-c",
                   "from paceline.core.services import SYSTEM; from paceline.usage.services import write_key_create; "
                   "print(write_key_create(actor=SYSTEM, name='benchmark')[1])")
        return out.strip().splitlines()[-1]

    def start(self) -> None:
        import requests

        self.process = subprocess.Popen(  # noqa: S603 (our own command)
            [sys.executable, "-m", "paceline.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "2", "--no-collectstatic"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                requests.post(f"{self.url}/v1/batch", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    def kill(self) -> None:
        """SIGKILL to the server and its workers: no shutdown of any kind."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def journaled(self) -> int:
        with sqlite3.connect(self.data / "paceline.sqlite3") as con:
            return con.execute("SELECT coalesce(sum(count), 0) FROM usage_inboxbatch").fetchone()[0]


def messages(count: int, *, accounts: int = 1000, seed: int = 3, prefix: str = "m") -> list[dict]:
    """Segment track calls like a product sends (user, event, time, account, a few properties)."""
    rng = np.random.default_rng(seed)
    now = dt.datetime.now(dt.UTC)
    account = rng.integers(0, accounts, size=count)
    user = rng.integers(0, 20, size=count)
    name = rng.integers(0, len(usage_data.EVENT_NAMES), size=count)
    age = rng.integers(0, 3_600_000, size=count)
    return [{"type": "track", "userId": f"user-{a}-{u}", "event": usage_data.EVENT_NAMES[e],
             "messageId": f"{prefix}-{i}", "timestamp": (now - dt.timedelta(milliseconds=int(ms))).isoformat(),
             "context": {"groupId": f"acct-{a:06d}", "library": {"name": "benchmark"}},
             "properties": {"plan": "pro", "items": int(u)}}
            for i, (a, u, e, ms) in enumerate(zip(account, user, name, age, strict=True))]


def _quantiles(latencies: list[float]) -> tuple[float, float]:
    if not latencies:
        return float("nan"), float("nan")
    values = np.array(latencies) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def raw_client(url: str, key: str, events: list[dict], *, threads: int, batch: int) -> dict:
    import orjson
    import requests

    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    headers = {"Authorization": auth, "Content-Type": "application/json"}
    bodies = [orjson.dumps({"batch": events[i:i + batch], "sentAt": dt.datetime.now(dt.UTC).isoformat()})
              for i in range(0, len(events), batch)]
    counter = itertools.count()
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        session = requests.Session()
        mine, bad = [], []
        while (i := next(counter)) < len(bodies):
            began = time.perf_counter()
            response = session.post(f"{url}/v1/batch", data=bodies[i], headers=headers, timeout=60)
            mine.append(time.perf_counter() - began)
            if response.status_code != 200 or response.json().get("accepted") != len(orjson.loads(bodies[i])["batch"]):
                bad.append(response.status_code)
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - began
    p50, p99 = _quantiles(latencies)
    return {"events": len(events), "requests": len(bodies), "seconds": seconds, "p50": p50, "p99": p99,
            "failures": len(failures)}


def sdk_client(url: str, key: str, events: list[dict]) -> dict:
    from segment.analytics import Client, request

    latencies: list[float] = []
    errors: list[str] = []
    post = request._session.post

    def timed_post(*args, **kwargs):
        began = time.perf_counter()
        try:
            return post(*args, **kwargs)
        finally:
            latencies.append(time.perf_counter() - began)

    request._session.post = timed_post
    try:
        client = Client(key, host=url, gzip=True, upload_size=100, max_queue_size=len(events) + 1,
                        on_error=lambda exc, batch: errors.append(str(exc)))
        began = time.perf_counter()
        for m in events:
            client.track(user_id=m["userId"], event=m["event"], properties=m["properties"], context=m["context"],
                         message_id=m["messageId"])
        client.flush()
        client.join()
        seconds = time.perf_counter() - began
    finally:
        request._session.post = post
    p50, p99 = _quantiles(latencies)
    return {"events": len(events), "requests": len(latencies), "seconds": seconds, "p50": p50, "p99": p99,
            "failures": len(errors)}


def orm_baseline(events: list[dict]) -> dict:
    """One ORM insert per event: normalise it as the endpoint does, journal it alone (autocommit)."""
    from django.db import connection
    from django.utils import timezone

    from paceline.usage import ingest, services
    from paceline.usage.models import InboxBatch

    latencies = []
    began = time.perf_counter()
    for message in events:
        start = time.perf_counter()
        rows = ingest.Rows()
        ingest.normalise(message, rows, kind=None, received_at=timezone.now())
        services.inbox_append(payload=rows.pack(), count=1, write_key=None)
        latencies.append(time.perf_counter() - start)
    seconds = time.perf_counter() - began
    stored = InboxBatch.objects.filter(count=1).count()
    InboxBatch.objects.all().delete()
    p50, p99 = _quantiles(latencies)
    return {"events": len(events), "requests": len(events), "seconds": seconds, "p50": p50, "p99": p99,
            "failures": len(events) - stored, "database": connection.vendor}


def breakdown(events: list[dict], batch: int) -> dict:
    """Where a /v1/batch request's server time goes, in this process: parse, normalise, pack, journal."""
    import orjson
    from django.db import transaction
    from django.utils import timezone

    from paceline.usage import ingest, services
    from paceline.usage.models import InboxBatch

    bodies = [orjson.dumps({"batch": events[i:i + batch]}) for i in range(0, len(events), batch)]
    spent = dict.fromkeys(("parse", "normalise", "pack", "journal"), 0.0)
    for body in bodies:
        t0 = time.perf_counter()
        data = ingest.parse_body(body)
        t1 = time.perf_counter()
        rows = ingest.Rows()
        ingest.normalise_batch(data, rows, received_at=timezone.now(), body_bytes=len(body))
        t2 = time.perf_counter()
        payload = rows.pack()
        t3 = time.perf_counter()
        with transaction.atomic():
            services.inbox_append(payload=payload, count=len(rows), write_key=None)
        t4 = time.perf_counter()
        for name, seconds in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            spent[name] += seconds
    spent["view"] = _through_django(bodies)
    InboxBatch.objects.all().delete()
    return {"requests": len(bodies), "events": len(events), "batch": batch, "bytes": sum(map(len, bodies)) / len(bodies),
            **{k: v / len(events) * 1e6 for k, v in spent.items()}}


def _through_django(bodies: list[bytes]) -> float:
    """The same bodies through Django (middleware, write key, the view) with the test client: seconds."""
    from django.test import Client

    from paceline.core.services import SYSTEM
    from paceline.usage.services import write_key_create

    _, raw = write_key_create(actor=SYSTEM, name="benchmark in-process")
    auth = "Basic " + base64.b64encode(f"{raw}:".encode()).decode()
    client = Client()
    headers = {"content_type": "application/json", "HTTP_AUTHORIZATION": auth, "HTTP_HOST": "127.0.0.1"}
    client.post("/v1/batch", data=bodies[0], **headers)  # warm-up: the URLconf and the apps load on the first
    began = time.perf_counter()
    for body in bodies:
        response = client.post("/v1/batch", data=body, **headers)
        assert response.status_code == 200, response.content[:200]
    return time.perf_counter() - began


def measure_http(http_events: int, sdk_events: int, orm_events: int, *, threads: int, batch: int,
                 scratch: Path) -> dict:
    server = Server(scratch / "server")
    key = server.prepare()
    server.start()
    try:
        raw = raw_client(server.url, key, messages(http_events, prefix="raw"), threads=threads, batch=batch)
        sdk = sdk_client(server.url, key, messages(sdk_events, prefix="sdk", seed=4))
    finally:
        server.stop()
    journaled = server.journaled()
    orm = orm_baseline(messages(orm_events, prefix="orm", seed=5))
    parts = breakdown(messages(min(http_events, 20 * batch), prefix="cpu", seed=6), batch)
    return {"raw": raw, "sdk": sdk, "orm": orm, "breakdown": parts, "journaled": journaled, "threads": threads, "batch": batch}


def report_http(r: dict) -> str:
    lines = ["HTTP: paceline serve --workers 2 (gunicorn, SQLite), /v1/batch; clients on the same machine",
             "| client | events | requests | s | events/s | p50 ms | p99 ms | failed | x the baseline's events/s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    base = r["orm"]["events"] / r["orm"]["seconds"]
    for label, key in ((f"(a) raw: requests + orjson, {r['threads']} threads, {r['batch']} events/request", "raw"),
                       ("(b) Segment SDK, gzip, upload_size=100", "sdk"),
                       ("(c) baseline: one ORM insert per event (InboxBatch of 1, in-process)", "orm")):
        x = r[key]
        rate = x["events"] / x["seconds"]
        lines.append(f"| {label} | {x['events']:,} | {x['requests']:,} | {x['seconds']:.2f} | {rate:,.0f} | "
                     f"{x['p50']:.1f} | {x['p99']:.1f} | {x['failures']} | x{rate / base:.1f} |")
    expected = r["raw"]["events"] + r["sdk"]["events"]
    lines.append(f"journaled by the server: {r['journaled']:,} of {expected:,} events sent "
                 f"({'all' if r['journaled'] == expected else 'NOT all'} acknowledged and durable)")
    b = r["breakdown"]
    total = b["parse"] + b["normalise"] + b["pack"] + b["journal"]
    lines.append(f"server work per event, in-process, {b['requests']} bodies of {b['batch']} events "
                 f"({b['bytes'] / 1024:.0f} KB): parse {b['parse']:.1f} µs, normalise {b['normalise']:.1f} µs, "
                 f"pack {b['pack']:.1f} µs, journal (insert + commit) {b['journal']:.1f} µs; {total:.1f} µs in all, "
                 f"at most {1e6 / total:,.0f} events/s per core before HTTP, Django and gunicorn; the whole request "
                 f"through Django's test client (middleware, write key, view; no network, no gunicorn) {b['view']:.1f} "
                 f"µs per event, at most {1e6 / b['view']:,.0f} events/s per core")
    best = r["raw"]["events"] / r["raw"]["seconds"]
    lines.append(f"goal: {HTTP_GOAL:,} events/s over HTTP on 2 cores: {'met' if best >= HTTP_GOAL else 'NOT met'} "
                 f"(best {best:,.0f}/s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulk-events", type=int, default=2_000_000)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--http-events", type=int, default=100_000)
    parser.add_argument("--sdk-events", type=int, default=20_000)
    parser.add_argument("--orm-events", type=int, default=5_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--skip-bulk", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args(argv)
    data = usage_data.setup_django()
    scratch = Path(tempfile.mkdtemp(prefix="paceline-usage-ingest-"))
    try:
        if not args.skip_bulk:
            print(report_bulk(measure_bulk(args.bulk_events, args.accounts, args.days, scratch)), flush=True)
        if not args.skip_http:
            print(report_http(measure_http(args.http_events, args.sdk_events, args.orm_events, threads=args.threads,
                                           batch=args.batch, scratch=scratch)), flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if data:
            shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
