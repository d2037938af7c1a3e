"""Items for the cockpit's tests: accounts with ARR and a renewal, tasks and touchpoints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from paceline.customers.models import Task
from paceline.engagement.models import Touchpoint
from tests.factories import AccountFactory, SubscriptionFactory, TaskFactory


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def account_with(*, owner, arr: str = "12000", renews_in: int = 300, name: str | None = None):
    """An account whose only active subscription gives it this ARR and renewal date."""
    kwargs = {"owner": owner} | ({"name": name} if name else {})
    account = AccountFactory(**kwargs)
    SubscriptionFactory(account=account, arr=Decimal(arr), start_date=days(renews_in - 365), end_date=days(renews_in))
    account.refresh_from_db()
    return account


def task(*, account, owner, due: int | None = 0, **fields) -> Task:
    return TaskFactory(account=account, owner=owner, due_date=None if due is None else days(due), **fields)


def touchpoint(*, account, owner, due: int = 0, name: str = "Check-in", **fields) -> Touchpoint:
    return Touchpoint.objects.create(account=account, owner=owner, due_date=days(due), name=name, **fields)
