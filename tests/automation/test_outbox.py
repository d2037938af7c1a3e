"""Outbox consumers: batches in order, a kinds filter that still moves the cursor, a failing
handler that leaves the cursor (and its writes) as they were, starting at the end, and settle."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paceline.core import outbox
from paceline.core.models import ActivityEvent
from paceline.customers.models import Task
from tests.factories import AccountFactory, TaskFactory

pytestmark = pytest.mark.django_db
FRESH = {"settle": dt.timedelta(0)}


def emit_many(n, kind="test.ping"):
    return [ActivityEvent.objects.create(kind=kind, occurred_at=timezone.now(), payload={"i": i}) for i in range(n)]


def test_batches_in_order_and_the_cursor_moves():
    made = emit_many(5)
    seen = []

    read = outbox.consume("t", lambda batch: seen.append([e.pk for e in batch]), batch=2, **FRESH)

    assert read == 5 and seen == [[e.pk for e in made[0:2]], [e.pk for e in made[2:4]], [made[4].pk]]
    assert outbox.position("t") == made[-1].pk
    assert outbox.consume("t", lambda batch: seen.append(batch), **FRESH) == 0 and len(seen) == 3


def test_max_batches_stops_early_and_the_next_call_goes_on():
    made = emit_many(5)
    assert outbox.consume("t", lambda b: None, batch=2, max_batches=1, **FRESH) == 2
    assert outbox.position("t") == made[1].pk
    assert outbox.consume("t", lambda b: None, batch=2, **FRESH) == 3


def test_kinds_filter_what_is_handed_on_but_the_cursor_passes_the_rest():
    emit_many(2, "a")
    wanted = emit_many(1, "b")
    last = emit_many(2, "a")[-1]
    got = []

    assert outbox.consume("t", got.extend, kinds={"b"}, **FRESH) == 5
    assert got == wanted and outbox.position("t") == last.pk


def test_a_failing_handler_leaves_the_cursor_and_its_writes_undone():
    account = AccountFactory()
    made = emit_many(3)

    def half_then_fail(batch):
        TaskFactory(account=account, title="half-written")
        raise RuntimeError("crashed mid-batch")

    with pytest.raises(RuntimeError):
        outbox.consume("t", half_then_fail, **FRESH)
    assert outbox.position("t") == 0 and not Task.objects.exists()

    handled = []
    assert outbox.consume("t", handled.extend, **FRESH) == 3 and handled == made  # re-read whole


def test_from_start_false_begins_at_the_end_once():
    old = emit_many(2)
    handled = []
    assert outbox.consume("new", handled.extend, from_start=False, **FRESH) == 0
    assert outbox.position("new") == old[-1].pk
    fresh = emit_many(1)
    assert outbox.consume("new", handled.extend, from_start=False, **FRESH) == 1 and handled == fresh


def test_events_younger_than_settle_wait():
    emit_many(1)
    assert outbox.consume("t", lambda b: None, settle=dt.timedelta(seconds=5)) == 0
    assert outbox.position("t") == 0
    later = timezone.now() + dt.timedelta(seconds=6)
    assert outbox.consume("t", lambda b: None, settle=dt.timedelta(seconds=5), now=later) == 1


def test_rewind_re_reads():
    made = emit_many(2)
    outbox.consume("t", lambda b: None, **FRESH)
    outbox.rewind("t", made[0].pk)
    again = []
    assert outbox.consume("t", again.extend, **FRESH) == 1 and again == made[1:]
