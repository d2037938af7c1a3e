"""The success plans' daily jobs: what each does, that they are scheduled, the cron command, and real
workers that run them from the schedule and stop on SIGTERM."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from paceline.core import schedule
from paceline.core.models import ActivityEvent
from paceline.success import tasks
from paceline.success.models import ActionItem, Measurement, PaceStatus
from tests.factories import ContactFactory, GoalFactory, SuccessMetricFactory

ROOT = Path(__file__).resolve().parents[2]
RESULTS = DBTaskResult._meta.db_table
OURS = "task_path LIKE 'paceline.success.tasks.%'"  # other apps schedule jobs too
TODAY = timezone.localdate()


def test_the_three_daily_jobs_are_scheduled_values_first():
    daily = [j for j in schedule.jobs() if j.name.startswith("success.")]
    assert [(j.name, str(j.cadence), j.task) for j in daily] == [
        ("success.refresh_computed", "daily at 04:30", tasks.refresh_computed),
        ("success.plans_evaluate", "daily at 05:00", tasks.plans_evaluate),
        ("success.commitments_check", "daily at 05:00", tasks.commitments_check),
    ]
    assert tasks.refresh_computed.priority > tasks.plans_evaluate.priority


@pytest.mark.django_db
def test_plans_evaluate_changes_a_status_just_because_a_day_passed():
    metric = SuccessMetricFactory(baseline_date=TODAY - dt.timedelta(days=5), target_date=TODAY + dt.timedelta(days=4))
    metric.goal.status = "active"
    metric.goal.save()
    result = tasks.plans_evaluate.enqueue(today=(TODAY - dt.timedelta(days=1)).isoformat())
    assert result.return_value == {"metrics": 1}
    metric.refresh_from_db()
    assert metric.pace_status == PaceStatus.NO_DATA  # four days of nine gone, nothing measured yet
    assert tasks.plans_evaluate.enqueue(today=TODAY.isoformat()).return_value == {"metrics": 1}
    metric.refresh_from_db()
    assert metric.pace_status == PaceStatus.AT_RISK and metric.evaluated_on == TODAY  # five of nine: past half the time
    assert ActivityEvent.objects.filter(kind="success.metric_behind_pace").count() == 1


@pytest.mark.django_db
def test_a_missed_commitment_is_reported_once_across_two_runs():
    goal = GoalFactory(status="active")
    owner = ContactFactory(account=goal.plan.account)
    action = ActionItem.objects.create(goal=goal, title="Send the approver list", side="customer",
                                       owner_contact=owner, due_on=TODAY - dt.timedelta(days=2))
    assert tasks.commitments_check.enqueue().return_value == {"missed": 1}
    assert tasks.commitments_check.enqueue().return_value == {"missed": 0}
    events = ActivityEvent.objects.filter(kind="success.commitment_missed.customer")
    assert events.count() == 1 and events.get().subject_id == str(action.pk)
    action.refresh_from_db()
    assert action.missed_on == TODAY


@pytest.mark.django_db
def test_refresh_computed_records_the_value_of_a_bound_metric():
    metric = SuccessMetricFactory(source="customers.active_contacts", goal__status="active")
    ContactFactory.create_batch(3, account=metric.goal.plan.account)
    assert tasks.refresh_computed.enqueue().return_value == {"recorded": 1, "unknown": 0, "unregistered": 0}
    measurement = Measurement.objects.get(metric=metric)
    assert (measurement.value, measurement.source, measurement.measured_on) == (Decimal(3), "computed", TODAY)


@pytest.mark.django_db
def test_success_daily_runs_the_three_jobs_and_says_what_they_did():
    goal = GoalFactory(status="active")
    ActionItem.objects.create(goal=goal, title="Name an admin", side="customer",
                              owner_contact=ContactFactory(account=goal.plan.account),
                              due_on=TODAY - dt.timedelta(days=1))
    SuccessMetricFactory(goal=goal, source="customers.active_contacts")
    out = StringIO()
    call_command("success", "daily", stdout=out)
    text = out.getvalue()
    assert f"daily work for {TODAY.isoformat()}" in text
    assert "computed metrics: 1 values recorded" in text
    assert "pace: 1 metrics of open goals evaluated" in text
    assert "commitments: 1 newly missed" in text
    out = StringIO()
    call_command("success", "daily", stdout=out)
    assert "commitments: 0 newly missed" in out.getvalue()
    assert ActivityEvent.objects.filter(kind="success.commitment_missed.customer").count() == 1


@pytest.mark.django_db
def test_success_daily_refuses_a_date_it_cannot_use():
    with pytest.raises(CommandError, match="'31/12/2024' is not a date"):
        call_command("success", "daily", "--date", "31/12/2024")
    with pytest.raises(CommandError, match="is in the future"):
        call_command("success", "daily", "--date", (TODAY + dt.timedelta(days=1)).isoformat())


# Real workers ----------------------------------------------------------------------------------

SEED = """
import datetime as dt
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from paceline.customers.models import Account, Contact
from paceline.success.models import ActionItem, Goal, SuccessMetric, SuccessPlan
today = timezone.localdate()
account = Account.objects.create(name="Acme", external_id="acme")
ann = Contact.objects.create(account=account, name="Ann Lee", email="ann@acme.example")
goal = Goal.objects.create(plan=SuccessPlan.objects.create(account=account, title="Year 1"), title="Go live", status="active")
ActionItem.objects.create(goal=goal, title="Send the approver list", side="customer", owner_contact=ann,
                          due_on=today - dt.timedelta(days=3))
