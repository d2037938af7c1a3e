"""The customer record: accounts, the people on the customer's side, contracts, and the timeline.

Money is Decimal, never float. ``Account.arr``, ``Account.mrr`` and ``Account.next_renewal_date``
are kept by ``services.account_refresh_commercials`` from the account's subscriptions, so the book
can filter and sort 20,000 accounts by ARR without aggregating on every request.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from paceline.core.models import TimeStampedModel

currency_code = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as USD or EUR.")


class Segment(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    MID_MARKET = "mid_market", "Mid-market"
    SMB = "smb", "SMB"


class Tier(models.TextChoices):
    TIER_1 = "1", "Tier 1 (high touch)"
    TIER_2 = "2", "Tier 2 (low touch)"
    TIER_3 = "3", "Tier 3 (tech touch)"


class LifecycleStage(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"
    ADOPTION = "adoption", "Adoption"
    MATURITY = "maturity", "Maturity"
    RENEWAL = "renewal", "Renewal"
    CHURNED = "churned", "Churned"


class Account(TimeStampedModel):
    name = models.CharField(max_length=200)
    external_id = models.CharField(
        max_length=100, unique=True, null=True, blank=True, help_text="Stable id in your CRM or product."
    )
    domain = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.MID_MARKET)
    tier = models.CharField(max_length=2, choices=Tier.choices, default=Tier.TIER_2)
    lifecycle_stage = models.CharField(
        max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.ONBOARDING
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    currency = models.CharField(max_length=3, default="USD", validators=[currency_code])
    description = models.TextField(blank=True)
    # Kept from subscriptions by services.account_refresh_commercials.
    arr = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"), editable=False)
    mrr = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"), editable=False)
    next_renewal_date = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(Lower("name"), name="account_lower_name"),
            models.Index(fields=["owner", "name"]),
            models.Index(fields=["-arr", "id"]),
            models.Index(fields=["next_renewal_date", "id"]),
            models.Index(fields=["segment", "tier", "lifecycle_stage"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id is not None and self.pk is not None:
            seen = {self.pk}
            node = self.parent
            while node is not None:
                if node.pk in seen:
                    raise ValidationError({"parent": "An account cannot be its own ancestor."})
                seen.add(node.pk)
                node = node.parent

    @property
    def days_to_renewal(self) -> int | None:
        if self.next_renewal_date is None:
            return None
        return (self.next_renewal_date - timezone.localdate()).days


class ContactLevel(models.TextChoices):
    EXECUTIVE = "executive", "Executive"
    DIRECTOR = "director", "Director"
    MANAGER = "manager", "Manager"
    INDIVIDUAL = "individual", "Individual contributor"


class ContactRole(models.TextChoices):
    CHAMPION = "champion", "Champion"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    DECISION_MAKER = "decision_maker", "Decision maker"
    ADMIN = "admin", "Admin"
    END_USER = "end_user", "End user"


class ContactStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LEFT = "left", "Left the company"


class Contact(TimeStampedModel):
    """A person on the customer's side, placed in the customer's chain of command."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=200, blank=True)
    level = models.CharField(max_length=20, choices=ContactLevel.choices, blank=True)
    roles = models.JSONField(default=list, blank=True, help_text="Any of: " + ", ".join(ContactRole.values))
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    is_primary = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=ContactStatus.choices, default=ContactStatus.ACTIVE)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["account", "status"]), models.Index(Lower("email"), name="contact_lower_email")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        unknown = [r for r in (self.roles or []) if r not in ContactRole.values]
        if not isinstance(self.roles, list):
            errors["roles"] = "Roles must be a list."
        elif unknown:
            errors["roles"] = f"Unknown role(s) {', '.join(map(str, unknown))}; use {', '.join(ContactRole.values)}."
        if self.status == ContactStatus.LEFT and self.left_on is None:
            errors["left_on"] = "Give the date the contact left."
        if self.status == ContactStatus.ACTIVE and self.left_on is not None:
            errors["left_on"] = "An active contact has no leaving date."
        if self.reports_to_id is not None:
            manager = self.reports_to
            if manager.account_id != self.account_id:
                errors["reports_to"] = "A contact can only report to someone at the same account."
            else:
                seen = {self.pk} if self.pk else set()
                node = manager
                while node is not None:
                    if node.pk in seen:
                        errors["reports_to"] = "That would make the chain of command a loop."
                        break
                    seen.add(node.pk)
                    node = node.reports_to
        if errors:
            raise ValidationError(errors)

    @property
    def has_left(self) -> bool:
        return self.status == ContactStatus.LEFT

    @property
    def is_champion(self) -> bool:
        return ContactRole.CHAMPION in (self.roles or [])

    @property
    def is_departed_champion(self) -> bool:
        return self.has_left and self.is_champion

    @property
    def role_labels(self) -> list[str]:
        labels = dict(ContactRole.choices)
        return [labels.get(r, r) for r in self.roles or []]


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PENDING = "pending", "Not started"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"


