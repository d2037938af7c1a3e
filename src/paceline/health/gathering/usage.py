"""Facts from product usage: the account's latest daily usage snapshot on or before the day.

The snapshots are written by the usage metrics job (``paceline.usage.compute``) from the event
store; a snapshot older than ``STALE_DAYS`` before the day is not used (the data stopped coming,
which is not the same as usage stopping: the Adoption tab warns about it). One query per chunk.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Subquery

from paceline.health.facts import Fact, Facts
from paceline.usage.models import AccountUsageDay

STALE_DAYS = 7


def usage_facts(ids: list[int], as_of: dt.date) -> dict[int, Facts]:
    latest = (AccountUsageDay.objects.filter(account_id=OuterRef("account_id"), day__lte=as_of)
              .order_by("-day").values("day")[:1])
    rows = AccountUsageDay.objects.filter(
        account_id__in=ids, day__gte=as_of - dt.timedelta(days=STALE_DAYS), day__lte=as_of,
        day=Subquery(latest))
    found: dict[int, Facts] = {}
    for row in rows:
        facts: Facts = {}
        day = row.day
        facts["usage.active_users_30d"] = Fact(float(row.active_30d), day, f"{row.active_30d} active users in 30 days")
        if row.utilisation is not None and row.seats:
            facts["usage.seat_utilisation"] = Fact(
                float(row.utilisation), day, f"{row.active_30d} of {row.seats} seats active in 30 days")
        if row.breadth_share is not None:
            facts["usage.breadth_share"] = Fact(float(row.breadth_share), day, f"{row.breadth} key features used in 30 days")
        if row.trend_30d is not None:
            facts["usage.active_users_growth"] = Fact(
                float(row.trend_30d), day, f"active users {row.trend_30d:+.0%} against the 30 days before")
        if row.stickiness is not None:
            facts["usage.stickiness"] = Fact(float(row.stickiness), day, f"DAU/MAU {row.stickiness:.0%}")
        if row.events_per_user is not None:
            facts["usage.events_per_user"] = Fact(float(row.events_per_user), day)
        if row.days_since_last is not None:
            facts["usage.days_since_last"] = Fact(float(row.days_since_last), day,
                                                  f"last product activity {row.days_since_last} days before")
        found[row.account_id] = facts
    return found
