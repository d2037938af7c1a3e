"""Success plans: goals with numbers, dates and owners on both sides, paced every day.

A plan belongs to an account. Goals form a tree (goal -> sub-goals); success metrics hang on goals
and carry baseline, target, direction, checkpoints (the runner's laps) and measurements. Action
items are the commitments of each side. A metric's pace (``pace_status``) is stored so the plan and
the book can count "goals on pace" in one query; ``services.metric_evaluate`` keeps it current
on every measurement and the daily job re-evaluates as days pass.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from paceline.core.models import TimeStampedModel
from paceline.customers.models import Account, Contact


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class PlanTemplate(TimeStampedModel):
    """A reusable plan by use case ("onboarding to first value"), managed by CS leaders.

    ``structure`` is a list of goals, each ``{"title", "description", "days" (to target),
    "metrics": [{"name", "unit", "direction", "baseline", "target", "days", "checkpoints": [{"days",
    "target"}]}], "actions": [{"title", "side", "days"}], "subgoals": [...same...]}``; validated by
    ``templates.validate_structure``.
    """

    name = models.CharField(max_length=200, unique=True)
    use_case = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    structure = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SuccessPlan(TimeStampedModel):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="success_plans")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="What success means, in the customer's words.")
    internal_notes = models.TextField(blank=True, help_text="Never shown to the customer.")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="success_plans"
    )
    customer_owner = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_success_plans"
    )
    template = models.ForeignKey(PlanTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans")
    reviewed_on = models.DateField(null=True, blank=True, help_text="Last reviewed with the customer.")

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["account", "status"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.customer_owner_id and self.customer_owner.account_id != self.account_id:
            raise ValidationError({"customer_owner": "The customer owner must be a contact of this account."})


class GoalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    ACTIVE = "active", "Active"
    HIT = "hit", "Hit"
    MISSED = "missed", "Missed"
    CHANGED = "changed", "Changed"
    RETIRED = "retired", "Retired"


OPEN_GOAL_STATUSES = (GoalStatus.PROPOSED, GoalStatus.AGREED, GoalStatus.ACTIVE)
CLOSED_GOAL_STATUSES = (GoalStatus.HIT, GoalStatus.MISSED, GoalStatus.CHANGED, GoalStatus.RETIRED)


class PaceStatus(models.TextChoices):
    NO_DATA = "no_data", "Not measured yet"
    AHEAD = "ahead", "Ahead"
    ON_PACE = "on_pace", "On pace"
    BEHIND = "behind", "Behind"
    AT_RISK = "at_risk", "At risk"
    HIT = "hit", "Hit"
    MISSED = "missed", "Missed"


# Pace statuses that count as "on pace" when the plan and the book count goals.
GOOD_PACE = (PaceStatus.AHEAD, PaceStatus.ON_PACE, PaceStatus.HIT)


class Goal(TimeStampedModel):
    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="goals")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="subgoals")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="In the customer's language of success.")
    internal_notes = models.TextField(blank=True, help_text="Never shown to the customer.")
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.PROPOSED)
    target_date = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    agreed_by_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="agreed_goals"
    )
    agreed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.TextField(blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    # The worst pace of its metrics, kept by services.metric_evaluate (empty: no metric).
    pace_status = models.CharField(max_length=10, choices=PaceStatus.choices, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["plan", "status"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.parent_id is not None:
            if self.parent.plan_id != self.plan_id:
                errors["parent"] = "A sub-goal belongs to the same plan as its goal."
            elif self.parent.parent_id is not None:
                errors["parent"] = "Sub-goals go one level deep: goal, then sub-goals, then action items."
            elif self.pk is not None and self.parent_id == self.pk:
                errors["parent"] = "A goal cannot be its own sub-goal."
        if self.agreed_by_contact_id and self.agreed_by_contact.account_id != self.plan.account_id:
            errors["agreed_by_contact"] = "The person who agreed must be a contact of this account."
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_GOAL_STATUSES


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENT = "percent", "Percent"
    CURRENCY = "currency", "Currency"
    DURATION = "duration", "Duration (seconds)"
    DAYS = "days", "Days"
    RATIO = "ratio", "Ratio"
    SCORE = "score", "Score"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class SuccessMetric(TimeStampedModel):
    """A number that says whether a goal is met: baseline, target, direction, dates, laps."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.COUNT)
    currency = models.CharField(max_length=3, blank=True, help_text="For currency metrics.")
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    baseline = models.DecimalField(max_digits=18, decimal_places=4)
    baseline_date = models.DateField()
    target = models.DecimalField(max_digits=18, decimal_places=4)
    target_date = models.DateField()
    denominator = models.DecimalField(
        max_digits=18, decimal_places=4, null=True, blank=True,
        help_text="For percent metrics: the population the percentage is of (e.g. team size).",
    )
    source = models.CharField(max_length=80, blank=True, help_text="A computed source key; empty: measured by hand.")
    source_params = models.JSONField(default=dict, blank=True)
    # Kept by services.metric_evaluate.
    pace_status = models.CharField(max_length=10, choices=PaceStatus.choices, default=PaceStatus.NO_DATA)
    pace_reason = models.CharField(max_length=400, blank=True)
    evaluated_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from paceline.success.pacing import validate_metric

        errors = validate_metric(
            unit=self.unit, direction=self.direction, baseline=self.baseline, baseline_date=self.baseline_date,
            target=self.target, target_date=self.target_date, denominator=self.denominator,
        )
        if self.unit == Unit.CURRENCY and not self.currency:
            errors["currency"] = "A currency metric needs its currency (e.g. USD)."
        if errors:
            raise ValidationError(errors)

    @property
    def absolute_target(self) -> Decimal | None:
        """For a percent metric with a denominator: how many that percentage is."""
        if self.unit != Unit.PERCENT or self.denominator is None:
            return None
        return (self.target * self.denominator / 100).quantize(Decimal("0.01"))


