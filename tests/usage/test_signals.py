"""Weekly changes in active users reach the outbox once, and fire the 'usage dropped' rule's trigger."""

from __future__ import annotations

import datetime as dt

from paceline.automation.triggers import TRIGGERS
from paceline.core.models import ActivityEvent
from paceline.usage import signals
from paceline.usage.models import AccountUsageDay
from tests.factories import AccountFactory

TODAY = dt.date(2026, 12, 9)  # a Wednesday: the last complete week ended Sunday 6 December
SUNDAY = dt.date(2026, 12, 6)


def test_the_last_complete_week_ends_on_the_sunday_before():
    assert signals.last_complete_week(TODAY) == SUNDAY
    assert signals.last_complete_week(dt.date(2026, 12, 7)) == SUNDAY  # a Monday
    assert signals.last_complete_week(SUNDAY) == dt.date(2026, 11, 29)  # that week is not over yet


def test_a_drop_is_emitted_once_and_a_small_change_not_at_all(db):
    falling, steady = AccountFactory(), AccountFactory()
    for account, previous, current in ((falling, 40, 22), (steady, 40, 39)):
        AccountUsageDay.objects.create(account=account, day=SUNDAY - dt.timedelta(days=7), active_7d=previous)
        AccountUsageDay.objects.create(account=account, day=SUNDAY, active_7d=current)
    assert signals.weekly_changes_emit(today=TODAY) == 1
    assert signals.weekly_changes_emit(today=TODAY) == 0
    event = ActivityEvent.objects.get(kind="usage.weekly_change")
    assert event.account_id == falling.pk
    assert event.payload == {"metric": "active_users", "week": "2026-W49", "previous": 40, "current": 22,
                             "change_pct": -45.0}
    trigger = TRIGGERS["usage_dropped"]
    candidate = trigger.match(event, {"drop_pct": 30, "metric": "active_users"})
    assert candidate is not None and candidate.account_id == falling.pk
    assert trigger.match(event, {"drop_pct": 50, "metric": "active_users"}) is None
