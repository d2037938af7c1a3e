"""Reading the outbox of activity events, each consumer with its own cursor.

A consumer (touchpoint matching, the rules engine...) handles events in batches, in order of id.
The handler runs in the same transaction that moves the cursor, so a batch is handled entirely or
not at all: a crash re-reads it, and handlers are written to be idempotent (dedupe on the cause).

Events are read only once they are ``settle`` seconds old. On PostgreSQL, ids are handed out when
a row is inserted but become visible when its transaction commits, so a fresh event with a lower
id can appear after a higher one was read; waiting a few seconds keeps a reader from stepping
over it (transactions in Paceline last milliseconds).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from paceline.core.models import ActivityEvent, OutboxCursor

logger = logging.getLogger(__name__)

DEFAULT_SETTLE = dt.timedelta(seconds=5)


def position(name: str) -> int:
    cursor = OutboxCursor.objects.filter(name=name).first()
    return cursor.last_id if cursor else 0


def rewind(name: str, to: int = 0) -> None:
    """Set a consumer's cursor (0 re-reads everything; handlers dedupe)."""
    OutboxCursor.objects.update_or_create(name=name, defaults={"last_id": to})


def start_at_end(name: str) -> None:
    """Create the cursor at the newest event, so a new consumer does not replay all history."""
    last = ActivityEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    OutboxCursor.objects.get_or_create(name=name, defaults={"last_id": last})


def consume(
    name: str,
    handler: Callable[[list[ActivityEvent]], object],
    *,
    kinds: Iterable[str] | None = None,
    batch: int = 2000,
    settle: dt.timedelta = DEFAULT_SETTLE,
    now: dt.datetime | None = None,
    max_batches: int | None = None,
    from_start: bool = True,
) -> int:
    """Hand the events after the cursor to ``handler`` in batches; return how many were read.

    ``kinds`` filters the events passed on (the cursor still moves past the others). A consumer
    that runs for the first time reads from the first event, or with ``from_start=False`` only
    what happens from now on (rules do not fire on years of history loaded at install).
    """
    if not from_start:
        start_at_end(name)
    wanted = set(kinds) if kinds is not None else None
    cutoff = (now or timezone.now()) - settle
    read = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            cursor, _ = OutboxCursor.objects.select_for_update().get_or_create(name=name)
            events = list(
                ActivityEvent.objects.filter(id__gt=cursor.last_id, created_at__lte=cutoff).order_by("id")[:batch]
            )
            if not events:
                return read
            chosen = [e for e in events if wanted is None or e.kind in wanted]
            if chosen:
                handler(chosen)
            cursor.last_id = events[-1].id
            cursor.save(update_fields=["last_id", "updated_at"])
        read += len(events)
        batches += 1
        if len(events) < batch:
            break
    return read
