"""Background work of surveys: adapters that take ids and call a service."""

from __future__ import annotations

from django_tasks import task

from paceline.surveys import services


@task()
def deliver_campaign(campaign_id: int) -> int:
    """E-mail a campaign's pending invitations (enqueued after a send commits)."""
    return services.invitations_deliver(campaign_id=campaign_id)


@task()
def send_reminders() -> int:
    """Daily: one reminder to invitations still unanswered after their campaign's reminder delay."""
    return services.reminders_send()


@task()
def expire_invitations() -> int:
    """Daily: close invitations whose link expired unanswered ("survey.ignored")."""
    return services.invitations_expire()
