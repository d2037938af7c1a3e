"""Background work of usage, registered with the scheduler from ``UsageConfig.ready``.

- ``usage.inbox_drain`` (every minute): the single compactor moves acknowledged batches from the
  OLTP inbox into the event store;
- ``usage.metrics_daily`` (04:00, before computed success metrics are read at 04:30 and health is scored): the
  metrics job brings the daily snapshots up to date, recomputing only the days that changed, then
  tells the rules of weekly changes in active users (``signals.py``).
"""

from __future__ import annotations

from django_tasks import task

from paceline.core import schedule


@task()
def inbox_drain() -> dict:
    from paceline.usage import compactor

    return compactor.inbox_drain().as_dict()


@task()
def metrics_daily() -> dict:
    from django.utils import timezone

    from paceline.usage import compactor, compute, signals

    compactor.inbox_drain()
    report = compute.usage_compute().as_dict()
    report["weekly_change_events"] = signals.weekly_changes_emit(today=timezone.localdate())
    return report


DRAIN = schedule.Job("usage.inbox_drain", schedule.Every(1), inbox_drain,
                     "Move acknowledged usage events from the inbox into the event store.")
DAILY = schedule.Job("usage.metrics_daily", schedule.Daily(4, 0), metrics_daily,
                     "Compute the daily usage snapshots of every account (only the days that changed).")


def register() -> None:
    schedule.register(DRAIN)
    schedule.register(DAILY)
