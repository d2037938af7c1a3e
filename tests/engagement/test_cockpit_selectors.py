"""The cockpit's reads: whose items, which ones, in which bucket, in what order, at what cost."""

from __future__ import annotations

import datetime as dt

import pytest

from paceline.customers.models import TaskPriority, TaskStatus
from paceline.engagement import cockpit
from paceline.engagement.models import TouchpointStatus
from tests.engagement.cockpit_factories import account_with, days, task, today, touchpoint

pytestmark = pytest.mark.django_db


def titles(items):
    return [i.title for i in items]


def test_highest_impact_first_across_tasks_and_touchpoints(csm):
    small = account_with(owner=csm, arr="5000", renews_in=300)
    big = account_with(owner=csm, arr="400000", renews_in=40)
    task(account=small, owner=csm, due=0, title="Small today")
    task(account=big, owner=csm, due=0, title="Big today")
    task(account=small, owner=csm, due=-20, title="Small, three weeks late", priority=TaskPriority.URGENT)
    touchpoint(account=big, owner=csm, due=5, name="Big QBR")
    items = cockpit.work_items(owner_ids=[csm.pk])
    scores = [i.impact.score for i in items]
    assert scores == sorted(scores, reverse=True)
    assert titles(items).index("Big today") < titles(items).index("Small today")
    assert titles(items).index("Small, three weeks late") < titles(items).index("Small today")
    big_row = next(i for i in items if i.title == "Big today")
    assert big_row.impact.because == "$400k ARR, renewal in 40 days"


def test_buckets_overdue_today_upcoming(csm):
    account = account_with(owner=csm)
    task(account=account, owner=csm, due=-3, title="Late")
    task(account=account, owner=csm, due=0, title="Today")
    touchpoint(account=account, owner=csm, due=6, name="Soon")
    items = cockpit.work_items(owner_ids=[csm.pk])
    by_bucket = {key: titles(rows) for key, _label, rows in cockpit.work_buckets(items)}
    assert by_bucket == {"overdue": ["Late"], "today": ["Today"], "upcoming": ["Soon"]}
    late = next(i for i in items if i.title == "Late")
    assert late.overdue_days == 3 and "3 days overdue" in late.impact.reasons


def test_excludes_closed_other_peoples_undated_and_too_far(csm, other_csm):
    account = account_with(owner=csm)
    task(account=account, owner=csm, due=1, title="Mine")
    task(account=account, owner=csm, due=1, title="Done", status=TaskStatus.DONE)
    task(account=account, owner=csm, due=1, title="Cancelled", status=TaskStatus.CANCELLED)
    task(account=account, owner=csm, due=None, title="Undated")
    task(account=account, owner=csm, due=15, title="In 15 days")
    task(account=account, owner=other_csm, due=1, title="Olga's")
    touchpoint(account=account, owner=csm, due=-1, name="Held", status=TouchpointStatus.HELD)
    for status in (TouchpointStatus.KEPT, TouchpointStatus.MISSED, TouchpointStatus.CANCELLED):
        touchpoint(account=account, owner=csm, due=-1, name=f"Closed {status}", status=status)
    assert sorted(titles(cockpit.work_items(owner_ids=[csm.pk]))) == ["Held", "Mine"]
    assert "In 15 days" in titles(cockpit.work_items(owner_ids=[csm.pk], days_ahead=15))
    assert "Olga's" in titles(cockpit.work_items(owner_ids=None))


def test_work_item_is_none_once_closed(csm):
    account = account_with(owner=csm)
    done = task(account=account, owner=csm, status=TaskStatus.DONE)
    kept = touchpoint(account=account, owner=csm, status=TouchpointStatus.KEPT)
    assert cockpit.work_item(kind="task", pk=done.pk) is None
    assert cockpit.work_item(kind="touchpoint", pk=kept.pk) is None


def test_can_act(csm, other_csm, leader, viewer):
    assert cockpit.can_act(csm, csm.pk)
    assert not cockpit.can_act(other_csm, csm.pk)
    assert cockpit.can_act(leader, csm.pk)
    assert not cockpit.can_act(viewer, viewer.pk)


def test_team_summary_says_who_is_behind(csm, other_csm, leader):
    account = account_with(owner=csm)
    task(account=account, owner=csm, due=-2)
    task(account=account, owner=csm, due=-1)
    task(account=account, owner=csm, due=3)
    touchpoint(account=account, owner=csm, due=-4)
    touchpoint(account=account, owner=csm, due=-40, status=TouchpointStatus.MISSED, closed_on=today() - dt.timedelta(days=5))
    touchpoint(account=account, owner=csm, due=-100, status=TouchpointStatus.MISSED, closed_on=days(-80))
    task(account=account, owner=other_csm, due=2)
    summary = cockpit.team_summary()
    assert summary[0].user == csm
    carl = summary[0]
    assert (carl.overdue_tasks, carl.overdue_touchpoints, carl.missed_touchpoints, carl.open_items) == (2, 1, 1, 4)
    assert carl.reasons == ["2 overdue tasks", "1 overdue touchpoint", "1 touchpoint missed in 30 days"]
    olga = next(p for p in summary if p.user == other_csm)
    assert (olga.behind, olga.open_items) == (0, 1)
    assert {p.user for p in summary} == {csm, other_csm, leader}


def _many(csm, n):
    for i in range(n):
        account = account_with(owner=csm, arr=str(1000 * (i + 1)))
        task(account=account, owner=csm, due=i % 5 - 2)
        touchpoint(account=account, owner=csm, due=i % 7 - 3)


@pytest.mark.parametrize("n", [1, 12])
def test_queries_do_not_grow_with_the_items(csm, n, django_assert_max_num_queries):
    _many(csm, n)
    with django_assert_max_num_queries(2):
        items = cockpit.work_items(owner_ids=[csm.pk])
        [(i.account.name, str(i.owner)) for i in items]
    assert len(items) == 2 * n
    with django_assert_max_num_queries(3):
        cockpit.team_summary()
