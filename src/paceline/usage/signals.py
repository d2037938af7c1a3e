"""Tell the apps above that an account's usage moved: ``usage.weekly_change`` events in the outbox.

After the metrics job, each account's active users over the last complete week (Monday to
Sunday) are compared with the week before. A change of at least ``MIN_CHANGE_PCT`` becomes one
event per account, metric and week (the payload is the contract with ``automation.triggers``):
``{"metric", "week", "previous", "current", "change_pct"}``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from paceline.core.models import ActivityEvent
from paceline.core.services import event_emit
from paceline.usage.models import AccountUsageDay

KIND = "usage.weekly_change"
MIN_CHANGE_PCT = 5.0


def last_complete_week(today: dt.date) -> dt.date:
    """The Sunday ending the last week wholly before ``today``."""
    return today - dt.timedelta(days=today.isoweekday() % 7 or 7)


def change_pct(previous: int, current: int) -> float | None:
    if previous <= 0:
        return None
    return round((current - previous) * 100.0 / previous, 1)


@transaction.atomic
def weekly_changes_emit(*, today: dt.date) -> int:
    """Emit this week's changes not emitted yet; returns how many events were written."""
    sunday = last_complete_week(today)
    before = sunday - dt.timedelta(days=7)
    iso = sunday.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    rows = AccountUsageDay.objects.filter(day__in=[before, sunday]).values_list("account_id", "day", "active_7d")
    weeks: dict[int, dict[dt.date, int]] = {}
    for account_id, day, active in rows:
        weeks.setdefault(account_id, {})[day] = active
    done = set(ActivityEvent.objects.filter(kind=KIND, payload__week=week, payload__metric="active_users")
               .values_list("account_id", flat=True))
    written = 0
    for account_id, values in sorted(weeks.items()):
        if account_id in done or before not in values or sunday not in values:
            continue
        pct = change_pct(values[before], values[sunday])
        if pct is None or abs(pct) < MIN_CHANGE_PCT:
            continue
        event_emit(kind=KIND, account_id=account_id, payload={
            "metric": "active_users", "week": week, "previous": values[before], "current": values[sunday],
            "change_pct": pct})
        written += 1
    return written
