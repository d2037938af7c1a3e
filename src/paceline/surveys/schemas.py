"""What the voice-of-the-customer API accepts and returns.

Answers travel by question key (``{"nps": 9, "why": "Fast support"}``): a whole number for a
rated question (NPS 0-10, CSAT 1-5, CES 1-7, a scale within its bounds), the chosen text for a
single choice, a list of them for a multiple choice, and text for a free-text question. Which
range applies depends on the survey, so the services check the values and name the key at fault.
"""

import datetime as dt
from typing import Annotated, Any

from django.db.models import Q
from django.utils import timezone
from ninja import Field, FilterLookup, Schema
from pydantic import AwareDatetime, BeforeValidator, WithJsonSchema, field_validator

from paceline.core.schemas import MAX_ID, Id, InputFilterSchema
from paceline.customers.models import ContactRole, LifecycleStage, Segment
from paceline.customers.schemas import AccountRef, ExternalId, Page, WriteSchema
from paceline.surveys.models import (
    CampaignStatus,
    InvitationStatus,
    MilestoneKind,
    QuestionKind,
    ReadinessLevel,
    ResponseSource,
    SurveyKind,
)

KEY_PATTERN = r"^[-a-zA-Z0-9_]+$"
QuestionKey = Annotated[str, Field(min_length=1, max_length=60, pattern=KEY_PATTERN)]
BANDS = ("promoter", "passive", "detractor")
# NPS bands as score ranges, for filtering in the database.
BAND_RANGES = {"promoter": (9, 10), "passive": (7, 8), "detractor": (0, 6)}


def _no_float_or_bool(value: Any) -> Any:
    # A rated answer is a whole number: 8.5 or true would be silently rounded or read as 1.
    if isinstance(value, bool):
        raise ValueError("An answer is a number, a text or a list of choices, not true/false.")
    if isinstance(value, float):
        raise ValueError("A rated answer is a whole number such as 8.")
    return value


AnswerValue = Annotated[
    int | str | list[str],
    BeforeValidator(_no_float_or_bool),
    WithJsonSchema(
        {
            "anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "examples": [9, "Fast support", ["Reports", "Alerts"]],
        }
    ),
]
def refuse_nul_in_mapping(value: Any) -> Any:
    # The base schemas check strings and lists; a mapping's keys and values reach the database too.
    if isinstance(value, dict):
        for key, item in value.items():
            for text in (key, *(item if isinstance(item, list) else [item])):
                if isinstance(text, str) and "\x00" in text:
                    raise ValueError("Text cannot contain NUL (\\x00) characters.")
    return value


ANSWERS_HELP = (
    "Answers by question key: a whole number for NPS (0-10), CSAT (1-5), CES (1-7) and scale questions, "
    "the chosen text for a single choice, a list of them for a multiple choice, text for a free-text question."
)


# Surveys ----------------------------------------------------------------------------------------


class QuestionFields(WriteSchema):
    """A question is added after the last one; PUT .../questions/order moves it."""

    key: QuestionKey | None = Field(
        None, description="Stable name used in answers, scoring and exports; default: made from the prompt."
    )
    kind: QuestionKind
    prompt: str = Field(min_length=1, max_length=500)
    help_text: str = Field("", max_length=500)
    required: bool = False
    choices: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, description="For single and multiple choice: at least two, all different."
    )
    scale_min: int | None = Field(None, ge=-1000, le=1000, description="For a scale question.")
    scale_max: int | None = Field(None, ge=-1000, le=1000, description="For a scale question.")
    scoring: dict[str, Any] = Field(
        default_factory=dict, description="For the readiness assessment: points per choice or per scale step."
    )

    @field_validator("scoring", mode="before")
    @classmethod
    def _no_nul_in_scoring(cls, value: Any) -> Any:
        return refuse_nul_in_mapping(value)


class QuestionOut(Schema):
    id: int
    survey_id: int
    position: int
    key: str
    kind: str
    prompt: str
    help_text: str
    required: bool
    choices: list[str]
    scale_min: int | None
    scale_max: int | None
    scoring: dict[str, Any]


