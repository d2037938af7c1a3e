"""Background work of engagement: touchpoints kept as interactions are logged, plans applied and
missed touchpoints reported every day.

Interactions reach us through the outbox (``interaction.logged``), read with the cursor
``engagement.touchpoints`` every minute. Each task takes an optional ``today`` (ISO date) so a run
can be replayed for a given day; the scheduler enqueues them without it.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from paceline.core import outbox, schedule
from paceline.engagement import services

CURSOR = "engagement.touchpoints"


def _day(today: str | None) -> dt.date | None:
    return dt.date.fromisoformat(today) if today else None


def match_logged_interactions(**consume_options) -> dict[str, int]:
    matched = 0

    def handle(events):
        nonlocal matched
        matched += services.interactions_match(int(e.subject_id) for e in events if e.subject_id)

    read = outbox.consume(CURSOR, handle, kinds={"interaction.logged"}, **consume_options)
    return {"events": read, "matched": matched}


@task()
def touchpoints_match() -> dict[str, int]:
    """Keep the touchpoints that newly logged interactions fall on."""
    return match_logged_interactions()


@task()
def touchpoints_daily(today: str | None = None) -> dict[str, int]:
    """Apply each segment's plan to accounts on a new term; report touchpoints whose window passed."""
    day = _day(today)
    return {
        "plans_applied": services.plans_apply_auto(today=day),
        "missed": services.touchpoints_check_missed(today=day),
    }


JOBS = (
    schedule.Job("engagement.touchpoints_match", schedule.Every(1), touchpoints_match,
                 "Keep the touchpoints that newly logged interactions fall on."),
    schedule.Job("engagement.touchpoints_daily", schedule.Daily(5, 15), touchpoints_daily,
                 "Apply touchpoint plans to accounts on a new term; mark touchpoints whose window passed as missed."),
)


def register() -> None:
    for job in JOBS:
        schedule.register(job)
