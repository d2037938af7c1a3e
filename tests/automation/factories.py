"""Factories and helpers of the automation tests (events as other apps emit them)."""

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
