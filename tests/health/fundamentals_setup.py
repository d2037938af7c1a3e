"""An account that passes all five fundamentals today, for the fundamentals tests to break one at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from paceline.customers.models import Account, Contact, Interaction
from paceline.engagement.models import Need, Touchpoint, TouchpointStatus
from paceline.success.models import ActionItem, Goal, SuccessPlan
from tests.engagement.factories import NeedAreaFactory, NeedFactory, ResourceFactory
from tests.factories import (
    AccountFactory,
    ContactFactory,
    GoalFactory,
    InteractionFactory,
    SubscriptionFactory,
    SuccessPlanFactory,
)


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def moment(n: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(days(n), dt.time(12)))


@dataclass
class Sound:
    account: Account
    boss: Contact
    primary: Contact
    talk: Interaction
    need: Need
    kept: Touchpoint
    plan: SuccessPlan
    goal: Goal
    customer_item: ActionItem
    vendor_item: ActionItem


def sound_account(owner=None, name: str = "Sound Co") -> Sound:
    """Every fundamental passes on today; its contacts were recorded a year ago."""
    account = AccountFactory(name=name, owner=owner, segment="mid_market", lifecycle_stage="adoption")
    area = NeedAreaFactory(name=f"Reporting for {name}")
    ResourceFactory(title=f"Reporting course for {name}", areas=[area], stages=["adoption"], segments=[])
    need = NeedFactory(account=account, area=area, opened_on=days(-30))
    boss = ContactFactory(account=account, name=f"Bea Boss of {name}", level="director")
    primary = ContactFactory(account=account, name=f"Pat Primary of {name}", reports_to=boss, is_primary=True,
                             roles=["champion"])
    Contact.objects.filter(pk__in=[boss.pk, primary.pk]).update(created_at=moment(-365))
    talk = InteractionFactory(account=account, kind="meeting", occurred_at=moment(-10))
    talk.contacts.set([boss, primary])
    sub = SubscriptionFactory(account=account, start_date=days(-200), end_date=days(165))
    kept = Touchpoint.objects.create(account=account, term_start=sub.start_date, source="plan", name="Kickoff",
                                     due_date=days(-100), status=TouchpointStatus.KEPT, closed_on=days(-100))
    Touchpoint.objects.create(account=account, term_start=sub.start_date, source="plan", name="Renewal review",
                              due_date=days(135))
    plan = SuccessPlanFactory(account=account, reviewed_on=days(-10))
    goal = GoalFactory(plan=plan, status="active", target_date=days(90))
    customer_item = ActionItem.objects.create(goal=goal, title="Send the user list", side="customer",
                                              owner_contact=primary, due_on=days(-20), status="done", done_on=days(-25))
    vendor_item = ActionItem.objects.create(goal=goal, title="Run the training", side="vendor", owner_user=owner,
                                            due_on=days(10))
    SuccessPlan.objects.filter(pk=plan.pk).update(created_at=moment(-300))
    Goal.objects.filter(pk=goal.pk).update(created_at=moment(-300))
    ActionItem.objects.filter(goal=goal).update(created_at=moment(-60))
    return Sound(account, boss, primary, talk, need, kept, plan, goal, customer_item, vendor_item)
