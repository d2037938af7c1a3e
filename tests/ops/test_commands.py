"""``paceline demo`` loads once and keeps its login; ``serve`` and ``worker`` refuse what they cannot run."""

from __future__ import annotations

import re
import stat
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.customers.models import (
    Account,
    Contact,
    Interaction,
    RenewalOutcome,
    Subscription,
    Task,
)
from paceline.ops.demo import MARKER
from paceline.ops.logins import login_path
from paceline.ops.tasks import ping
from paceline.users.models import User
from tests.factories import AccountFactory

MODELS = (User, Account, Contact, Subscription, RenewalOutcome, Interaction, Task, AuditEntry, ActivityEvent)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--accounts", "40", *args, stdout=out)
    return out.getvalue()


def _password(output: str) -> str:
    return re.search(r"Password for every demo user: (\S+)", output).group(1)


@pytest.mark.django_db
def test_demo_twice_loads_once_and_prints_the_same_login():
    first_output = _demo()
    first = _counts()
    second_output = _demo()
    assert _counts() == first
    assert first["Account"] == 40 and first["Interaction"] > 1000
    assert first["AuditEntry"] == 1 and ActivityEvent.objects.filter(kind=MARKER).count() == 1
    assert "already loaded (40 accounts" in second_output
    assert "Loaded in" in first_output and "Loaded in" not in second_output
    password = _password(first_output)
    assert _password(second_output) == password
    for username in ("maya", "carlos", "alex"):
        assert username in first_output
        assert User.objects.get(username=username).check_password(password)
    assert stat.S_IMODE(login_path(settings.DATA_DIR).stat().st_mode) == 0o600


@pytest.mark.django_db
def test_demo_refuses_a_database_that_holds_other_accounts():
    AccountFactory(name="Our real customer")
    with pytest.raises(CommandError, match="already holds 1 accounts that are not the demo's"):
        _demo()
    assert list(Account.objects.values_list("name", flat=True)) == ["Our real customer"]


@pytest.mark.django_db
def test_demo_reset_asks_first_and_a_no_changes_nothing(monkeypatch):
    AccountFactory(name="Our real customer")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Reset cancelled"):
        _demo("--reset")
    assert Account.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_demo_reset_yes_wipes_the_database_and_loads_the_demo():
    AccountFactory(name="Our real customer")
    output = _demo("--reset", "--yes")
    assert "Wiped the database" in output
    assert not Account.objects.filter(name="Our real customer").exists()
    assert Account.objects.count() == 40
    assert ActivityEvent.objects.filter(kind=MARKER).count() == 1


def test_demo_refuses_a_bad_anchor():
    with pytest.raises(CommandError, match="not a date"):
        call_command("demo", "--no-serve", "--anchor", "30/06/2025")


def _forget_a_migration() -> str:
    app, name = sorted(MigrationLoader(connection).graph.leaf_nodes())[0]
    MigrationRecorder(connection).migration_qs.filter(app=app, name=name).delete()
    return f"{app}.{name}"


@pytest.mark.django_db
def test_serve_refuses_to_start_with_unapplied_migrations_and_says_what_to_run():
    missing = _forget_a_migration()
    with pytest.raises(CommandError) as err:
        call_command("serve", "--port", "1")
    assert missing in str(err.value)
    assert "paceline migrate" in str(err.value) and "--migrate" in str(err.value)


@pytest.mark.django_db
def test_worker_refuses_a_backend_that_is_not_the_database_queue():
    # The tests run tasks immediately; the worker has nothing to consume then, and says so.
    with pytest.raises(CommandError, match="needs django_tasks_db.DatabaseBackend"):
        call_command("worker")


@pytest.mark.django_db
def test_ping_records_an_event():
    result = ping.enqueue(note="hello")
    event = ActivityEvent.objects.get(kind="ops.ping")
    assert result.return_value == event.pk
    assert event.payload == {"note": "hello"}
