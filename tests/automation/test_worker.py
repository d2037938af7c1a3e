"""Crashes for real: processes killed mid-send and mid-batch, then started again.

Each test runs ``paceline`` as subprocesses on a data directory of its own (an embedded SQLite
file the processes share), exactly as a user runs them, and kills one with SIGKILL: no cleanup,
no rollback handler, just the database's own atomicity.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.automation.receivers import HOLD, Receiver

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.real_clock  # subprocesses keep the real clock


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PACELINE_TASKS_BACKEND"}}
    env.update(DJANGO_SETTINGS_MODULE="paceline.settings", PACELINE_DATA_DIR=str(data_dir),
               PACELINE_SECRET_KEY="worker-test-secret-" + "x" * 40, PYTHONPATH=str(ROOT / "src"))
    return env


def paceline(data_dir: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "paceline.cli", *args], env=_env(data_dir),  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def python(data_dir: Path, code: str) -> dict:
    """Run ``code`` in a Django shell of that data directory; it prints one JSON line last."""
    return json.loads(paceline(data_dir, "shell", "-c", code).strip().splitlines()[-1])


def killed(data_dir: Path, code: str, ready, timeout: float = 60) -> int:
    """Start ``code`` in a shell, wait until ``ready()``, then SIGKILL it; returns its exit code."""
    process = subprocess.Popen([sys.executable, "-m", "paceline.cli", "shell", "-c", code],  # noqa: S603
                               env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"never got ready: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    return process.wait(timeout=30)


@pytest.fixture
def data_dir(tmp_path):
    paceline(tmp_path, "migrate", "-v", "0")
    return tmp_path


def test_a_delivery_half_sent_by_a_killed_worker_is_delivered_once_after_restart(data_dir):
    hook = Receiver([HOLD, 200]).start()
    try:
        made = python(data_dir, f"""
import json
from paceline.automation.models import Channel, Delivery
channel = Channel.objects.create(name="Hook", kind="webhook", target="{hook.url}", secret="s")
d = Delivery.objects.create(channel=channel, subject="s", body="b", payload={{"event": "rule.fired"}},
                            next_attempt_at="2026-01-01T00:00:00Z")
print(json.dumps({{"id": d.pk}}))
""")
        pk = made["id"]
        code = killed(data_dir, f"from paceline.automation.services import delivery_send; delivery_send({pk})",
                      ready=hook.arrived.is_set)
        assert code == -signal.SIGKILL
        state = python(data_dir, f"""
import json, datetime as dt
from paceline.automation.models import Delivery
from paceline.automation.services.delivery import STALE
d = Delivery.objects.get(pk={pk})
print(json.dumps({{"status": d.status, "attempts": d.attempts, "log": d.log.count()}}))
Delivery.objects.filter(pk={pk}).update(claimed_at=d.claimed_at - STALE - dt.timedelta(seconds=1))  # time passes
""")
        assert state == {"status": "sending", "attempts": 0, "log": 0}  # the crash left it half-sent
        hook.release()

        first = paceline(data_dir, "automation", "sweep")
        second = paceline(data_dir, "automation", "sweep")

        assert "revived 1, due 1, delivered 1" in first and "revived 0, due 0, delivered 0" in second
        after = python(data_dir, f"""
import json
from paceline.automation.models import Delivery
d = Delivery.objects.get(pk={pk})
print(json.dumps({{"status": d.status, "codes": list(d.log.values_list("status_code", flat=True))}}))
""")
        assert after == {"status": "delivered", "codes": [200]}
        assert hook.answered() == [None, 200]  # one answered delivery; the receiver dedupes on the id
        assert {r.headers["X-Paceline-Delivery"] for r in hook.requests} == {str(pk)}
    finally:
        hook.stop()


SETUP_RULES = """
import datetime as dt, json
from django.utils import timezone
from paceline.automation import services
from paceline.core.models import ActivityEvent
from paceline.core.services import Actor
from paceline.customers import services as customers
from paceline.customers.models import Account, Contact
acme = Account.objects.create(name="Acme", external_id="acme")
for name in ("Departures A", "Departures B"):
    services.rule_create(actor=Actor(None), name=name, trigger="key_contact_left", cap_days=0,
                         actions=[{"type": "create_task", "params": {"title": name + ": {contact} left"}}])
for name in ("Jane", "Joe"):
    contact = Contact.objects.create(account=acme, name=name, roles=["champion"])
    customers.contact_update(actor=Actor(None), contact=contact, status="left",
                             left_on=timezone.localdate() - dt.timedelta(days=1))
print(json.dumps({"events": ActivityEvent.objects.filter(kind="contact.departed").count()}))
"""

CRASH_MID_BATCH = """
import os, pathlib
from paceline.automation import engine, tasks
real_fire = engine.fire
def fire_then_die(*args, **kwargs):
    summary = real_fire(*args, **kwargs)  # one rule's firings and tasks written, not committed
    pathlib.Path(os.environ["MARK"]).write_text(str(summary.fired))
    import time; time.sleep(60)
engine.fire = fire_then_die
tasks.read_outbox(settle=__import__("datetime").timedelta(0))
"""

COUNTS = """
import json
from paceline.automation.models import Firing
from paceline.core import outbox
from paceline.customers.models import Task
print(json.dumps({"firings": Firing.objects.count(), "tasks": Task.objects.filter(source="rule").count(),
                  "cursor": outbox.position("automation.rules")}))
"""


def test_an_outbox_batch_re_read_after_a_crash_fires_nothing_twice(data_dir, tmp_path, monkeypatch):
    assert "events 0" in paceline(data_dir, "automation", "run")  # the rules' cursor starts here
    start = python(data_dir, COUNTS)["cursor"]
    assert python(data_dir, SETUP_RULES) == {"events": 2}
    mark = tmp_path / "fired"
    monkeypatch.setenv("MARK", str(mark))

    assert killed(data_dir, CRASH_MID_BATCH, ready=mark.exists) == -signal.SIGKILL
    assert mark.read_text() == "2"  # the first rule fired for both departures before the kill
    assert python(data_dir, COUNTS) == {"firings": 0, "tasks": 0, "cursor": start}  # nothing half-written

    restarted = paceline(data_dir, "automation", "run", "--settle", "0")
    assert "events 2" in restarted and "fired 4" in restarted
    after = python(data_dir, COUNTS)
    assert (after["firings"], after["tasks"]) == (4, 4) and after["cursor"] > start

    python(data_dir, f"from paceline.core import outbox; outbox.rewind('automation.rules', {start}); print('{{}}')")
    again = paceline(data_dir, "automation", "run", "--settle", "0")
    assert "fired 0" in again and "skipped duplicate 4" in again  # the departures again, and the tasks made
    assert python(data_dir, COUNTS)["tasks"] == 4
