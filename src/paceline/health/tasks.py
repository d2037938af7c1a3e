"""Background work of health: every account scored once a day (05:45, after success plans are paced
at 05:00 so goals' pace is current), registered with the scheduler from ``HealthConfig.ready``.
``paceline health score`` runs the same scoring at once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from paceline.core import schedule
from paceline.health import services


@task()
def scores_daily(today: str | None = None) -> dict:
    """Score and store every account not churned for ``today`` (ISO date; default: today)."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return services.scores_compute(on=day)


DAILY = schedule.Job("health.scores_daily", schedule.Daily(5, 45), scores_daily,
                     "Score every account (Adoption, Renewal, Expansion) and store it with its explanation.")


def register() -> None:
    schedule.register(DAILY)