class SurveyFields(WriteSchema):
    name: str = Field(min_length=1, max_length=200)
    intro: str = Field("", description="Shown above the questions.")
    thank_you: str = Field("", description="Shown after the last answer; empty: the default thanks.")


class SurveyIn(SurveyFields):
    kind: SurveyKind = Field(
        description="An nps, csat or ces survey starts with its headline question and a free-text 'why'; "
        "the adoption-readiness questionnaire is the CS leaders' to create and edit."
    )
    questions: list[QuestionFields] = Field(
        default_factory=list, max_length=100, description="Further questions, in order, after the starting ones."
    )


class SurveyOut(Schema):
    id: int
    name: str
    kind: str
    intro: str
    thank_you: str
    is_active: bool
    created_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class SurveyDetailOut(SurveyOut):
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj) -> list:
        return list(obj.questions.all())


class SurveyPage(Page):
    items: list[SurveyOut]


class SurveyFilters(InputFilterSchema):
    kind: SurveyKind | None = None
    include_inactive: bool = Field(False, description="Also list deactivated surveys.")

    def filter_include_inactive(self, value: bool) -> Q:
        return Q() if value else Q(is_active=True)


class ReorderIn(WriteSchema):
    question_ids: list[Id] = Field(
        min_length=1, max_length=1000, description="Every question id of the survey, once, in the new order."
    )


# Campaigns --------------------------------------------------------------------------------------


class AudienceIn(WriteSchema):
    """Who is asked: contacts of accounts matching every given filter (an empty list: any)."""

    segments: list[Segment] = Field(default_factory=list)
    stages: list[LifecycleStage] = Field(default_factory=list, description="Lifecycle stages.")
    roles: list[ContactRole] = Field(default_factory=list, description="Contact roles (any of them).")
    account_ids: list[Id] = Field(default_factory=list, max_length=10_000, description="Only these accounts.")


class CampaignIn(WriteSchema):
    survey_id: Id
    name: str | None = Field(None, max_length=200, description="Default: the survey's name and the month.")
    audience: AudienceIn = Field(description="At least one segment, lifecycle stage or account.")
    subject: str | None = Field(None, max_length=200, description="The e-mail's subject; default a short question.")
    message: str | None = Field(
        None, description="The e-mail's text; the personal link is added below it. {first_name} and {company} "
        "are filled in. Default: a short request."
    )
    expires_days: int = Field(14, ge=1, le=2**31 - 1, description="How long each personal link works (1-90 days).")
    reminder_days: int = Field(
        5, ge=0, le=2**31 - 1, description="Days after sending to remind, before the link expires; 0: no reminder."
    )


class CampaignOut(Schema):
    id: int
    survey_id: int
    name: str
    audience: dict[str, Any]
    subject: str
    message: str
    expires_days: int
    reminder_days: int
    status: CampaignStatus
    sent_at: dt.datetime | None
    created_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CampaignDetailOut(CampaignOut):
    invitations: dict[InvitationStatus, int] = Field(description="How many invitations are in each status.")

    # Set by the endpoint from one grouped count.
    @staticmethod
    def resolve_invitations(obj) -> dict:
        return obj.invitation_counts


class CampaignSentOut(CampaignDetailOut):
    invited: int = Field(description="Invited by this send (their e-mails leave right after).")
    skipped: int = Field(description="Not invited, each with its reason on its invitation.")
    already_invited: int = Field(description="Invited by an earlier send of this campaign: nothing new for them.")


class CampaignPage(Page):
    items: list[CampaignOut]


class CampaignFilters(InputFilterSchema):
    survey_id: Id | None = None
    status: CampaignStatus | None = None


class RecipientOut(Schema):
    contact_id: int
    account_id: int
    name: str
    email: str


class SkippedOut(RecipientOut):
    reason: str = Field(description="Why this contact is not asked (unsubscribed, surveyed recently, no e-mail...).")


class PreviewOut(Schema):
    recipients: list[RecipientOut]
    skipped: list[SkippedOut]


# Responses --------------------------------------------------------------------------------------


