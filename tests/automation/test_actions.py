"""Each action a rule takes, run by the engine on a real event; one failing action is logged on
the firing and does not undo the others."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paceline.automation import engine, services
from paceline.automation.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Escalation,
    Firing,
    FiringStatus,
    Playbook,
    PlaybookRun,
    RunStatus,
)
from paceline.core.services import Actor
from paceline.customers import services as customer_services
from paceline.customers.models import ContactStatus, Task, TaskStatus
from paceline.engagement import services as engagement_services
from paceline.engagement.models import Touchpoint
from tests.automation.helpers import events, playbook
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def depart(leader, account, name="Jane Roe"):
    contact = ContactFactory(account=account, name=name, roles=["champion"])
    customer_services.contact_update(actor=Actor(leader), contact=contact, status=ContactStatus.LEFT,
                                     left_on=timezone.localdate() - dt.timedelta(days=1))
    return contact


def fire_departures():
    return engine.evaluate_events(events("contact.departed"))


def test_create_task_fills_placeholders_and_owner_role(make_rule, leader, csm):
    account = AccountFactory(name="Acme", owner=csm)
    make_rule("key_contact_left", actions=[
        {"type": "create_task", "params": {"title": "{contact} left {account} ({rule})", "due_in_days": 5,
                                           "description": "Owner {owner}; {unknown} stays", "priority": "normal"}},
        {"type": "create_task", "params": {"title": "Review {account}", "owner_role": "leader"}},
    ], name="Departures")
    depart(leader, account)
    fire_departures()

    mine, review = Task.objects.filter(source="rule").order_by("id")
    assert mine.title == "Jane Roe left Acme (Departures)" and mine.owner == csm and mine.priority == "normal"
    assert mine.due_date == timezone.localdate() + dt.timedelta(days=5)
    assert mine.description.startswith("Owner Carl Csm; {unknown} stays\n\nWhy: Departures: contact Jane Roe")
    assert review.owner == leader and review.priority == "high"


def test_start_playbook_makes_tasks_and_touchpoints_and_progress_counts_them(make_rule, leader, csm):
    account = AccountFactory(owner=csm)
    book = playbook()
    make_rule("key_contact_left", actions=[{"type": "start_playbook", "params": {"playbook": str(book.pk)}}])
    depart(leader, account)
    assert fire_departures().fired == 1
    firing = Firing.objects.get()

    run = PlaybookRun.objects.get(account=account)
    assert run.firing == firing and run.playbook == book and firing.outcome[0]["run_id"] == run.pk
    task = Task.objects.get(source="playbook")
    touchpoint = Touchpoint.objects.get(source="playbook")
    assert (task.title, task.owner, task.due_date) == ("Call the sponsor", csm, timezone.localdate() + dt.timedelta(days=2))
    assert (touchpoint.name, touchpoint.owner, touchpoint.kind) == ("Executive review", leader, "meeting")
    assert services.run_progress(run) == (0, 2)

    customer_services.task_update(actor=Actor(csm), task=task, status=TaskStatus.DONE)
    assert services.run_progress(PlaybookRun.objects.get(pk=run.pk)) == (1, 2)
    assert services.runs_refresh() == 0
    engagement_services.touchpoint_complete(actor=Actor(csm), touchpoint=touchpoint, result="Agreed a new sponsor")
    assert services.runs_refresh() == 1
    assert PlaybookRun.objects.get(pk=run.pk).status == RunStatus.COMPLETED


def test_escalate_action_records_the_escalation_on_the_firing(make_rule, leader, csm):
    account = AccountFactory(name="Acme", owner=csm)
    boss = ContactFactory(account=account, name="Bea Boss", title="VP")
    ContactFactory(account=account, name="Pat Primary", is_primary=True, reports_to=boss)
    make_rule("key_contact_left", actions=[{"type": "escalate", "params": {"due_in_days": 1}}])
    depart(leader, account)
    fire_departures()

    firing = Firing.objects.get()
    esc = Escalation.objects.get(firing=firing)
    assert firing.outcome[0] == {"ok": True, "action": "escalate", "escalation_id": esc.pk, "task_id": esc.task_id,
                                 "to": "Bea Boss"}
    assert esc.task.due_date == timezone.localdate() + dt.timedelta(days=1)


def test_notify_queues_a_delivery_sent_after_commit(make_rule, leader, csm, receiver,
                                                    django_capture_on_commit_callbacks):
    hook = receiver(200)
    Channel.objects.create(name="CS alerts", kind="slack", target=hook.url)
    account = AccountFactory(name="Acme", owner=csm)
    make_rule("key_contact_left", name="Champion left", actions=[{"type": "notify", "params": {"channel": "CS alerts"}}])
    depart(leader, account)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fire_departures()
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING and hook.requests == []  # nothing leaves before commit
    for callback in callbacks:
        callback()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.firing == Firing.objects.get()
    assert delivery.payload["account"]["name"] == "Acme" and delivery.payload["event"] == "rule.fired"
    assert b"Champion left fired for Acme (owner: Carl Csm)" in hook.requests[0].body


def test_set_field_changes_the_account_through_its_service(make_rule, leader):
    account = AccountFactory(lifecycle_stage="adoption")
    make_rule("key_contact_left", actions=[{"type": "set_field", "params": {"field": "lifecycle_stage", "value": "renewal"}}])
    depart(leader, account)
    fire_departures()

    account.refresh_from_db()
    assert account.lifecycle_stage == "renewal"
    assert Firing.objects.get().outcome == [{"ok": True, "action": "set_field", "field": "lifecycle_stage",
                                             "from": "adoption", "to": "renewal"}]
    assert events("account.stage_changed")[0].payload == {"from": "adoption", "to": "renewal"}


def test_a_failing_action_is_logged_and_the_others_stand(make_rule, leader, csm):
    account = AccountFactory(owner=csm)
    book = playbook()
    make_rule("key_contact_left", actions=[
        {"type": "create_task", "params": {"title": "Before"}},
        {"type": "start_playbook", "params": {"playbook": book.name}},
        {"type": "create_task", "params": {"title": "After"}},
    ])
    Playbook.objects.filter(pk=book.pk).update(active=False)  # switched off after the rule was saved
    depart(leader, account)

    summary = fire_departures()

    firing = Firing.objects.get()
    assert (summary.fired, summary.failed, firing.status) == (1, 1, FiringStatus.FAILED)
    assert [o["ok"] for o in firing.outcome] == [True, False, True]
    assert "switched off" in firing.outcome[1]["error"] and firing.outcome[1]["action"] == "start_playbook"
    assert sorted(Task.objects.filter(source="rule").values_list("title", flat=True)) == ["After", "Before"]
    assert not PlaybookRun.objects.exists() and not Task.objects.filter(source="playbook").exists()
