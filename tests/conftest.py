"""Personas and shared fixtures.

The personas: a CS leader, a CSM, a CSM of another book, a read-only viewer, and anonymous.
(A customer contact has no login; what is shared with them is reached by links, tested where built.)
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from paceline.core.services import Actor
from paceline.users.models import Role
from paceline.users.services import token_create
from tests.factories import AccountFactory, UserFactory

DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, run only the tests whose outcome the database can change.

    The suite runs twice in CI, on SQLite and then on PostgreSQL. Tests that never open the suite's
    database (pure calculations, and processes started on an embedded database of their own) and
    the browser tests (what the browser sees is proven on SQLite; the same views are run against
    PostgreSQL by the client tests) would only repeat themselves. PACELINE_TEST_EVERYTHING=1 keeps
    them all.
    """
    _skip_spark_without_java(items)
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if not on_postgres or os.environ.get("PACELINE_TEST_EVERYTHING") == "1":
        return
    kept, repeated = [], []
    for item in items:
        uses_db = bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))) or \
            item.get_closest_marker("django_db") is not None or item.get_closest_marker("postgres") is not None
        (kept if uses_db and not item.get_closest_marker("browser") else repeated).append(item)
    if repeated:
        config.hook.pytest_deselected(items=repeated)
        items[:] = kept


def _skip_spark_without_java(items) -> None:
    """Spark needs a Java runtime, which pip cannot bring: without one, the Spark tests are skipped
    with the reason, unless ``PACELINE_REQUIRE_SPARK`` is set (CI sets it, so there they run)."""
    if shutil.which("java") or os.environ.get("PACELINE_REQUIRE_SPARK"):
        return
    skip = pytest.mark.skip(reason="Spark needs Java 17+ (not found on PATH); .ci/run installs it")
    for item in items:
        if "spark" in item.keywords:
            item.add_marker(skip)


def _start_of_the_run() -> dt.datetime:
    """Now, or an hour before midnight if the run starts later than that."""
    now = timezone.localtime()
    last_hour = now.replace(hour=23, minute=0, second=0, microsecond=0)
    return min(now, last_hour)


RUN_STARTED = _start_of_the_run()


@pytest.fixture(autouse=True)
def _one_date_for_the_whole_run(request):
    """Every test starts at the instant the run started, and its clock ticks from there.

    Modules compute TODAY when imported; a run that crosses midnight would otherwise compare
    yesterday's TODAY with the code's today. Tests that start subprocesses (which this clock
    cannot reach) are marked real_clock and keep the real one.
    """
    if request.node.get_closest_marker("real_clock"):
        yield
        return
    with time_machine.travel(RUN_STARTED, tick=True):
        yield


@pytest.fixture
def leader(db):
    return UserFactory(username="lena", first_name="Lena", last_name="Leader", role=Role.LEADER, is_staff=True)


@pytest.fixture
def csm(db):
    return UserFactory(username="carl", first_name="Carl", last_name="Csm", role=Role.CSM)


@pytest.fixture
def other_csm(db):
    return UserFactory(username="olga", first_name="Olga", last_name="Other", role=Role.CSM)


@pytest.fixture
def viewer(db):
    return UserFactory(username="vic", first_name="Vic", last_name="Viewer", role=Role.VIEWER)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for():
    return _client_for


@pytest.fixture
def leader_client(leader):
    return _client_for(leader)


@pytest.fixture
def csm_client(csm):
    return _client_for(csm)


@pytest.fixture
def other_csm_client(other_csm):
    return _client_for(other_csm)


@pytest.fixture
def viewer_client(viewer):
    return _client_for(viewer)


@pytest.fixture
def anon_client():
    return Client()


@pytest.fixture
def account(csm):
    return AccountFactory(name="Acme Corp", external_id="acme", owner=csm)


@pytest.fixture
def actor(csm):
    return Actor(user=csm, via="web")


@pytest.fixture
def api_token_for(db):
    """A raw API token for a user: ``api_token_for(user)`` -> "pl_..."."""

    def make(user) -> str:
        _, raw = token_create(actor=Actor(user=user, via="cli"), user=user, name="tests")
        return raw

    return make