class ResponseIn(AccountRef):
    """One answered survey from an in-app tool; with ``external_id`` posting it again updates it."""

    survey_id: Id
    contact_id: Id | None = Field(None, description="The contact who answered; or give contact_email.")
    contact_email: str | None = Field(None, max_length=254, description="Matched among the account's contacts.")
    answers: dict[QuestionKey, AnswerValue] = Field(description=ANSWERS_HELP)
    submitted_at: AwareDatetime | None = Field(None, description="Default now; ISO 8601 with a time zone.")
    external_id: ExternalId | None = Field(None, description="Your tool's id for the response: posting it again updates it.")

    @field_validator("answers", mode="before")
    @classmethod
    def _no_nul_in_answers(cls, value: Any) -> Any:
        return refuse_nul_in_mapping(value)


class BulkIn(WriteSchema):
    """All or nothing: one bad row and nothing is written; the error lists every bad row."""

    rows: list[ResponseIn] = Field(min_length=1, max_length=1000)


class AnswerOut(Schema):
    key: str
    kind: str
    value: int | str | list[str] | None

    @staticmethod
    def resolve_key(obj) -> str:
        return obj.question.key

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.question.kind

    @staticmethod
    def resolve_value(obj) -> Any:
        kind = obj.question.kind
        if kind == QuestionKind.MULTI:
            return list(obj.choices or [])
        if kind == QuestionKind.SINGLE:
            return obj.choices[0] if obj.choices else None
        if kind == QuestionKind.TEXT:
            return obj.text
        return obj.number


class ResponseOut(Schema):
    id: int
    survey_id: int
    account_id: int
    contact_id: int | None
    invitation_id: int | None
    source: ResponseSource
    external_id: str | None
    started_at: dt.datetime
    submitted_at: dt.datetime | None = Field(description="null while the answers are partial.")
    score: int | None = Field(description="The headline answer (0-10, 1-5 or 1-7).")
    band: str | None = Field(description="For NPS: promoter, passive or detractor.")
    comment: str
    sentiment: float | None = Field(description="Of the comment, from -1 (negative) to 1 (positive).")
    answers: list[AnswerOut]

    @staticmethod
    def resolve_band(obj) -> str | None:
        if obj.score is None or obj.survey.kind != SurveyKind.NPS:
            return None
        return next(band for band, (low, high) in BAND_RANGES.items() if low <= obj.score <= high)

    @staticmethod
    def resolve_answers(obj) -> list:
        return list(obj.answers.all())


class ResponseWritten(ResponseOut):
    created: bool = Field(description="false when an external_id matched an existing response.")


class ResponsePage(Page):
    items: list[ResponseOut]


class BulkOut(Schema):
    count: int
    created: int
    updated: int
    items: list[ResponseOut]


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def since_until(since: dt.date | None, until: dt.date | None, field: str) -> Q:
    """Days in the server's time zone, both ends included."""
    q = Q()
    if since is not None:
        q &= Q(**{f"{field}__gte": _day_start(since)})
    if until is not None:
        q &= Q(**{f"{field}__lt": _day_start(until + dt.timedelta(days=1))})
    return q


class ResponseFilters(InputFilterSchema):
    survey_id: Id | None = None
    account_id: Id | None = None
    account_external_id: Annotated[ExternalId | None, FilterLookup("account__external_id")] = None
    contact_id: Id | None = None
    band: str | None = Field(None, description="NPS band: promoter (9-10), passive (7-8) or detractor (0-6).")
    source: ResponseSource | None = None
    since: dt.date | None = Field(None, description="Submitted on or after this day.")
    until: dt.date | None = Field(None, description="Submitted on or before this day.")
    complete: bool | None = Field(None, description="true: submitted only; false: partial only.")

    @field_validator("band")
    @classmethod
    def _known_band(cls, value: str | None) -> str | None:
        if value is not None and value not in BANDS:
            raise ValueError(f"Use one of {', '.join(BANDS)}.")
        return value

    def filter_band(self, value: str | None) -> Q:
        if value is None:
            return Q()
        low, high = BAND_RANGES[value]
        return Q(survey__kind=SurveyKind.NPS, score__gte=low, score__lte=high)

    def filter_since(self, value: dt.date | None) -> Q:
        return since_until(value, None, "submitted_at")

    def filter_until(self, value: dt.date | None) -> Q:
        return since_until(None, value, "submitted_at")

    def filter_complete(self, value: bool | None) -> Q:
        return Q() if value is None else Q(submitted_at__isnull=not value)


