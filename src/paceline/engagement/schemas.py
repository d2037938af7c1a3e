"""What the engagement API accepts and returns: touchpoint plans and steps, touchpoints,
resources, need areas, needs and the gaps report.

Choices are literal values, so a wrong one is refused by name with the values allowed.
"""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from paceline.core.schemas import Id
from paceline.customers.schemas import Page, WriteSchema

SegmentIn = Literal["enterprise", "mid_market", "smb"]
StageIn = Literal["onboarding", "adoption", "maturity", "renewal", "churned"]
KindIn = Literal["any", "email", "call", "meeting", "qbr", "event"]
ResourceKindIn = Literal["article", "kb", "support", "training", "office_hours", "premium", "community"]


# Plans and steps ---------------------------------------------------------------------------------


class PlanFields(WriteSchema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    segment: Literal["", "enterprise", "mid_market", "smb"] = Field("", description="Blank: for any segment.")
    auto_apply: bool = Field(True, description="Apply to every account of the segment on its current term.")
    active: bool = True


class StepFields(WriteSchema):
    name: str = Field(min_length=1, max_length=200)
    kind: KindIn = Field("any", description="Which logged interaction keeps it; notes never do.")
    anchor: Literal["start", "renewal"] = Field("start", description="Counted after the contract's start or before its renewal.")
    offset_days: int = Field(ge=0, le=3650)
    window_days: int = Field(14, ge=0, le=180, description="How many days either side of the date count.")
    purpose: str = Field(min_length=1, max_length=300)
    expected_result: str = Field(min_length=1, max_length=300)
    owner_role: Literal["owner", "leader"] = Field("owner", description="The account's CSM, or a CS leader.")
    position: int | None = Field(None, ge=0, le=10_000, description="Order in the plan; blank: last.")


class StepOut(Schema):
    id: int
    plan_id: int
    name: str
    kind: str
    anchor: str
    offset_days: int
    window_days: int
    purpose: str
    expected_result: str
    owner_role: str
    position: int


class PlanOut(Schema):
    id: int
    name: str
    description: str
    segment: str
    auto_apply: bool
    active: bool
    steps: list[StepOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())


class PlanPage(Page):
    items: list[PlanOut]


# Touchpoints -------------------------------------------------------------------------------------


class TouchpointIn(WriteSchema):
    name: str = Field(min_length=1, max_length=200)
    due_date: dt.date
    kind: KindIn = "any"
    window_days: int = Field(14, ge=0, le=180)
    purpose: str = Field("", max_length=300)
    expected_result: str = Field("", max_length=300)
    owner_id: Id | None = Field(None, description="Blank: the account's CSM.")


class TouchpointChange(WriteSchema):
    """Reschedule or reassign an open touchpoint."""

    due_date: dt.date | None = None
    window_days: int | None = Field(None, ge=0, le=180)
    owner_id: Id | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    purpose: str | None = Field(None, max_length=300)
    expected_result: str | None = Field(None, max_length=300)


class ResultIn(WriteSchema):
    result: str = Field(min_length=1, max_length=5000, description="What came of it.")
    interaction_id: Id | None = Field(None, description="The interaction it happened in, on the same account.")


class ApplyIn(WriteSchema):
    plan_id: Id


class TouchpointOut(Schema):
    id: int
    account_id: int
    plan_id: int | None
    step_id: int | None
    term_start: dt.date | None
    source: str
    name: str
    kind: str
    purpose: str
    expected_result: str
    due_date: dt.date
    window_days: int
    owner_id: int | None
    status: str = Field(description="planned, held (result to record), kept, missed or cancelled.")
    interaction_id: int | None
    result: str
    closed_on: dt.date | None


class TouchpointPage(Page):
    items: list[TouchpointOut]


class AppliedOut(Schema):
    plan_id: int
    account_id: int
    created: list[TouchpointOut]


class TouchpointFilters(WriteSchema):
    status: Literal["planned", "held", "kept", "missed", "cancelled"] | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None


# Resources, need areas and needs -------------------------------------------------------------------


class AreaIn(WriteSchema):
    name: str = Field(min_length=1, max_length=120)
    key: str = Field("", max_length=50, pattern=r"^[-a-zA-Z0-9_]*$", description="Blank: made from the name.")
    description: str = Field("", max_length=300)


class AreaChange(WriteSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    key: str | None = Field(None, min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    description: str | None = Field(None, max_length=300)


class AreaOut(Schema):
    id: int
    key: str
    name: str
    description: str


class AreaPage(Page):
    items: list[AreaOut]


class ResourceFields(WriteSchema):
    title: str = Field(min_length=1, max_length=200)
    kind: ResourceKindIn
    url: str = Field("", max_length=200)
    description: str = ""
    area_ids: list[Id] = Field(min_length=1, description="The need areas it helps with.")
    stages: list[StageIn] = Field(default_factory=list, description="Empty: every stage.")
    segments: list[SegmentIn] = Field(default_factory=list, description="Empty: every segment.")
    active: bool = True


class ResourceOut(Schema):
    id: int
    title: str
    kind: str
    url: str
    description: str
    area_ids: list[int]
    stages: list[str]
    segments: list[str]
    active: bool

    @staticmethod
    def resolve_area_ids(obj) -> list[int]:
        return [a.pk for a in obj.areas.all()]


class ResourcePage(Page):
    items: list[ResourceOut]


class ResourceFilters(WriteSchema):
    active: bool | None = None
    kind: ResourceKindIn | None = None
    area_id: Id | None = None


class NeedIn(WriteSchema):
    area_id: Id
    note: str = Field("", max_length=300)
    contact_id: Id | None = None


class NeedOut(Schema):
    id: int
    account_id: int
    area_id: int
    contact_id: int | None
    note: str
    status: str
    opened_on: dt.date
    met_on: dt.date | None


class NeedPage(Page):
    items: list[NeedOut]


class GapCell(Schema):
    stage: str
    resources: int


class GapRow(Schema):
    area_id: int
    area: str
    stages: list[GapCell]


class NeedGapOut(Schema):
    area_id: int
    area: str
    stage: str
    segment: str
    accounts: int


class GapsOut(Schema):
    matrix: list[GapRow]
    open_needs_without_resource: list[NeedGapOut]
