"""Helpers of the engine and delivery tests: events as the apps that own them emit them, a playbook."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from paceline.core.models import ActivityEvent


def emit(kind: str, account, *, subject: str = "", payload: dict | None = None, days_ago: float = 0) -> ActivityEvent:
    """An outbox event with the documented payload, as the app that owns ``kind`` writes it."""
    label, _, pk = subject.partition(":")
    return ActivityEvent.objects.create(
        kind=kind, account_id=account.pk, occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        subject_type=label, subject_id=pk, payload=payload or {})


def events(kind: str) -> list[ActivityEvent]:
    return list(ActivityEvent.objects.filter(kind=kind).order_by("id"))


def playbook(name: str = "Save the account", steps=None):
    """A playbook with steps: ``(kind, title, due_in_days, owner_role)``."""
    from paceline.automation.models import Playbook, PlaybookStep

    book = Playbook.objects.create(name=name)
    for i, (kind, title, due, role) in enumerate(steps or [("task", "Call the sponsor", 2, "owner"),
                                                            ("touchpoint", "Executive review", 14, "leader")]):
        PlaybookStep.objects.create(playbook=book, kind=kind, title=title, due_in_days=due, owner_role=role,
                                    position=i, touchpoint_kind="meeting" if kind == "touchpoint" else "")
    return book
