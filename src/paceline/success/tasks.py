"""Background work of success plans: the daily jobs, as adapters that call a service and return counts.

Every day, in ``settings.TIME_ZONE``: computed metrics get today's value first (04:30), then every
metric of an open goal is paced again (05:00: a status can change just because a day passed), and
commitments that slipped past their due date are reported once (05:00). ``register`` declares them
to the scheduler (``paceline worker``); ``paceline success daily`` runs the same three at once.

Each task takes an optional ``today`` (ISO date) so a run can be replayed for a given day; the
scheduler enqueues them without it.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from paceline.core import schedule
from paceline.success import services, sources


def _day(today: str | None) -> dt.date | None:
    return dt.date.fromisoformat(today) if today else None


@task(priority=10)  # when all three are due at once (a worker was down), the values come first
def refresh_computed(today: str | None = None) -> dict[str, int]:
    """Record today's value of every open metric bound to a computed source."""
    return sources.refresh_computed(today=_day(today))


@task()
def plans_evaluate(today: str | None = None) -> dict[str, int]:
    """Re-pace every metric of the open goals of active plans."""
    return {"metrics": services.plans_evaluate(today=_day(today))}


@task()
def commitments_check(today: str | None = None) -> dict[str, int]:
    """Mark open commitments past their due date as missed, once, with an event for each."""
    return {"missed": services.commitments_check(today=_day(today))}


DAILY = (
    schedule.Job("success.refresh_computed", schedule.Daily(4, 30), refresh_computed,
                 "Record today's value of metrics bound to a computed source."),
    schedule.Job("success.plans_evaluate", schedule.Daily(5, 0), plans_evaluate,
                 "Re-pace every metric of open goals: a status can change just because a day passed."),
    schedule.Job("success.commitments_check", schedule.Daily(5, 0), commitments_check,
                 "Report commitments that slipped past their due date (once each)."),
)


def register() -> None:
    for job in DAILY:
        schedule.register(job)