SuccessMetric.objects.create(goal=goal, name="People we know", unit="count", baseline=0, target=10,
                             baseline_date=today - dt.timedelta(days=30), target_date=today + dt.timedelta(days=30),
                             source="customers.active_contacts")
"""


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PACELINE_TASKS_BACKEND"}}
    env.update(DJANGO_SETTINGS_MODULE="paceline.settings", PACELINE_DATA_DIR=str(data_dir),
               PACELINE_SECRET_KEY="worker-test-secret-" + "x" * 40, PYTHONPATH=str(ROOT / "src"))
    return env


def _paceline(data_dir: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "paceline.cli", *args], env=_env(data_dir),  # noqa: S603
                   capture_output=True, text=True, timeout=120, check=True)


def _rows(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "paceline.sqlite3") as db:
        return db.execute(sql).fetchall()


@pytest.mark.real_clock
def test_two_workers_run_each_due_daily_job_once_and_stop_on_sigterm(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _paceline(data_dir, "migrate", "-v", "0")
    _paceline(data_dir, "shell", "-c", SEED)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "paceline.cli", "worker", "--interval", "0.2", "--schedule-interval", "0.3"],
            env=_env(data_dir), stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    codes = []
    try:
        deadline = time.monotonic() + 60
        done = []
        while time.monotonic() < deadline:
            done = _rows(data_dir, f"SELECT task_path, status FROM {RESULTS} WHERE {OURS}")  # noqa: S608
            if len(done) >= 3 and all(status == "SUCCESSFUL" for _, status in done):
                break
            time.sleep(0.3)
        time.sleep(1.5)  # several more ticks of both schedulers: nothing more may be enqueued
        done = _rows(data_dir, f"SELECT task_path, status FROM {RESULTS} WHERE {OURS} ORDER BY task_path")  # noqa: S608
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(timeout=30) for worker in workers]
    assert done == [
        ("paceline.success.tasks.commitments_check", "SUCCESSFUL"),
        ("paceline.success.tasks.plans_evaluate", "SUCCESSFUL"),
        ("paceline.success.tasks.refresh_computed", "SUCCESSFUL"),
    ]
    assert _rows(data_dir, "SELECT name, enqueued, last_trigger FROM core_scheduledrun WHERE name LIKE 'success.%' ORDER BY name") == [
        ("success.commitments_check", 1, "schedule"),
        ("success.plans_evaluate", 1, "schedule"),
        ("success.refresh_computed", 1, "schedule"),
    ]
    # The jobs did their work: one missed commitment reported, today's computed value recorded.
    assert _rows(data_dir, "SELECT count(*) FROM core_activityevent WHERE kind = 'success.commitment_missed.customer'") == [(1,)]
    assert _rows(data_dir, "SELECT value, source FROM success_measurement") == [(1, "computed")]
    assert codes == [0, 0]
    for log in logs:
        text = log.read_text()
        assert "with the scheduler (" in text
        assert "shutting down" in text and "Scheduler stopped" in text


@pytest.mark.real_clock
def test_a_worker_without_its_scheduler_enqueues_nothing(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _paceline(data_dir, "migrate", "-v", "0")
    _paceline(data_dir, "worker", "--batch", "--no-scheduler")
    assert _rows(data_dir, f"SELECT count(*) FROM {RESULTS}") == [(0,)]  # noqa: S608
    _paceline(data_dir, "worker", "--batch")  # one tick, then the queue: what cron would run
    assert _rows(data_dir, f"SELECT count(*), min(status) FROM {RESULTS} WHERE {OURS}") == [(3, "SUCCESSFUL")]  # noqa: S608
