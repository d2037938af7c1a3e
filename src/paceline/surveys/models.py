"""Voice of the customer: surveys, who was asked, what they answered, and relationship outcomes.

A Survey is a questionnaire (NPS, CSAT, CES, a custom one, or the adoption-readiness assessment).
A Campaign sends it to chosen contacts; each contact gets an Invitation with its own single-use,
expiring link (only the token's hash is stored). A Response holds the Answers, partial until
submitted; its ``score`` copies the survey's headline answer (the 0-10, 1-5 or 1-7) so NPS, CSAT
and CES are computed from one column.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from paceline.core.models import TimeStampedModel
from paceline.customers.models import Account, Contact


class SurveyKind(models.TextChoices):
    NPS = "nps", "NPS"
    CSAT = "csat", "CSAT"
    CES = "ces", "CES"
    CUSTOM = "custom", "Custom questionnaire"
    READINESS = "readiness", "Adoption readiness"


class QuestionKind(models.TextChoices):
    NPS = "nps", "How likely to recommend (0-10)"
    CSAT = "csat", "Satisfaction (1-5)"
    CES = "ces", "Effort (1-7)"
    SCALE = "scale", "Scale"
    SINGLE = "single", "Single choice"
    MULTI = "multi", "Multiple choice"
    TEXT = "text", "Free text"


# The range each rated question accepts.
SCALES = {QuestionKind.NPS: (0, 10), QuestionKind.CSAT: (1, 5), QuestionKind.CES: (1, 7)}
HEADLINE = {SurveyKind.NPS: QuestionKind.NPS, SurveyKind.CSAT: QuestionKind.CSAT, SurveyKind.CES: QuestionKind.CES}


class Survey(TimeStampedModel):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    intro = models.TextField(blank=True, help_text="Shown above the questions.")
    thank_you = models.TextField(blank=True, default="Thank you: your answer helps us serve you better.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def headline_kind(self) -> str | None:
        return HEADLINE.get(self.kind)


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    key = models.SlugField(max_length=60, help_text="Stable name, used by scoring and exports.")
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    prompt = models.CharField(max_length=500)
    help_text = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True, help_text="For single and multiple choice.")
    scale_min = models.IntegerField(null=True, blank=True)
    scale_max = models.IntegerField(null=True, blank=True)
    # For the readiness assessment: points per choice ({"choice": points}) or per scale step.
    scoring = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="question_key_unique_in_survey")]

    def __str__(self) -> str:
        return self.prompt

    def clean(self) -> None:
        errors = {}
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            if not isinstance(self.choices, list) or len(self.choices) < 2 or not all(
                isinstance(c, str) and c.strip() for c in self.choices
            ):
                errors["choices"] = "A choice question needs at least two non-empty choices."
            elif len(set(self.choices)) != len(self.choices):
                errors["choices"] = "Choices must differ."
        if self.kind == QuestionKind.SCALE and (
            self.scale_min is None or self.scale_max is None or self.scale_min >= self.scale_max
        ):
            errors["scale_max"] = "A scale needs a minimum below its maximum."
        if errors:
            raise ValidationError(errors)

    @property
    def bounds(self) -> tuple[int, int] | None:
        if self.kind in SCALES:
            return SCALES[self.kind]
        if self.kind == QuestionKind.SCALE:
            return (self.scale_min, self.scale_max)
        return None


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    CLOSED = "closed", "Closed"


class Campaign(TimeStampedModel):
    """One sending of a survey to an audience, with its e-mail and its reminder."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=200)
    audience = models.JSONField(default=dict, blank=True, help_text="segments, roles, stages, account_ids")
    subject = models.CharField(max_length=200)
    message = models.TextField(help_text="The e-mail's text; the personal link is added below it.")
    expires_days = models.PositiveIntegerField(default=14)
    reminder_days = models.PositiveIntegerField(default=5, help_text="0: no reminder.")
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.name


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Not sent yet"
    SENT = "sent", "Sent"
    OPENED = "opened", "Opened"
    PARTIAL = "partial", "Started"
    COMPLETED = "completed", "Answered"
    SKIPPED = "skipped", "Skipped"
    EXPIRED = "expired", "Expired unanswered"


class Invitation(models.Model):
    """One contact's personal link to one campaign's survey: single use, expiring."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="survey_invitations")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="survey_invitations")
    email = models.EmailField(blank=True)
    digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    skipped_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "contact"], name="one_invitation_per_contact")]
        indexes = [models.Index(fields=["contact", "sent_at"]), models.Index(fields=["status", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.contact}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class LinkPurpose(models.TextChoices):
    RESPOND = "respond", "Answer the survey"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribe"


class InvitationLink(models.Model):
    """One link sent in one e-mail: the invitation and its reminder each carry their own pair.

    Only the SHA-256 of the 256-bit token is stored, so the raw token exists only in the e-mail;
    a reminder therefore needs a new token rather than the first one back. A link does one thing:
    an unsubscribe token never opens the survey, and the reverse.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=12, choices=LinkPurpose.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link of {self.invitation_id}"


class ResponseSource(models.TextChoices):
    EMAIL = "email", "E-mail link"
    IMPORT = "import", "CSV import"
    API = "api", "API (in-app survey tool)"
    MANUAL = "manual", "Entered by hand"


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="survey_responses")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses")
    source = models.CharField(max_length=10, choices=ResponseSource.choices, default=ResponseSource.EMAIL)
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The headline answer (0-10, 1-5, 1-7) and the free-text comment with its sentiment (-1..1).
    score = models.SmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    sentiment = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["survey", "submitted_at"]),
            models.Index(fields=["account", "submitted_at"]),
            models.Index(fields=["contact", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.survey} from {self.contact or self.account}"

    @property
    def is_complete(self) -> bool:
        return self.submitted_at is not None


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["question__position", "id"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.number if self.number is not None else self.text or self.choices}"


class Unsubscribe(models.Model):
    """A person who asked not to be surveyed again. Checked on every send."""

    email = models.EmailField(unique=True)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.email


class MilestoneKind(models.TextChoices):
    REFERENCE = "reference", "Reference given"
    CASE_STUDY = "case_study", "Case study"
    REVIEW = "review", "Public review"
    EXECUTIVE_ACCESS = "executive_access", "Executive access"
    BUDGET_PLANNING = "budget_planning", "Involved in budget planning"


class RelationshipMilestone(TimeStampedModel):
    """A dated relationship outcome (seed 002: what CS can influence), credited to a CSM."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="relationship_milestones")
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices)
    occurred_on = models.DateField()
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    credited_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="milestones"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["account", "-occurred_on"]), models.Index(fields=["credited_to", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"

    def clean(self) -> None:
        if self.contact_id and self.contact.account_id != self.account_id:
            raise ValidationError({"contact": "The contact must be at this account."})


class ReadinessLevel(models.TextChoices):
    NOT_READY = "not_ready", "Not ready"
    EMERGING = "emerging", "Emerging"
    CAPABLE = "capable", "Capable"
    MATURE = "mature", "Mature"


class ReadinessAssessment(models.Model):
    """The scored result of an adoption-readiness questionnaire for one account (seed 003)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="readiness_assessments")
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="readiness")
    assessed_on = models.DateField()
    score = models.PositiveSmallIntegerField(help_text="0-100")
    level = models.CharField(max_length=10, choices=ReadinessLevel.choices)
    reasons = models.JSONField(default=list, help_text="What raised and what lowered the score.")
    recommendation = models.TextField()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["account", "-assessed_on"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.score}) on {self.assessed_on}"
