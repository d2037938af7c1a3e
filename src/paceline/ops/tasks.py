"""Background tasks of the ops app."""

from __future__ import annotations

from django_tasks import task

from paceline.core.services import event_emit


@task()
def ping(note: str = "") -> int:
    """A heartbeat through the queue: proves a worker is consuming it. Returns the event's id."""
    return event_emit(kind="ops.ping", account_id=None, payload={"note": note}).pk
