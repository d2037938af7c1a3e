"""What every Paceline app shares: the audit trail, the outbox of activity events, and the record of
the periodic jobs the scheduler has enqueued.

Core imports no other Paceline app. Records that belong to an account carry its id as a plain
integer (``account_id``) so that core needs no foreign key into the apps above it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after. Written by services only."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True, help_text="Kept if the user is deleted.")
    via = models.CharField(max_length=20, blank=True, help_text="web, api, import, cli, system")
    action = models.CharField(max_length=10, choices=Action.choices)
    target_type = models.CharField(max_length=60, help_text="app_label.model")
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=300, blank=True)
    account_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["account_id", "-at"]),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor_label or 'system'} {self.action} {self.target_type}#{self.target_id}"

    @property
    def changed_fields(self) -> list[str]:
        keys = set(self.before) | set(self.after)
        return sorted(k for k in keys if self.before.get(k) != self.after.get(k))


class ActivityEvent(models.Model):
    """The outbox: a lower app tells the upper ones that something happened by writing a row.

    Consumers (rules, health) keep their own cursor on ``id``; rows are never edited.
    """

    kind = models.CharField(max_length=80, db_index=True, help_text="dotted name, e.g. contact.departed")
    occurred_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    account_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} account={self.account_id} at {self.occurred_at:%Y-%m-%d}"


class ScheduledRun(models.Model):
    """The last run the scheduler enqueued for one periodic job (``paceline.core.schedule``).

    Schedulers claim a run with a conditional UPDATE on ``last_slot`` (the scheduled moment the run
    belongs to): only the one whose UPDATE changed the row enqueues, so two workers never enqueue
    the same run twice.
    """

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "On schedule"
        MANUAL = "manual", "By hand"

    name = models.CharField(max_length=100, unique=True)
    last_slot = models.DateTimeField(null=True, blank=True, help_text="The scheduled moment of the last run.")
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_trigger = models.CharField(max_length=10, choices=Trigger.choices, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)
    enqueued = models.PositiveIntegerField(default=0, help_text="Runs enqueued so far.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OutboxCursor(models.Model):
    """How far one consumer of the outbox has read (``paceline.core.outbox``)."""

    name = models.CharField(max_length=100, unique=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} at event {self.last_id}"
