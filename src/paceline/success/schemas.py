"""What the success-plan API accepts and returns.

Metric values (baselines, targets, checkpoints, measurements) arrive as decimal strings ("42.5")
or integers and leave as decimal strings, never as binary floats. A duration metric counts
seconds; it also accepts "m:ss" or "h:mm:ss" ("19:27" is 1167 seconds), because that is how a
race time is written. Which unit a value is in depends on its metric, so the endpoints turn
these into numbers with ``metric_value`` once they know the metric.
"""

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.utils import timezone
from ninja import Field, FilterLookup, Schema
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema, field_validator

from paceline.core.schemas import Id, InputFilterSchema
from paceline.customers.schemas import AccountRef, ExternalId, Page, WriteSchema
from paceline.success import pacing
from paceline.success.models import (
    ActionStatus,
    Direction,
    GoalStatus,
    PlanStatus,
    Side,
    Unit,
)
from paceline.success.sources import get_source

# Values -----------------------------------------------------------------------------------------

VALUE_HELP = (
    'A decimal string ("42.5") or an integer, at most 4 decimal places. A duration metric counts '
    'seconds and also takes "m:ss" or "h:mm:ss" ("19:27" is 1167 seconds). A JSON number with a '
    "fraction is refused: it arrives as a binary float."
)
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# The columns hold 18 digits, 4 of them after the point.
_LIMIT = Decimal(10) ** 14


def _no_float(value: Any) -> Any:
    if isinstance(value, float | bool):
        raise ValueError('Send the value as a decimal string such as "42.5", not a JSON number with a fraction.')
    return value


MetricValueIn = Annotated[
    str | int,
    BeforeValidator(_no_float),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "maxLength": 40}, {"type": "integer"}], "examples": ["42.5", "19:27", 100]}
    ),
]


def metric_value(unit: str, raw: str | int) -> Decimal:
    """The number a value stands for in ``unit``; ValueError with the reason otherwise."""
    if isinstance(raw, int):
        value = Decimal(raw)
    else:
        text = raw.strip()
        if unit == Unit.DURATION and ":" in text:
            value = pacing.parse_value(unit, text)
        elif _DECIMAL.fullmatch(text):
            value = Decimal(text)
        else:
            also = ' or "m:ss" such as "19:27"' if unit == Unit.DURATION else ""
            raise ValueError(f"'{raw}' is not a number: send a decimal string such as \"42.5\"{also}.")
    if abs(value) >= _LIMIT:
        raise ValueError("The value is too large (at most 14 digits before the point).")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        raise ValueError("At most 4 decimal places.")
    return value


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _rounded(places: int):
    return lambda value: _plain(Decimal(repr(round(value, places))))


_DECIMAL_OUT = {"type": "string", "format": "decimal", "examples": ["42.5"]}
ValueOut = Annotated[Decimal, PlainSerializer(_plain, return_type=str), WithJsonSchema(_DECIMAL_OUT)]
# Pacing computes in floats; these carry its results as decimal strings like every other value.
FloatValueOut = Annotated[float, PlainSerializer(_rounded(4), return_type=str), WithJsonSchema(_DECIMAL_OUT)]
RateOut = Annotated[float, PlainSerializer(_rounded(6), return_type=str), WithJsonSchema(_DECIMAL_OUT)]
ShareOut = Annotated[float, PlainSerializer(lambda v: round(v, 4), return_type=float)]


# Plans ------------------------------------------------------------------------------------------


class PlanFields(WriteSchema):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field("", description="What success means, in the customer's words (shared with them).")
    internal_notes: str = Field("", description="Never shown to the customer.")
    status: PlanStatus = PlanStatus.ACTIVE
    owner_id: Id | None = Field(None, description="The owning user's id.")
    customer_owner_id: Id | None = Field(None, description="The contact who owns the plan on the customer's side.")
    reviewed_on: dt.date | None = Field(None, description="Last reviewed with the customer.")