# Results ----------------------------------------------------------------------------------------


class ResultsParams(InputFilterSchema):
    segment: Annotated[Segment | None, FilterLookup("account__segment")] = Field(
        None, description="Only answers of accounts in this segment."
    )
    since: dt.date | None = Field(None, description="Answers submitted on or after this day.")
    until: dt.date | None = Field(None, description="Answers submitted on or before this day.")

    def filter_since(self, value: dt.date | None) -> Q:
        return since_until(value, None, "submitted_at")

    def filter_until(self, value: dt.date | None) -> Q:
        return since_until(None, value, "submitted_at")


class ResultsOut(Schema):
    survey_id: int
    kind: str
    metric: str | None = Field(description="nps, csat or ces; null for a questionnaire without a headline score.")
    segment: str | None
    since: dt.date | None
    until: dt.date | None
    n: int = Field(description="How many answers the score is computed from.")
    score: float | None = Field(description="NPS -100..100, CSAT % of 4-5 answers, CES mean; null without answers.")
    low: float | None = Field(description="Lower end of the 95% interval.")
    high: float | None = Field(description="Upper end of the 95% interval.")
    small: bool = Field(description="Fewer than 30 answers: read with care.")
    promoters: int | None = None
    passives: int | None = None
    detractors: int | None = None
    satisfied: int | None = Field(None, description="CSAT: answers of 4 or 5.")


# Relationship milestones ------------------------------------------------------------------------


class MilestoneFields(WriteSchema):
    kind: MilestoneKind
    occurred_on: dt.date
    contact_id: Id | None = Field(None, description="The customer's contact involved, at the same account.")
    credited_to_id: Id | None = Field(None, description="The user credited; default the account's owner.")
    note: str = ""


class MilestoneIn(MilestoneFields, AccountRef):
    pass


class MilestoneOut(Schema):
    id: int
    account_id: int
    kind: MilestoneKind
    occurred_on: dt.date
    contact_id: int | None
    credited_to_id: int | None
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class MilestonePage(Page):
    items: list[MilestoneOut]


class MilestoneFilters(InputFilterSchema):
    account_id: Id | None = None
    account_external_id: Annotated[ExternalId | None, FilterLookup("account__external_id")] = None
    kind: MilestoneKind | None = None
    credited_to: str | None = Field(None, description="A user id, or 'me'.")
    since: Annotated[dt.date | None, FilterLookup("occurred_on__gte")] = Field(None, description="On or after.")
    until: Annotated[dt.date | None, FilterLookup("occurred_on__lte")] = Field(None, description="On or before.")

    @field_validator("credited_to")
    @classmethod
    def _id_or_me(cls, value: str | None) -> str | None:
        if value is not None and value != "me" and not (value.isdigit() and 0 < int(value) <= MAX_ID):
            raise ValueError("Use a user id or 'me'.")
        return value

    def filter_credited_to(self, value: str | None) -> Q:
        # 'me' is replaced by the caller's id in the endpoint, which knows the request.
        return Q(credited_to_id=int(value)) if value else Q()


# Readiness assessments --------------------------------------------------------------------------


class ReadinessOut(Schema):
    id: int
    account_id: int
    response_id: int
    assessed_on: dt.date
    score: int = Field(description="0-100.")
    level: ReadinessLevel
    reasons: list[Any] = Field(description="What raised and what lowered the score.")
    recommendation: str = Field(description="What CS does first.")


class ReadinessPage(Page):
    items: list[ReadinessOut]


class ReadinessFilters(InputFilterSchema):
    account_id: Id | None = None
    account_external_id: Annotated[ExternalId | None, FilterLookup("account__external_id")] = None
    level: ReadinessLevel | None = None
