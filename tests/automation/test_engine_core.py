"""The engine end to end on real rows: trigger → conditions → dedupe → cap → actions, with why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paceline.automation import engine, services
from paceline.automation.models import Firing, FiringStatus
from paceline.core.models import ActivityEvent
from paceline.core.services import Actor
from paceline.customers import services as customer_services
from paceline.customers.models import ContactStatus, Task
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _departure_rule(leader, **extra):
    return services.rule_create(
        actor=Actor(leader), name="Champion left", trigger="key_contact_left",
        actions=[{"type": "create_task", "params": {"title": "Find a new champion at {account} ({contact} left)"}}],
        **extra,
    )


def _depart(contact, leader, day=None):
    day = day or timezone.localdate() - dt.timedelta(days=1)
    customer_services.contact_update(actor=Actor(leader), contact=contact, status=ContactStatus.LEFT, left_on=day)
    return list(ActivityEvent.objects.filter(kind="contact.departed").order_by("id"))


def test_a_departed_champion_fires_once_with_why_and_a_task(leader, csm):
    account = AccountFactory(name="Acme", owner=csm)
    champion = ContactFactory(account=account, name="Jane Roe", roles=["champion"])
    rule = _departure_rule(leader)
    events = _depart(champion, leader)

    summary = engine.evaluate_events(events)
    again = engine.evaluate_events(events)  # the same batch read twice (a crash before the cursor moved)

    assert (summary.fired, again.fired, again.skipped["duplicate"]) == (1, 0, 1)
    firing = Firing.objects.get(rule=rule)
    assert firing.why["contact"] == "Jane Roe" and firing.status == FiringStatus.DONE
    task = Task.objects.get(pk=firing.outcome[0]["task_id"])
    assert task.title == "Find a new champion at Acme (Jane Roe left)" and task.owner == csm
    assert "Why: Champion left: contact Jane Roe" in task.description


def test_conditions_snooze_and_cap_hold_back(leader, csm):
    big = AccountFactory(name="Big", segment="enterprise")
    small = AccountFactory(name="Small", segment="smb")
    rule = _departure_rule(leader, conditions=[{"field": "segment", "op": "eq", "value": "enterprise"}], cap_count=1, cap_days=30)
    events = _depart(ContactFactory(account=small, roles=["champion"]), leader)
    assert engine.evaluate_events(events).skipped["condition"] == 1

    first = ContactFactory(account=big, roles=["champion"])
    second = ContactFactory(account=big, roles=["executive_sponsor"])
    third = ContactFactory(account=big, roles=["champion"])
    e1 = _depart(first, leader)[-1:]
    assert engine.evaluate_events(e1).fired == 1
    e2 = _depart(second, leader)[-1:]
    assert engine.evaluate_events(e2).capped == 1  # a second cause within the cap: logged, no actions
    assert Firing.objects.filter(rule=rule, status=FiringStatus.CAPPED, outcome=[]).count() == 1

    services.snooze_set(actor=Actor(csm), rule=rule, account=big, until=timezone.localdate() + dt.timedelta(days=3))
    e3 = _depart(third, leader)[-1:]
    assert engine.evaluate_events(e3).skipped["snoozed"] == 1


def test_escalation_walks_past_departed_managers(leader, csm):
    account = AccountFactory(name="Acme", owner=csm)
    ceo = ContactFactory(account=account, name="Cora CEO", title="CEO")
    vp = ContactFactory(account=account, name="Vic VP", reports_to=ceo, status=ContactStatus.LEFT, left_on=dt.date(2026, 1, 1))
    primary = ContactFactory(account=account, name="Pat Primary", reports_to=vp, is_primary=True)

    esc = services.escalate(actor=Actor(leader), account=account, reason="two meetings missed")

    assert (esc.from_contact, esc.to_contact) == (primary, ceo)
    assert esc.task.title == "Escalate to Cora CEO (CEO) at Acme" and esc.task.owner == csm
    assert account.interactions.filter(kind="note", subject__startswith="Escalation").exists()

    lone = AccountFactory(name="Lone", owner=csm)
    ContactFactory(account=lone, name="Sam Solo", is_primary=True)
    gap = services.escalate(actor=Actor(leader), account=lone, reason="no reply in 30 days")
    assert gap.to_contact is None and gap.task.title.startswith("Establish an escalation contact above Sam Solo")
