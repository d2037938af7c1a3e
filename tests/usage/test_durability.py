"""Killing the server (SIGKILL) in the middle of a load loses no acknowledged event and, after a
restart and the clients' retries, stores every event exactly once.

A real ``paceline serve`` (gunicorn, two workers) on its own data directory and database: the
embedded SQLite, or a fresh PostgreSQL database when the suite runs on PostgreSQL.
"""

from __future__ import annotations

import base64
import itertools
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import duckdb
import orjson
import psycopg
import pytest
import requests

from benchmarks.usage_ingest import Server

pytestmark = [pytest.mark.slow, pytest.mark.real_clock]

BATCH = 100


def _run(env: dict, *args: str) -> str:
    command = [sys.executable, "-m", "paceline.cli", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)  # noqa: S603
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _batches(n: int) -> list[list[dict]]:
    return [[{"type": "track", "userId": f"u{i % 50}", "event": "Report Viewed", "messageId": f"m-{b}-{i}",
              "context": {"groupId": f"acct-{b % 7}"}} for i in range(BATCH)] for b in range(n)]


def _send(url: str, key: str, batch: list[dict]) -> bool:
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    try:
        response = requests.post(url, data=orjson.dumps({"batch": batch}), timeout=5,
                                 headers={"Authorization": auth, "Content-Type": "application/json"})
    except requests.RequestException:
        return False
    return response.status_code == 200


def _databases() -> list:
    """The database the suite runs on: the embedded SQLite, or PostgreSQL."""
    if os.environ.get("PACELINE_TEST_DATABASE_URL", "").startswith("postgres"):
        return [pytest.param("postgres", marks=pytest.mark.postgres)]
    return ["sqlite"]


@pytest.fixture(params=_databases())
def server_env(request, tmp_path):
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["PACELINE_DATA_DIR"] = str(tmp_path / "data")
    env["PACELINE_SECRET_KEY"] = "durability-test-" + "k" * 40
    env["PACELINE_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    env.pop("DATABASE_URL", None)
    created = None
    if request.param == "postgres":
        base = os.environ["PACELINE_TEST_DATABASE_URL"]
        created = f"paceline_kill_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{created}"')
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + created
    _run(env, "migrate", "--verbosity", "0")
    yield env
    if created:
        with psycopg.connect(os.environ["PACELINE_TEST_DATABASE_URL"], autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def test_sigkill_mid_load_loses_no_acknowledged_event_and_duplicates_none(server_env, tmp_path):
    key = _run(server_env, "shell", "-c",
               "from paceline.core.services import SYSTEM; from paceline.usage.services import write_key_create; "
               "print(write_key_create(actor=SYSTEM, name='load')[1])").strip().splitlines()[-1]
    server = Server(env=server_env)
    url = f"{server.url}/v1/batch"
    batches = _batches(400)
    acknowledged: set[int] = set()
    counter = itertools.count()
    lock = threading.Lock()

    def client() -> None:
        while (b := next(counter)) < len(batches):
            if _send(url, key, batches[b]):
                with lock:
                    acknowledged.add(b)

    server.start()
    try:
        threads = [threading.Thread(target=client) for _ in range(4)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < 60:
            time.sleep(0.01)
        server.kill()  # mid-load: requests in flight die with it
        for thread in threads:
            thread.join()
        assert 60 <= len(acknowledged) < len(batches), "the kill came too late to prove anything"
        killed_with = set(acknowledged)

        server.start()
        # The clients retry what was not acknowledged, and (a lost answer) a few that were.
        retry = [b for b in range(len(batches)) if b not in killed_with] + sorted(killed_with)[:20]
        for b in retry:
            assert _send(url, key, batches[b])
    finally:
        server.stop()

    _run(server_env, "shell", "-c", "from paceline.usage.compactor import inbox_drain; print(inbox_drain().as_dict())")
    files = list((Path(server_env["PACELINE_DATA_DIR"]) / "usage" / "events").glob("month=*/*.parquet"))
    assert files
    glob = str(Path(server_env["PACELINE_DATA_DIR"]) / "usage" / "events" / "month=*" / "*.parquet")
    rows = duckdb.connect().execute("SELECT message_id, count(*) FROM read_parquet($g) GROUP BY 1",
                                    {"g": glob}).fetchall()
    stored = {mid: n for mid, n in rows}
    assert max(stored.values()) == 1, "a message was stored twice"
    expected = {m["messageId"] for batch in batches for m in batch}
    assert set(stored) == expected
    acknowledged_ids = {m["messageId"] for b in killed_with for m in batches[b]}
    assert acknowledged_ids <= set(stored)