class PlanIn(AccountRef):
    """A plan from scratch (give ``title``), or laid out from a template (give ``template_id``)."""

    template_id: Id | None = Field(
        None, description="Lay the plan out from this active template: its goals, metrics, laps and commitments."
    )
    start: dt.date | None = Field(
        None, description="With template_id: the day the plan starts; the template's days count from it. Default today."
    )
    title: str | None = Field(None, min_length=1, max_length=200, description="Required without template_id.")
    summary: str | None = Field(None, description="What success means, in the customer's words.")
    internal_notes: str | None = Field(None, description="Never shown to the customer.")
    status: PlanStatus | None = None
    owner_id: Id | None = Field(None, description="The owning user's id; default the caller.")
    customer_owner_id: Id | None = None
    reviewed_on: dt.date | None = None


class ReviewIn(WriteSchema):
    on: dt.date | None = Field(None, description="The day it was reviewed with the customer; default today.")


class PlanOut(Schema):
    id: int
    account_id: int
    title: str
    summary: str
    internal_notes: str
    status: str
    owner_id: int | None
    customer_owner_id: int | None
    template_id: int | None
    reviewed_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime


class PlanSummaryOut(PlanOut):
    goals_open: int = Field(description="Goals proposed, agreed or active (sub-goals included).")
    goals_measured: int = Field(description="Open goals with at least one metric measured.")
    goals_on_pace: int = Field(description="Open measured goals ahead, on pace or hit.")


class PlanPage(Page):
    items: list[PlanSummaryOut]


class PlanFilters(InputFilterSchema):
    account_id: Id | None = None
    account_external_id: Annotated[str | None, FilterLookup("account__external_id")] = None
    status: PlanStatus | None = None


# Goals ------------------------------------------------------------------------------------------


class GoalFields(WriteSchema):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", description="In the customer's language of success.")
    internal_notes: str = Field("", description="Never shown to the customer.")
    target_date: dt.date | None = None
    position: int = Field(0, ge=0, le=2**31 - 1, description="Order among its siblings.")
    parent_id: Id | None = Field(None, description="For a sub-goal: its goal (one level deep).")


class GoalIn(GoalFields):
    plan_id: Id | None = Field(None, description="The plan; may be left out for a sub-goal (its goal's plan).")


class AgreeIn(WriteSchema):
    contact_id: Id = Field(description="The customer contact who agreed (a contact of the plan's account).")
    on: dt.date | None = Field(None, description="Default today.")


class CloseIn(WriteSchema):
    status: Literal["hit", "missed", "retired"] = Field(description="A hit is celebrated on the account's timeline.")
    on: dt.date | None = Field(None, description="Default today.")
    reason: str = ""


class ReplaceIn(WriteSchema):
    """The goal itself changed: it closes as 'changed' and this successor is proposed in its place."""

    title: str = Field(min_length=1, max_length=300)
    reason: str = Field(description="Why the goal changed.")
    description: str = ""
    internal_notes: str = ""
    target_date: dt.date | None = None


