"""Automation: playbooks, rules as data, their firings, escalations and notification delivery.

A ``Rule`` is a trigger (a key into ``triggers.TRIGGERS`` with its parameters), conditions on
account fields, and actions (keys into ``actions.ACTIONS`` with parameters). The engine
(``engine.py``) evaluates rules from the outbox of events and on a schedule; each time a rule
fires for an account it writes one ``Firing`` with *why* (the trigger's data) and what each action
did. A firing is unique per rule, account and cause, so the same cause never fires twice;
``Snooze`` silences a rule for one account until a date; the rule's cap limits firings per
account per period.

A ``Playbook`` is a template of tasks and touchpoints; a ``PlaybookRun`` is one start of it on an
account, and its items link to the tasks and touchpoints it made, so progress is counted from them.

``Channel`` is where notifications go (e-mail, a Slack-compatible incoming webhook, a signed
outbound webhook); each send is a ``Delivery`` with attempts, status codes and retries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paceline.core.models import TimeStampedModel
from paceline.customers.models import Account, Contact, Task, TaskPriority
from paceline.engagement.models import TOUCHPOINT_KINDS, OwnerRole, Touchpoint


class Playbook(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StepKind(models.TextChoices):
    TASK = "task", "Task"
    TOUCHPOINT = "touchpoint", "Touchpoint"


class PlaybookStep(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=10, choices=StepKind.choices, default=StepKind.TASK)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    due_in_days = models.PositiveIntegerField(default=0, help_text="Days after the playbook starts.")
    owner_role = models.CharField(max_length=10, choices=OwnerRole.choices, default=OwnerRole.ACCOUNT_OWNER)
    priority = models.CharField(max_length=10, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    touchpoint_kind = models.CharField(max_length=10, choices=TOUCHPOINT_KINDS, blank=True,
                                       help_text="For a touchpoint: which interaction keeps it.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["playbook", "position", "id"]

    def __str__(self) -> str:
        return f"{self.title} (day {self.due_in_days})"


class RunStatus(models.TextChoices):
    ACTIVE = "active", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class PlaybookRun(TimeStampedModel):
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="runs")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="playbook_runs")
    started_on = models.DateField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    firing = models.ForeignKey("Firing", null=True, blank=True, on_delete=models.SET_NULL, related_name="playbook_runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.ACTIVE)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["account", "status"])]

    def __str__(self) -> str:
        return f"{self.playbook} on {self.account} from {self.started_on:%Y-%m-%d}"


class PlaybookRunItem(models.Model):
    run = models.ForeignKey(PlaybookRun, on_delete=models.CASCADE, related_name="items")
    step = models.ForeignKey(PlaybookStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task = models.OneToOneField(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="playbook_item")
    touchpoint = models.OneToOneField(Touchpoint, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="playbook_item")

    class Meta:
        ordering = ["run", "id"]

    def __str__(self) -> str:
        made = self.task or self.touchpoint
        return f"{self.run}: {made}" if made else f"{self.run}: (removed)"


class Rule(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    trigger = models.CharField(max_length=50, help_text="A key of the trigger registry.")
    trigger_params = models.JSONField(default=dict, blank=True)
    conditions = models.JSONField(default=list, blank=True,
                                  help_text='[{"field": "segment", "op": "in", "value": ["enterprise"]}, ...]')
    actions = models.JSONField(default=list, help_text='[{"type": "create_task", "params": {...}}, ...]')
    cap_count = models.PositiveIntegerField(default=1, help_text="At most this many firings per account ...")
    cap_days = models.PositiveIntegerField(default=7, help_text="... in this many days (0: no cap).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FiringStatus(models.TextChoices):
    DONE = "done", "Done"
    FAILED = "failed", "An action failed"
    CAPPED = "capped", "Held back by the frequency cap"


class Firing(models.Model):
    """One time a rule fired for an account: why, and what each action did."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="rule_firings")
    cause = models.CharField(max_length=200, help_text="What fired it; the same cause fires a rule once per account.")
    fired_at = models.DateTimeField(db_index=True)
    why = models.JSONField(default=dict, help_text="The trigger's data.")
    outcome = models.JSONField(default=list, blank=True, help_text="What each action did.")
    status = models.CharField(max_length=10, choices=FiringStatus.choices, default=FiringStatus.DONE)

    class Meta:
        ordering = ["-fired_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "account", "cause"], name="firing_once_per_cause")]
        indexes = [models.Index(fields=["account", "-fired_at"]), models.Index(fields=["rule", "account", "-fired_at"])]

    def __str__(self) -> str:
        return f"{self.rule} for {self.account} ({self.cause})"


class Snooze(models.Model):
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="snoozes")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="rule_snoozes")
    until = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-until"]
        constraints = [models.UniqueConstraint(fields=["rule", "account"], name="one_snooze_per_rule_account")]

    def __str__(self) -> str:
        return f"{self.rule} snoozed for {self.account} until {self.until:%Y-%m-%d}"


class Escalation(models.Model):
    """The customer's side went quiet: who we go to next up their chain of command."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="escalations")
    from_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   help_text="Empty when nobody above is known: the gap became a task.")
    reason = models.CharField(max_length=300)
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    firing = models.ForeignKey(Firing, null=True, blank=True, on_delete=models.SET_NULL, related_name="escalations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Escalation at {self.account}: {self.reason}"


class ChannelKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    SLACK = "slack", "Slack-compatible incoming webhook"
    WEBHOOK = "webhook", "Signed outbound webhook"


class Channel(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    target = models.CharField(max_length=1000, help_text="E-mail addresses (comma-separated) or the webhook's URL.")
    secret = models.CharField(max_length=200, blank=True, help_text="Signs outbound webhooks (HMAC-SHA256). Never shown again.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class Delivery(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    firing = models.ForeignKey(Firing, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    payload = models.JSONField(default=dict, help_text="What a webhook receives.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.channel}: {self.subject} ({self.get_status_display()})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "id"]

    def __str__(self) -> str:
        return f"attempt at {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error or 'sent'}"