class Checkpoint(models.Model):
    """An intermediate target: a lap. "To break 19:00 over 8 laps, average 2:22.5 a lap"."""

    metric = models.ForeignKey(SuccessMetric, on_delete=models.CASCADE, related_name="checkpoints")
    due_on = models.DateField()
    target = models.DecimalField(max_digits=18, decimal_places=4)
    label = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["metric", "due_on"], name="one_checkpoint_per_day")]

    def __str__(self) -> str:
        return self.label or f"{self.target} by {self.due_on}"


class MeasurementSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    CSV = "csv", "CSV import"
    API = "api", "API"
    COMPUTED = "computed", "Computed"


class Measurement(models.Model):
    """One value of a metric on one day. Recording the same day again replaces the value."""

    metric = models.ForeignKey(SuccessMetric, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=4)
    source = models.CharField(max_length=10, choices=MeasurementSource.choices, default=MeasurementSource.MANUAL)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measured_on", "id"]
        constraints = [models.UniqueConstraint(fields=["metric", "measured_on"], name="one_measurement_per_day")]

    def __str__(self) -> str:
        return f"{self.value} on {self.measured_on}"


class MetricChange(models.Model):
    """A renegotiated target, with who agreed on each side and what stayed the same.

    The seed's example: "train 50% of a team of 100"; the team doubles to 200; both sides agree
    25% of 200 is the same success, because it is the same 50 people. ``old_absolute`` and
    ``new_absolute`` hold those 50 and 50.
    """

    metric = models.ForeignKey(SuccessMetric, on_delete=models.CASCADE, related_name="changes")
    changed_on = models.DateField()
    old_target = models.DecimalField(max_digits=18, decimal_places=4)
    new_target = models.DecimalField(max_digits=18, decimal_places=4)
    old_target_date = models.DateField()
    new_target_date = models.DateField()
    old_denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    new_denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    old_absolute = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    new_absolute = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    reason = models.TextField()
    equivalence = models.TextField(blank=True, help_text="Why the new target is the same success, if it is.")
    agreed_by_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agreed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.old_target} → {self.new_target} on {self.changed_on}"

    @property
    def absolute_held(self) -> bool:
        return self.old_absolute is not None and self.old_absolute == self.new_absolute


class Side(models.TextChoices):
    VENDOR = "vendor", "Our team"
    CUSTOMER = "customer", "Customer"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ActionItem(TimeStampedModel):
    """A commitment: owned by our team (a user) or by the customer (a contact), with a due date."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    side = models.CharField(max_length=10, choices=Side.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments"
    )
    owner_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    done_on = models.DateField(null=True, blank=True)
    # Set once by the daily check when an open commitment passes its due date.
    missed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.side == Side.VENDOR and (self.owner_contact_id or not self.owner_user_id):
            errors["owner_user"] = "Our team's commitment is owned by one of our users (not a contact)."
        if self.side == Side.CUSTOMER:
            if self.owner_user_id or not self.owner_contact_id:
                errors["owner_contact"] = "The customer's commitment is owned by one of their contacts."
            elif self.owner_contact.account_id != self.goal.plan.account_id:
                errors["owner_contact"] = "The owner must be a contact of this account."
        if self.status == ActionStatus.DONE and self.done_on is None:
            errors["done_on"] = "Give the day it was done."
        if errors:
            raise ValidationError(errors)

    @property
    def outcome(self) -> str:
        """kept, late (done after the due date), missed (open past due), open, or cancelled."""
        if self.status == ActionStatus.CANCELLED:
            return "cancelled"
        if self.status == ActionStatus.DONE:
            return "kept" if self.done_on <= self.due_on else "late"
        return "missed" if self.due_on < timezone.localdate() else "open"


class ShareLink(models.Model):
    """A read-only link to one plan for the customer: unguessable, expiring, revocable.

    Only the token's hash is stored; the raw token is in the URL shown once to the CSM.
    """

    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="share_links")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    label = models.CharField(max_length=200, blank=True, help_text="Who it was sent to.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.plan} link {self.prefix}…"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
