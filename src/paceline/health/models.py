"""Health: versioned models, daily scores with their full explanation, and CSMs' own reads.

A ``HealthModel`` applies to a segment and/or lifecycle stage (blank: any); the most specific
active one is used for an account. Its definition lives in ``ModelVersion`` rows that are never
edited: changing weights writes a new version, and every ``HealthScore`` records the version it was
computed with, so history stays reproducible.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from paceline.core.models import TimeStampedModel
from paceline.customers.models import Account, LifecycleStage, Segment


class HealthModel(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, blank=True, help_text="Blank: any segment.")
    lifecycle_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, blank=True,
                                       help_text="Blank: any stage.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> ModelVersion | None:
        return self.versions.order_by("-number").first()


class ModelVersion(models.Model):
    model = models.ForeignKey(HealthModel, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    note = models.CharField(max_length=300, blank=True, help_text="What changed and why.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["model", "-number"]
        constraints = [models.UniqueConstraint(fields=["model", "number"], name="health_version_number_once")]

    def __str__(self) -> str:
        return f"{self.model} v{self.number}"


class Band(models.TextChoices):
    GREEN = "green", "Green"
    YELLOW = "yellow", "Yellow"
    RED = "red", "Red"
    UNKNOWN = "unknown", "Unknown"


class HealthScore(models.Model):
    """An account's scores on one day, with everything needed to explain them."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="health_scores")
    on = models.DateField()
    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="scores")
    adoption = models.FloatField(null=True, blank=True)
    renewal = models.FloatField(null=True, blank=True)
    expansion = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=10, choices=Band.choices, default=Band.UNKNOWN)
    blocking = models.CharField(max_length=60, blank=True, help_text="What holds Renewal back.")
    most_impactful = models.CharField(max_length=60, blank=True)
    detail = models.JSONField(default=dict, help_text="Factors, measures with their inputs, terms and gates.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "-on"]
        constraints = [models.UniqueConstraint(fields=["account", "on"], name="health_score_once_a_day")]
        indexes = [models.Index(fields=["on", "band"]), models.Index(fields=["account", "-on"])]

    def __str__(self) -> str:
        return f"{self.account} on {self.on:%Y-%m-%d}: {self.renewal if self.renewal is not None else 'unknown'}"


class ManualAssessment(models.Model):
    """A CSM's own read of the account, with the reason. It fades from the score and expires."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="health_assessments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(100)])
    reason = models.TextField()
    assessed_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "-assessed_on", "-id"]
        indexes = [models.Index(fields=["account", "-assessed_on"])]

    def __str__(self) -> str:
        return f"{self.account}: {self.score} on {self.assessed_on:%Y-%m-%d}"


class BacktestStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BacktestRun(models.Model):
    """One backtest of the health score against past renewals, computed by the worker, kept whole."""

    status = models.CharField(max_length=10, choices=BacktestStatus.choices, default=BacktestStatus.QUEUED)
    horizons = models.JSONField(default=list, help_text="Days before each renewal the score is taken.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Backtest {self.pk} ({self.get_status_display()})"
