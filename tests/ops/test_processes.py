"""The real processes: the worker runs a queued task and stops on SIGTERM; the demo serves and stops.

They run as subprocesses with their own data directory and embedded database (whatever database
the rest of the suite uses), exactly as a user starts them.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from paceline.core.models import ActivityEvent
from paceline.ops.runtime import Supervisor

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.real_clock  # subprocesses keep the real clock


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PACELINE_TASKS_BACKEND"}}
    env.update(
        DJANGO_SETTINGS_MODULE="paceline.settings",
        PACELINE_DATA_DIR=str(data_dir),
        PACELINE_SECRET_KEY="process-test-secret-" + "x" * 40,
        PACELINE_WEB_WORKERS="1",
        PACELINE_DEMO_EVENTS="20000",  # serving is what is tested here, not the usage history
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def _paceline(data_dir: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "paceline.cli", *args], env=_env(data_dir), capture_output=True, text=True,
        timeout=120, check=True, **kwargs,
    )


def _start(data_dir: Path, log: Path, *args: str) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "paceline.cli", *args], env=_env(data_dir), stdout=handle, stderr=subprocess.STDOUT
    )


def _wait_for(condition, timeout: float = 30.0, what: str = "it"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("paceline-data")
    _paceline(path, "migrate", "-v", "0")
    return path


def _rows(data_dir: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(data_dir / "paceline.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def test_the_worker_runs_a_queued_task_and_stops_on_sigterm(data_dir, tmp_path):
    enqueued = _paceline(
        data_dir, "shell", "-c",
        "from paceline.ops.tasks import ping; print(ping.enqueue(note='from the queue').id)",
    )
    task_id = enqueued.stdout.strip().splitlines()[-1]
    results = DBTaskResult._meta.db_table
    assert _rows(data_dir, f"SELECT status FROM {results} WHERE id = ?", task_id.replace("-", "")) == [("READY",)]  # noqa: S608
    log = tmp_path / "worker.log"
    worker = _start(data_dir, log, "worker", "--interval", "0.2")
    try:
        events = ActivityEvent._meta.db_table
        done = _wait_for(
            lambda: _rows(data_dir, f"SELECT payload FROM {events} WHERE kind = 'ops.ping'"),  # noqa: S608
            what="the worker to run the task",
        )
        assert "from the queue" in done[0][0]
        assert _rows(data_dir, f"SELECT status FROM {results} WHERE id = ?", task_id.replace("-", "")) == [  # noqa: S608
            ("SUCCESSFUL",)
        ]
    finally:
        code = _stop(worker)
    assert code == 0
    assert "shutting down" in log.read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_demo_serves_with_a_worker_lets_the_printed_login_in_and_stops_on_sigterm(data_dir, tmp_path):
    port = _free_port()
    log = tmp_path / "demo.log"
    demo = _start(data_dir, log, "demo", "--accounts", "12", "--port", str(port))
    try:
        _wait_for(lambda: "Press Ctrl-C to stop" in log.read_text(), timeout=90, what="the demo to start")
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

        def login_page():
            try:
                return opener.open(f"{base}/login/", timeout=5).read().decode()
            except OSError:
                return None

        page = _wait_for(login_page, what="the web app to answer")
        css = opener.open(f"{base}/static/paceline/paceline.css", timeout=5)
        assert css.status == 200 and b"{" in css.read()
        password = re.search(r"Password for every demo user: (\S+)", log.read_text()).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "carlos", "password": password})
        login = urllib.request.Request(f"{base}/login/", data=form.encode(), headers={"Referer": base})  # noqa: S310
        landed = opener.open(login)
        assert "/login/" not in landed.url
        # the worker starts beside the web app; it may log after the first page is served
        _wait_for(lambda: re.search(r"worker_id=\S+ queues=default", log.read_text()), what="the worker to start")
    finally:
        code = _stop(demo)
    assert code == 0
    output = log.read_text()
    assert "Stopped." in output
    assert "Shutting down: Master" in output and "shutting down gracefully" in output


def test_the_supervisor_stops_everyone_when_one_child_dies():
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    failing = [sys.executable, "-c", "import sys, time; time.sleep(0.5); sys.exit(3)"]
    supervisor = Supervisor({"sleeper": sleeper, "failing": failing}, env=dict(os.environ), grace=5)
    assert supervisor.run() == 3
    assert supervisor.children["sleeper"].returncode == -signal.SIGTERM
