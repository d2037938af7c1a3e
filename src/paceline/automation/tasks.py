"""Background work of automation, run by ``paceline worker``.

- every minute: rules read the outbox (cursor ``automation.rules``) and fire; playbook runs whose
  items are all closed complete; deliveries due for a retry, or left by a crashed worker, are sent;
- every day at 06:00: the scheduled triggers scan the book (renewal in N days, N days of silence),
  and playbook runs closed without an event (cancelled items) complete.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from paceline.automation import engine, services
from paceline.core import outbox, schedule

CURSOR = "automation.rules"
PLAYBOOK_EVENTS = {"task.completed", "touchpoint.kept", "touchpoint.missed"}


def read_outbox(**consume_options) -> dict[str, int]:
    summary = engine.Summary()
    closed_items = 0

    def handle(events):
        nonlocal closed_items
        summary.add(engine.evaluate_events(events))
        closed_items += sum(1 for e in events if e.kind in PLAYBOOK_EVENTS)

    read = outbox.consume(CURSOR, handle, from_start=False, **consume_options)
    completed = services.runs_refresh() if closed_items else 0
    return {"events": read, **summary.as_dict(), "playbooks_completed": completed}


@task()
def rules_events() -> dict[str, int]:
    """Fire the event-triggered rules on what happened since the last run."""
    return read_outbox()


@task()
def rules_daily(today: str | None = None) -> dict[str, int]:
    """Fire the scheduled rules (a scan of the whole book), and complete the playbook runs whose
    last items were closed without an event (a task cancelled, a touchpoint cancelled or deleted)."""
    summary = engine.evaluate_scheduled(today=dt.date.fromisoformat(today) if today else None)
    return {**summary.as_dict(), "playbooks_completed": services.runs_refresh()}


@task()
def send_delivery(delivery_id: int) -> str:
    return services.delivery_send(delivery_id)


@task()
def deliveries_sweep() -> dict[str, int]:
    """Retry deliveries that are due, and revive those a crashed worker left half-sent."""
    return services.deliveries_sweep()


JOBS = (
    schedule.Job("automation.rules_events", schedule.Every(1), rules_events,
                 "Fire event-triggered rules on new activity (the outbox)."),
    schedule.Job("automation.deliveries_sweep", schedule.Every(1), deliveries_sweep,
                 "Retry notifications that are due; revive those a crashed worker left half-sent."),
    schedule.Job("automation.rules_daily", schedule.Daily(6, 0), rules_daily,
                 "Fire scheduled rules: renewal in N days, N days without a conversation."),
)


def register() -> None:
    for job in JOBS:
        schedule.register(job)