class Subscription(TimeStampedModel):
    """One contract term for one product. A renewal ends a term and usually starts another."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="subscriptions")
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    product = models.CharField(max_length=120)
    seats = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="USD", validators=[currency_code])
    arr = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))], help_text="Annual recurring revenue."
    )
    start_date = models.DateField()
    end_date = models.DateField()
    renewal_date = models.DateField(null=True, blank=True, help_text="Defaults to the end date.")
    auto_renew = models.BooleanField(default=False)
    notice_days = models.PositiveIntegerField(default=30, help_text="Notice period before renewal, in days.")
    status = models.CharField(max_length=10, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE)

    class Meta:
        ordering = ["-start_date", "product", "id"]
        indexes = [models.Index(fields=["account", "status"])]

    def __str__(self) -> str:
        return f"{self.product} ({self.start_date:%Y-%m-%d} to {self.end_date:%Y-%m-%d})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            errors["end_date"] = "The end date must be after the start date."
        if self.renewal_date and self.start_date and self.renewal_date < self.start_date:
            errors["renewal_date"] = "The renewal date cannot be before the start date."
        if errors:
            raise ValidationError(errors)

    @property
    def mrr(self) -> Decimal:
        return (self.arr / 12).quantize(Decimal("0.01"))

    @property
    def effective_renewal_date(self) -> dt.date:
        return self.renewal_date or self.end_date

    @property
    def notice_deadline(self) -> dt.date:
        return self.effective_renewal_date - dt.timedelta(days=self.notice_days)


class RenewalKind(models.TextChoices):
    RENEWED = "renewed", "Renewed"
    EXPANDED = "expanded", "Expanded"
    CONTRACTED = "contracted", "Contracted"
    CHURNED = "churned", "Churned"


class RenewalOutcome(TimeStampedModel):
    """What happened when a subscription term came up for renewal, with ARR before and after."""

    subscription = models.OneToOneField(Subscription, on_delete=models.CASCADE, related_name="renewal_outcome")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="renewal_outcomes")
    renewed_into = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="renewed_from"
    )
    outcome = models.CharField(max_length=12, choices=RenewalKind.choices)
    decided_on = models.DateField()
    arr_before = models.DecimalField(max_digits=14, decimal_places=2)
    arr_after = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.decided_on:%Y-%m-%d}"

    def clean(self) -> None:
        if self.arr_before is None or self.arr_after is None or not self.outcome:
            return
        expected = {
            RenewalKind.CHURNED: self.arr_after == 0,
            RenewalKind.EXPANDED: self.arr_after > self.arr_before,
            RenewalKind.CONTRACTED: Decimal(0) < self.arr_after < self.arr_before,
            RenewalKind.RENEWED: self.arr_after == self.arr_before,
        }
        if not expected[self.outcome]:
            raise ValidationError(
                {"outcome": f"{self.get_outcome_display()} does not match ARR {self.arr_before} → {self.arr_after}."}
            )

    @property
    def arr_delta(self) -> Decimal:
        return self.arr_after - self.arr_before


class InteractionKind(models.TextChoices):
    EMAIL = "email", "Email"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    QBR = "qbr", "Business review (QBR)"
    EVENT = "event", "Event"
    NOTE = "note", "Note"


class Sentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class Interaction(TimeStampedModel):
    """An entry on the account's timeline, with the people present on both sides."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="interactions")
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=10, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField()
    subject = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    contacts = models.ManyToManyField(Contact, blank=True, related_name="interactions")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="interactions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["account", "-occurred_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class TaskPriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Task(TimeStampedModel):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tasks")
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    due_date = models.DateField(null=True, blank=True)
    priority = models.CharField(max_length=10, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    source = models.CharField(max_length=30, default="manual", help_text="manual, import, api, or the capability that made it")
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["account", "status", "due_date"]), models.Index(fields=["owner", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == TaskStatus.OPEN and self.due_date is not None and self.due_date < timezone.localdate()


# Import runs ------------------------------------------------------------------------------------


class ImportRunStatus(models.TextChoices):
    CHECKED = "checked", "Checked (dry run)"
    APPLIED = "applied", "Applied"


class ImportRun(TimeStampedModel):
    """An upload on the import page, kept between its steps (check, adjust the mapping, apply).

    It belongs to the user who uploaded it: nobody else sees or applies it. The file's text is
    dropped once applied; the report of what happened stays.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_runs")
    kind = models.CharField(max_length=20)
    filename = models.CharField(max_length=255, blank=True)
    content = models.TextField(blank=True, help_text="The decoded file, until it is applied.")
    choices = models.JSONField(default=dict, blank=True, help_text="Column header -> field ('' ignores it).")
    date_order = models.CharField(max_length=3, blank=True)
    partial = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=ImportRunStatus.choices, default=ImportRunStatus.CHECKED)
    report = models.JSONField(default=dict, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} import {self.filename or self.pk} ({self.get_status_display()})"
