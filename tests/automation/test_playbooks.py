"""Playbooks started by hand: tasks and touchpoints dated from the start, progress counted from
them, completion, cancellation, and refusals that leave nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from paceline.automation import services
from paceline.automation.models import Playbook, PlaybookRun, RunStatus
from paceline.core.models import ActivityEvent
from paceline.core.services import Actor
from paceline.customers import services as customer_services
from paceline.customers.models import Task, TaskStatus
from paceline.engagement.models import Touchpoint, TouchpointStatus
from tests.automation.helpers import playbook
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)


def test_start_dates_items_from_the_start_and_owns_them_by_role(leader, csm):
    account = AccountFactory(owner=csm)
    run = services.playbook_start(actor=Actor(csm), playbook=playbook(), account=account, today=START)

    task, touchpoint = Task.objects.get(source="playbook"), Touchpoint.objects.get(source="playbook")
    assert (task.due_date, task.owner) == (START + dt.timedelta(days=2), csm)
    assert (touchpoint.due_date, touchpoint.owner) == (START + dt.timedelta(days=14), leader)
    assert run.started_by == csm and run.items.count() == 2
    assert ActivityEvent.objects.get(kind="playbook.started").payload == {"playbook": "Save the account", "steps": 2}


def test_progress_and_completion_count_deleted_items_as_done(csm):
    account = AccountFactory(owner=csm)
    run = services.playbook_start(actor=Actor(csm), playbook=playbook(), account=account, today=START)
    Touchpoint.objects.filter(source="playbook").delete()
    assert services.run_progress(run) == (1, 2)
    customer_services.task_update(actor=Actor(csm), task=Task.objects.get(source="playbook"), status=TaskStatus.CANCELLED)

    assert services.runs_refresh(run_ids=[run.pk]) == 1
    assert PlaybookRun.objects.get(pk=run.pk).status == RunStatus.COMPLETED
    assert services.runs_refresh() == 0  # once
    assert ActivityEvent.objects.filter(kind="playbook.completed").count() == 1


def test_cancel_closes_what_is_open(csm):
    account = AccountFactory(owner=csm)
    run = services.playbook_start(actor=Actor(csm), playbook=playbook(), account=account, today=START)
    services.playbook_run_cancel(actor=Actor(csm), run=run)

    assert Task.objects.get(source="playbook").status == TaskStatus.CANCELLED
    assert Touchpoint.objects.get(source="playbook").status == TouchpointStatus.CANCELLED
    with pytest.raises(ValidationError) as again:
        services.playbook_run_cancel(actor=Actor(csm), run=PlaybookRun.objects.get(pk=run.pk))
    assert "status" in again.value.message_dict


def test_a_switched_off_or_empty_playbook_is_refused_and_writes_nothing(csm):
    account = AccountFactory(owner=csm)
    off = playbook("Off")
    Playbook.objects.filter(pk=off.pk).update(active=False)
    empty = Playbook.objects.create(name="Empty")
    for book in (Playbook.objects.get(pk=off.pk), empty):
        with pytest.raises(ValidationError) as refused:
            services.playbook_start(actor=Actor(csm), playbook=book, account=account)
        assert "playbook" in refused.value.message_dict
    assert not PlaybookRun.objects.exists() and not Task.objects.exists()



def test_the_worker_completes_runs_on_closing_events_and_daily_on_silent_closes(csm):
    from paceline.automation import tasks

    account = AccountFactory(owner=csm)
    tasks.read_outbox()  # the rules' cursor starts here
    fresh = {"settle": dt.timedelta(0)}
    silent = services.playbook_start(actor=Actor(csm), playbook=playbook("A"), account=account, today=START)
    Touchpoint.objects.filter(playbook_item__run=silent).delete()
    customer_services.task_update(actor=Actor(csm), task=Task.objects.get(playbook_item__run=silent),
                                  status=TaskStatus.CANCELLED)  # no event says so

    assert tasks.read_outbox(**fresh)["playbooks_completed"] == 0
    assert PlaybookRun.objects.get(pk=silent.pk).status == RunStatus.ACTIVE
    assert tasks.rules_daily.call()["playbooks_completed"] == 1  # the daily pass catches it
    assert PlaybookRun.objects.get(pk=silent.pk).status == RunStatus.COMPLETED

    by_event = services.playbook_start(actor=Actor(csm), playbook=playbook("B"), account=account, today=START)
    Touchpoint.objects.filter(playbook_item__run=by_event).delete()
    customer_services.task_update(actor=Actor(csm), task=Task.objects.get(playbook_item__run=by_event),
                                  status=TaskStatus.DONE)
    assert tasks.read_outbox(**fresh)["playbooks_completed"] == 1  # task.completed: within the minute
