"""Running the relationship by plan: touchpoint plans through renewal, and the help available.

A ``TouchpointPlan`` is a template per segment: planned touchpoints relative to the contract's start
or its renewal date, each with a purpose, an expected result and an owner role. Applied to an
account for one contract term it becomes dated, owned ``Touchpoint`` rows. A touchpoint is *kept*
when a matching interaction is logged in its window with its result, *missed* when the window
passes without one.

``Resource`` is the catalogue of help (seed 001's availability): articles, training, support
tiers, office hours, premium services, tagged by ``NeedArea`` and lifecycle stage. An account's
``Need`` is an open area of need a CSM noted; the account page shows what is available for it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from paceline.core.models import TimeStampedModel
from paceline.customers.models import (
    Account,
    Contact,
    Interaction,
    InteractionKind,
    LifecycleStage,
    Segment,
)


class Anchor(models.TextChoices):
    CONTRACT_START = "start", "after the contract starts"
    RENEWAL = "renewal", "before the renewal date"


class OwnerRole(models.TextChoices):
    ACCOUNT_OWNER = "owner", "The account's CSM"
    LEADER = "leader", "A CS leader"


ANY_KIND = "any"
TOUCHPOINT_KINDS = [(ANY_KIND, "Any conversation")] + [
    c for c in InteractionKind.choices if c[0] != InteractionKind.NOTE
]


class TouchpointPlan(TimeStampedModel):
    """A template of touchpoints from day 1 through renewal, for one segment (or all)."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, blank=True,
                               help_text="Blank: for any segment.")
    auto_apply = models.BooleanField(default=True, help_text="Apply to every account of the segment on its current term.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TouchpointStep(models.Model):
    plan = models.ForeignKey(TouchpointPlan, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=TOUCHPOINT_KINDS, default=ANY_KIND,
                            help_text="Which logged interaction keeps it.")
    anchor = models.CharField(max_length=10, choices=Anchor.choices, default=Anchor.CONTRACT_START)
    offset_days = models.PositiveIntegerField(help_text="Days after the start, or before the renewal.")
    window_days = models.PositiveIntegerField(default=14, help_text="How many days either side of the date count.")
    purpose = models.CharField(max_length=300)
    expected_result = models.CharField(max_length=300)
    owner_role = models.CharField(max_length=10, choices=OwnerRole.choices, default=OwnerRole.ACCOUNT_OWNER)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.offset_days} days {self.get_anchor_display()})"

    def due_on(self, *, start: dt.date, renewal: dt.date | None) -> dt.date | None:
        if self.anchor == Anchor.CONTRACT_START:
            return start + dt.timedelta(days=self.offset_days)
        if renewal is None:
            return None
        return renewal - dt.timedelta(days=self.offset_days)


class TouchpointStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held, result to record"
    KEPT = "kept", "Kept"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_TOUCHPOINT = (TouchpointStatus.PLANNED, TouchpointStatus.HELD)


class Touchpoint(TimeStampedModel):
    """One dated, owned touchpoint of an account: from a plan, a playbook or added by hand."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="touchpoints")
    plan = models.ForeignKey(TouchpointPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="touchpoints")
    step = models.ForeignKey(TouchpointStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="touchpoints")
    term_start = models.DateField(null=True, blank=True, help_text="The contract term the plan was applied for.")
    source = models.CharField(max_length=30, default="manual", help_text="plan, playbook, manual, api")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=TOUCHPOINT_KINDS, default=ANY_KIND)
    purpose = models.CharField(max_length=300, blank=True)
    expected_result = models.CharField(max_length=300, blank=True)
    due_date = models.DateField()
    window_days = models.PositiveIntegerField(default=14)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="touchpoints")
    status = models.CharField(max_length=10, choices=TouchpointStatus.choices, default=TouchpointStatus.PLANNED)
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="touchpoints")
    result = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["account", "due_date"]),
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["status", "due_date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["account", "step", "term_start"], name="touchpoint_once_per_term",
                                    condition=models.Q(step__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.due_date:%Y-%m-%d}"

    @property
    def window_start(self) -> dt.date:
        return self.due_date - dt.timedelta(days=self.window_days)

    @property
    def window_end(self) -> dt.date:
        return self.due_date + dt.timedelta(days=self.window_days)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TOUCHPOINT


# Resources and needs -----------------------------------------------------------------------------


class NeedArea(models.Model):
    """An area where customers need help: onboarding, integrations, reporting, admin, billing..."""

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ResourceKind(models.TextChoices):
    HELP_ARTICLE = "article", "Help-centre article"
    KNOWLEDGE_BASE = "kb", "Knowledge base"
    SUPPORT_TIER = "support", "Support tier"
    TRAINING = "training", "Training course"
    OFFICE_HOURS = "office_hours", "Office hours"
    PREMIUM = "premium", "Premium service"
    COMMUNITY = "community", "Community"


class Resource(TimeStampedModel):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=15, choices=ResourceKind.choices)
    url = models.URLField(blank=True)
    description = models.TextField(blank=True)
    areas = models.ManyToManyField(NeedArea, related_name="resources")
    stages = models.JSONField(default=list, blank=True, help_text="Lifecycle stages it serves; empty: every stage.")
    segments = models.JSONField(default=list, blank=True, help_text="Segments it is offered to; empty: every segment.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if not isinstance(self.stages, list) or any(s not in LifecycleStage.values for s in self.stages):
            errors["stages"] = f"Use a list of: {', '.join(LifecycleStage.values)}."
        if not isinstance(self.segments, list) or any(s not in Segment.values for s in self.segments):
            errors["segments"] = f"Use a list of: {', '.join(Segment.values)}."
        if errors:
            raise ValidationError(errors)

    def serves(self, *, stage: str, segment: str) -> bool:
        return self.active and (not self.stages or stage in self.stages) and (not self.segments or segment in self.segments)


class NeedStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"


class Need(TimeStampedModel):
    """An area where this account needs help now (noted by its CSM, or by a rule)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="needs")
    area = models.ForeignKey(NeedArea, on_delete=models.PROTECT, related_name="needs")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=5, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    opened_on = models.DateField()
    met_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-opened_on", "id"]
        indexes = [models.Index(fields=["account", "status"])]

    def __str__(self) -> str:
        return f"{self.area} ({self.get_status_display()})"
