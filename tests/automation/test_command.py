"""``paceline automation run|daily|sweep``: each does its work now and prints what it did."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from paceline.automation.models import Channel, Delivery, DeliveryStatus, Firing
from paceline.core.services import Actor
from paceline.customers import services as customer_services
from paceline.customers.models import ContactStatus, Task
from tests.factories import AccountFactory, ContactFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def automation(*args) -> str:
    out = io.StringIO()
    call_command("automation", *args, stdout=out)
    return out.getvalue()


def test_run_fires_event_rules_on_new_activity_only(make_rule, leader):
    rule = make_rule("key_contact_left")
    old = ContactFactory(roles=["champion"])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    customer_services.contact_update(actor=Actor(leader), contact=old, status=ContactStatus.LEFT, left_on=yesterday)
    assert "events 0" in automation("run")  # the first run starts at the end: history does not fire

    new = ContactFactory(roles=["champion"])
    customer_services.contact_update(actor=Actor(leader), contact=new, status=ContactStatus.LEFT, left_on=yesterday)
    assert "events 0" in automation("run")  # younger than the settle time: not yet
    out = automation("run", "--settle", "0")

    assert out.startswith("Event rules: events 1, candidates 1, fired 1") and "playbooks completed 0" in out
    assert Firing.objects.get(rule=rule).cause == f"contact:{new.pk}:left"
    assert "fired 0" in automation("run", "--settle", "0")


def test_daily_scans_for_the_given_date(make_rule):
    make_rule("no_interaction", trigger_params={"days": 30})
    account = AccountFactory()
    InteractionFactory(account=account, kind="call", occurred_at=timezone.now() - dt.timedelta(days=20))
    today = timezone.localdate()

    assert "fired 0" in automation("daily")
    later = (today + dt.timedelta(days=15)).isoformat()
    out = automation("daily", "--date", later)

    assert out.startswith(f"Scheduled rules for {later}: candidates 1, fired 1")
    assert Task.objects.get(source="rule").account == account


def test_daily_refuses_a_date_that_is_not_one():
    with pytest.raises(CommandError, match="--date 'tomorrow' is not a date"):
        automation("daily", "--date", "tomorrow")
    with pytest.raises(CommandError, match="--settle cannot be negative"):
        automation("run", "--settle", "-1")


def test_sweep_sends_what_is_due(receiver):
    hook = receiver(200)
    channel = Channel.objects.create(name="Hook", kind="slack", target=hook.url)
    due = Delivery.objects.create(channel=channel, subject="s", body="b", next_attempt_at=timezone.now())
    Delivery.objects.create(channel=channel, subject="later", body="b", next_attempt_at=timezone.now() + dt.timedelta(hours=1))

    assert automation("sweep") == "Notifications: revived 0, due 1, delivered 1\n"
    assert Delivery.objects.get(pk=due.pk).status == DeliveryStatus.DELIVERED and len(hook.requests) == 1


def test_a_rule_whose_stored_params_went_bad_is_skipped_and_does_not_stop_the_others(make_rule, leader):
    from paceline.automation.models import Rule
    from paceline.core import outbox

    good = make_rule("key_contact_left")
    bad = make_rule("usage_dropped")
    bad_daily = make_rule("no_interaction")
    Rule.objects.filter(pk=bad.pk).update(trigger_params={"drop_pct": "a lot"})  # written around the service
    Rule.objects.filter(pk=bad_daily.pk).update(trigger_params={"days": 0})
    automation("run")
    contact = ContactFactory(roles=["champion"])
    customer_services.contact_update(actor=Actor(leader), contact=contact, status=ContactStatus.LEFT,
                                     left_on=timezone.localdate())

    out = automation("run", "--settle", "0")

    assert "fired 1" in out and "skipped invalid rule 1" in out
    assert good.firings.count() == 1 and outbox.position("automation.rules") > 0
    assert "skipped invalid rule 1" in automation("daily")