class GoalOut(Schema):
    id: int
    plan_id: int
    parent_id: int | None
    title: str
    description: str
    internal_notes: str
    status: GoalStatus
    target_date: dt.date | None
    position: int
    agreed_by_contact_id: int | None
    agreed_by_user_id: int | None
    agreed_on: dt.date | None
    closed_on: dt.date | None
    close_reason: str
    replaced_by_id: int | None
    pace_status: str | None = Field(description="The worst pace of its metrics; null without metrics.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_pace_status(obj) -> str | None:
        return obj.pace_status or None


# Metrics ----------------------------------------------------------------------------------------


def _known_source(value: str) -> str:
    if value and get_source(value) is None:
        raise ValueError(f"No computed source '{value}'; see GET /metric-sources.")
    return value


class CheckpointIn(WriteSchema):
    due_on: dt.date
    target: MetricValueIn = Field(description=VALUE_HELP)
    label: str = Field("", max_length=100)


class MetricFields(WriteSchema):
    name: str = Field(min_length=1, max_length=200)
    unit: Unit = Unit.COUNT
    currency: str = Field("", max_length=3, description="ISO 4217 code, for currency metrics.")
    direction: Direction = Field(Direction.HIGHER, description="higher, or lower (like a race time).")
    baseline: MetricValueIn = Field(description=VALUE_HELP)
    baseline_date: dt.date
    target: MetricValueIn = Field(description=VALUE_HELP + " Reachable from the baseline in the direction.")
    target_date: dt.date = Field(description="After the baseline date.")
    denominator: MetricValueIn | None = Field(
        None, description="For percent metrics: the population the percentage is of (e.g. team size)."
    )
    source: str = Field("", max_length=80, description="A computed source key (GET /metric-sources); empty: by hand.")
    source_params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("source")
    @classmethod
    def _source_is_known(cls, value: str) -> str:
        return _known_source(value)


class MetricIn(MetricFields):
    goal_id: Id
    checkpoints: list[CheckpointIn] = Field(default_factory=list, description="Intermediate targets (laps).")


class CheckpointsIn(WriteSchema):
    checkpoints: list[CheckpointIn] = Field(description="The metric's laps; replaces the ones it has.")


class RenegotiateIn(WriteSchema):
    new_target: MetricValueIn = Field(description=VALUE_HELP)
    reason: str = Field(description="Why the target changed.")
    contact_id: Id = Field(description="Who agreed on the customer's side (a contact of the account).")
    new_target_date: dt.date | None = Field(None, description="Default: unchanged.")
    new_denominator: MetricValueIn | None = Field(None, description="For percent metrics; default: unchanged.")
    equivalence: str = Field("", description="Why the new target is the same success, if it is.")
    changed_on: dt.date | None = Field(None, description="Default today.")


class CheckpointOut(Schema):
    id: int
    due_on: dt.date
    target: ValueOut
    label: str


class PointOut(Schema):
    on: dt.date
    value: FloatValueOut


class CheckpointPaceOut(Schema):
    due_on: dt.date
    target: FloatValueOut
    split: FloatValueOut = Field(description="The change required since the previous checkpoint (or the baseline).")
    days: int = Field(description="Days since the previous checkpoint (or the baseline).")
    split_per_day: RateOut
    state: Literal["reached", "missed", "upcoming"]
    value_then: FloatValueOut | None = Field(description="The latest measurement on or before its date.")


class PaceOut(Schema):
    as_of: dt.date
    status: Literal["no_data", "ahead", "on_pace", "behind", "at_risk", "hit", "missed"]
    rule: str = Field(description="The rule that set the status, in words.")
    current: PointOut | None = Field(description="The latest measurement.")
    best: PointOut | None
    required_rate_per_day: RateOut | None = Field(description="Signed: negative when lower is better.")
    actual_rate_per_day: RateOut | None = Field(description="The trend of the latest measurements, signed.")
    projected: FloatValueOut | None = Field(description="The value expected at the target date at the actual rate.")
    pace_line_today: FloatValueOut = Field(description="Where the plan expects the value today.")
    progress: ShareOut = Field(description="Share of the baseline-to-target distance covered (a number).")
    elapsed: ShareOut = Field(description="Share of the baseline-to-target time gone by (a number).")
    checkpoints: list[CheckpointPaceOut]


class MetricChangeOut(Schema):
    id: int
    metric_id: int
    changed_on: dt.date
    old_target: ValueOut
    new_target: ValueOut
    old_target_date: dt.date
    new_target_date: dt.date
    old_denominator: ValueOut | None
    new_denominator: ValueOut | None
    old_absolute: ValueOut | None = Field(description="For percent metrics: how many the old target is.")
    new_absolute: ValueOut | None
    absolute_held: bool = Field(description="Both targets are the same absolute figure (50% of 100 = 25% of 200).")
    reason: str
    equivalence: str
    agreed_by_contact_id: int | None
    agreed_by_user_id: int | None
    created_at: dt.datetime


class MetricChangePage(Page):
    items: list[MetricChangeOut]


class MetricOut(Schema):
    id: int
    goal_id: int
    name: str
    unit: Unit
    currency: str
    direction: Direction
    baseline: ValueOut
    baseline_date: dt.date
    target: ValueOut
    target_date: dt.date
    denominator: ValueOut | None
    absolute_target: ValueOut | None = Field(description="For percent metrics with a denominator: how many.")
    source: str
    source_params: dict[str, Any]
    checkpoints: list[CheckpointOut]
    pace: PaceOut = Field(description="Evaluated as of today.")
    changes: list[MetricChangeOut] = Field(description="Renegotiations, oldest first.")
    created_at: dt.datetime
    updated_at: dt.datetime

    # .all() reads what the endpoint prefetched; the pace is set by the endpoint.
    @staticmethod
    def resolve_checkpoints(obj) -> list:
        return list(obj.checkpoints.all())

    @staticmethod
    def resolve_changes(obj) -> list:
        return list(obj.changes.all())


class MetricSourceOut(Schema):
    key: str
    label: str
    unit: str
    description: str


# Measurements -----------------------------------------------------------------------------------


class MeasurementIn(WriteSchema):
    measured_on: dt.date = Field(description="Not in the future, not before the baseline date.")
    value: MetricValueIn = Field(description=VALUE_HELP)
    note: str = Field("", max_length=500)
    unit: str | None = Field(
        None, max_length=20, description="The unit the value is in; refused unless it is the metric's (a guard)."
    )


class BulkRowIn(MeasurementIn):
    metric_id: Id


class BulkIn(WriteSchema):
    """All or nothing: one bad row and nothing is written; the error lists every bad row."""

    rows: list[BulkRowIn] = Field(min_length=1, max_length=1000, description="One measurement per row.")
    account_id: Id | None = Field(None, description="Optional: refuse rows whose metric is another account's.")
    account_external_id: ExternalId | None = None


class MeasurementOut(Schema):
    id: int
    metric_id: int
    measured_on: dt.date
    value: ValueOut
    source: str
    note: str
    recorded_by_id: int | None
    recorded_at: dt.datetime


class MeasurementPage(Page):
    items: list[MeasurementOut]


class BulkOut(Schema):
    count: int
    items: list[MeasurementOut]


class MeasurementFilters(InputFilterSchema):
    since: Annotated[dt.date | None, FilterLookup("measured_on__gte")] = Field(None, description="On or after.")
    until: Annotated[dt.date | None, FilterLookup("measured_on__lte")] = Field(None, description="On or before.")


# Action items -----------------------------------------------------------------------------------


class ActionFields(WriteSchema):
    title: str = Field(min_length=1, max_length=300)
    side: Side = Field(description="vendor (owned by one of our users) or customer (owned by one of their contacts).")
    owner_user_id: Id | None = Field(None, description="For side vendor.")
    owner_contact_id: Id | None = Field(None, description="For side customer: a contact of the plan's account.")
    due_on: dt.date


class ActionIn(ActionFields):
    goal_id: Id


class CompleteIn(WriteSchema):
    done_on: dt.date | None = Field(None, description="Default today; not in the future.")


class ActionOut(Schema):
    id: int
    goal_id: int
    plan_id: int
    account_id: int
    title: str
    side: Side
    owner_user_id: int | None
    owner_contact_id: int | None
    due_on: dt.date
    status: ActionStatus
    done_on: dt.date | None
    missed_on: dt.date | None = Field(description="When the daily check found it open past its due date.")
    outcome: Literal["kept", "late", "missed", "open", "cancelled"]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_plan_id(obj) -> int:
        return obj.goal.plan_id

    @staticmethod
    def resolve_account_id(obj) -> int:
        return obj.goal.plan.account_id


class ActionPage(Page):
    items: list[ActionOut]


class ActionFilters(InputFilterSchema):
    plan_id: Annotated[Id | None, FilterLookup("goal__plan_id")] = None
    goal_id: Id | None = None
    account_id: Annotated[Id | None, FilterLookup("goal__plan__account_id")] = None
    account_external_id: Annotated[str | None, FilterLookup("goal__plan__account__external_id")] = None
    side: Side | None = None
    status: ActionStatus | None = None
    overdue: bool | None = Field(None, description="true: open past the due date; false: everything else.")

    def filter_overdue(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        late = Q(status=ActionStatus.OPEN, due_on__lt=timezone.localdate())
        return late if value else ~late


# Plan detail ------------------------------------------------------------------------------------


class GoalBranchOut(GoalOut):
    metrics: list[MetricOut]
    action_items: list[ActionOut]

    # Set by the plan_tree selector, so the tree costs no query per goal.
    @staticmethod
    def resolve_metrics(obj) -> list:
        return obj.metric_list

    @staticmethod
    def resolve_action_items(obj) -> list:
        return obj.action_list


class GoalTreeOut(GoalBranchOut):
    subgoals: list[GoalBranchOut]

    @staticmethod
    def resolve_subgoals(obj) -> list:
        return obj.children


class CommitmentsOut(Schema):
    kept: int
    late: int = Field(description="Done after the due date.")
    missed: int = Field(description="Open past the due date.")
    open: int


class PlanDetailOut(PlanOut):
    goals: list[GoalTreeOut] = Field(description="Top-level goals with their sub-goals, metrics and commitments.")
    goals_measured: int = Field(description="Open goals with at least one metric measured.")
    goals_on_pace: int = Field(description="Open measured goals ahead, on pace or hit.")
    pace_counts: dict[str, int] = Field(description="Open measured goals by pace status.")
    commitments: dict[Side, CommitmentsOut] = Field(description="How each side's commitments turned out.")

    # Set by the endpoint from the plan_tree selector.
    @staticmethod
    def resolve_goals(obj) -> list:
        return obj.goal_tree


# Templates --------------------------------------------------------------------------------------


class TemplateFields(WriteSchema):
    name: str = Field(min_length=1, max_length=200)
    use_case: str = Field("", max_length=200)
    description: str = ""
    structure: list[dict[str, Any]] = Field(
        description="Goals, each {title, description, days, metrics: [{name, unit, direction, baseline, target, "
        "days, checkpoints: [{days, target, label}]}], actions: [{title, side, days}], subgoals: [...]}; "
        "days count from the plan's start."
    )


class TemplateOut(Schema):
    id: int
    name: str
    use_case: str
    description: str
    structure: list[dict[str, Any]]
    is_active: bool
    created_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TemplatePage(Page):
    items: list[TemplateOut]


class TemplateFilters(InputFilterSchema):
    include_inactive: bool = Field(False, description="Also list deactivated templates.")

    def filter_include_inactive(self, value: bool) -> Q:
        return Q() if value else Q(is_active=True)


# Share links ------------------------------------------------------------------------------------


class ShareLinkIn(WriteSchema):
    label: str = Field("", max_length=200, description="Who it is sent to.")
    days: int = Field(30, ge=1, le=365, description="How long the link works.")


class ShareLinkOut(Schema):
    id: int
    plan_id: int
    label: str
    prefix: str = Field(description="The token's first characters, to recognise the link.")
    created_by_id: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_viewed_at: dt.datetime | None
    view_count: int
    is_usable: bool


class ShareLinkPage(Page):
    items: list[ShareLinkOut]


class ShareLinkCreated(ShareLinkOut):
    url: str = Field(description="The read-only page for the customer. Shown this once: only a hash is kept.")
    token: str = Field(description="The raw token in the URL. Shown this once and never stored.")
