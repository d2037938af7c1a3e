"""The escalation path: up the chain of command past those who left, safe against loops, from a
champion when there is no primary contact, and the gap as a task when nobody is above."""

from __future__ import annotations

import datetime as dt

import pytest

from paceline.automation import services
from paceline.automation.models import Escalation
from paceline.core.models import ActivityEvent
from paceline.core.services import Actor
from paceline.customers.models import Contact, ContactStatus
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db
LEFT = {"status": ContactStatus.LEFT, "left_on": dt.date(2026, 1, 5)}


def test_walks_several_levels_past_everyone_who_left(leader, csm):
    account = AccountFactory(name="Acme", owner=csm)
    ceo = ContactFactory(account=account, name="Cy CEO", title="CEO", email="cy@acme.test")
    svp = ContactFactory(account=account, name="Sue SVP", reports_to=ceo, **LEFT)
    vp = ContactFactory(account=account, name="Val VP", reports_to=svp, **LEFT)
    director = ContactFactory(account=account, name="Dee Director", reports_to=vp, **LEFT)
    primary = ContactFactory(account=account, name="Pat Primary", title="Manager", reports_to=director, is_primary=True)

    esc = services.escalate(actor=Actor(leader), account=account, reason="three meetings declined")

    assert (esc.from_contact, esc.to_contact) == (primary, ceo)
    assert "Pat Primary (Manager) has gone quiet; Cy CEO is next up their chain of command (cy@acme.test)." in esc.task.description
    assert esc.task.description.startswith("Why: three meetings declined.")
    note = account.interactions.get(kind="note")
    assert note.subject == "Escalation: three meetings declined" and note.summary == esc.task.description
    event = ActivityEvent.objects.get(kind="escalation.created")
    assert event.payload == {"reason": "three meetings declined", "from_contact_id": primary.pk,
                             "to_contact_id": ceo.pk, "gap": False}


def test_the_next_active_manager_is_chosen_not_the_top(leader):
    account = AccountFactory()
    top = ContactFactory(account=account, name="Top")
    middle = ContactFactory(account=account, name="Middle", reports_to=top)
    primary = ContactFactory(account=account, is_primary=True, reports_to=middle)
    assert services.next_up(primary) == middle


def test_a_loop_in_the_chain_ends_in_the_gap_task(leader, csm):
    account = AccountFactory(name="Loop Inc", owner=csm)
    a = ContactFactory(account=account, name="Ann", **LEFT)
    b = ContactFactory(account=account, name="Ben", reports_to=a, **LEFT)
    Contact.objects.filter(pk=a.pk).update(reports_to=b)  # a cycle of people who left
    primary = ContactFactory(account=account, name="Pia", title="", is_primary=True, reports_to=a)

    esc = services.escalate(actor=Actor(leader), account=account, reason="silence")

    assert esc.from_contact == primary and esc.to_contact is None
    assert esc.task.title == "Establish an escalation contact above Pia at Loop Inc"


def test_without_a_primary_a_champion_is_the_start(leader, csm):
    account = AccountFactory(owner=csm)
    boss = ContactFactory(account=account, name="Bo Boss")
    ContactFactory(account=account, name="Former Champ", roles=["champion"], reports_to=boss, **LEFT)
    champion = ContactFactory(account=account, name="Cat Champion", roles=["champion"], reports_to=boss)
    ContactFactory(account=account, name="Ed User", roles=["end_user"])

    esc = services.escalate(actor=Actor(leader), account=account, reason="silence")

    assert (esc.from_contact, esc.to_contact) == (champion, boss)
    assert esc.task.owner == csm and esc.task.priority == "high" and esc.task.source == "escalation"


def test_nobody_above_and_no_contact_at_all_become_the_task(leader):
    lone = AccountFactory(name="Lone")
    ContactFactory(account=lone, name="Sam Solo", title="", is_primary=True)
    empty = AccountFactory(name="Empty")

    gap = services.escalate(actor=Actor(leader), account=lone, reason="no reply", due_in_days=4,
                            today=dt.date(2026, 3, 2))
    nothing = services.escalate(actor=Actor(leader), account=empty, reason="no reply")

    assert gap.to_contact is None and gap.task.due_date == dt.date(2026, 3, 6)
    assert "Nobody is known above Sam Solo: find who they report to" in gap.task.description
    assert nothing.from_contact is None and nothing.task.title == "Establish an escalation contact above the primary contact at Empty"
    assert nothing.task.owner == leader  # no CSM on the account: a CS leader owns it
    assert Escalation.objects.count() == 2
    assert [e.payload["gap"] for e in ActivityEvent.objects.filter(kind="escalation.created")] == [True, True]



def test_a_primary_who_left_gives_way_to_a_champion_and_the_note_is_no_conversation(leader, csm, make_rule):
    from django.utils import timezone

    from paceline.automation import engine
    from tests.factories import InteractionFactory

    account = AccountFactory(owner=csm)
    boss = ContactFactory(account=account, name="Bo Boss")
    ContactFactory(account=account, name="Gone Primary", is_primary=True, reports_to=boss, **LEFT)
    champion = ContactFactory(account=account, name="Cat Champion", roles=["champion"])
    InteractionFactory(account=account, kind="call", occurred_at=timezone.now() - dt.timedelta(days=45))
    rule = make_rule("no_interaction", trigger_params={"days": 30}, actions=[{"type": "escalate", "params": {}}])

    assert engine.evaluate_scheduled().fired == 1
    esc = Escalation.objects.get(firing__rule=rule)
    assert esc.from_contact == champion and esc.to_contact is None  # the champion reports to nobody known
    assert account.interactions.filter(kind="note").count() == 1
    assert engine.evaluate_scheduled(today=timezone.localdate() + dt.timedelta(days=1)).skipped["duplicate"] == 1
