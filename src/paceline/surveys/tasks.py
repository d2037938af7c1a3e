"""Background work of surveys, as adapters that take ids and call a service.

A campaign's e-mails are delivered by ``deliver_campaign``, enqueued when a send commits. Every
day, in ``settings.TIME_ZONE``: invitations whose link expired unanswered are closed (00:30, a
"survey.ignored" event each), and reminders go out in the morning (09:00) to those who have not
answered after their campaign's reminder delay. ``register`` declares the daily jobs to the
scheduler (``paceline worker``).
"""

from __future__ import annotations

from django_tasks import task

from paceline.core import schedule
from paceline.surveys import services


@task()
def deliver_campaign(campaign_id: int) -> int:
    """E-mail a campaign's pending invitations."""
    return services.invitations_deliver(campaign_id=campaign_id)


@task()
def send_reminders() -> dict[str, int]:
    """One reminder to each invitation still unanswered after its campaign's reminder delay."""
    return {"reminded": services.reminders_send()}


@task()
def expire_invitations() -> dict[str, int]:
    """Close the invitations whose link expired unanswered ("survey.ignored")."""
    return {"expired": services.invitations_expire()}


DAILY = (
    schedule.Job("surveys.expire_invitations", schedule.Daily(0, 30), expire_invitations,
                 "Close survey invitations whose link expired unanswered (survey.ignored)."),
    schedule.Job("surveys.send_reminders", schedule.Daily(9, 0), send_reminders,
                 "Remind, once, those who have not answered a survey after its reminder delay."),
)


def register() -> None:
    for job in DAILY:
        schedule.register(job)
