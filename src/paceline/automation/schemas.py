"""What the automation API accepts and returns."""

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from paceline.core.schemas import Id, InputSchema


class WriteSchema(InputSchema):
    model_config = ConfigDict(extra="forbid")


class ParamOut(Schema):
    name: str
    label: str
    type: str = Field(description="str, text, int, choice or choices (a list).")
    default: Any = None
    required: bool
    minimum: int | None = None
    choices: list[list[str]] = Field(description="[value, label] pairs for choice and choices.")
    help: str


class TriggerOut(Schema):
    key: str
    label: str
    description: str
    scheduled: bool = Field(description="Scanned once a day rather than read from events.")
    events: list[str]
    params: list[ParamOut]


class ActionOut(Schema):
    key: str
    label: str
    description: str
    params: list[ParamOut]


class ActionSpec(Schema):
    type: str
    params: dict[str, Any] = {}


class RuleFields(WriteSchema):
    name: str = Field(max_length=200)
    description: str = ""
    active: bool = True
    trigger: str = Field(description="A key of GET /automation/triggers.")
    trigger_params: dict[str, Any] = {}
    conditions: list[dict[str, Any]] = Field([], description='[{"field": "segment", "op": "in", "value": [...]}]')
    actions: list[dict[str, Any]] = Field(description='[{"type": "create_task", "params": {"title": "..."}}]')
    cap_count: int = Field(1, ge=0)
    cap_days: int = Field(7, ge=0)


class RuleOut(Schema):
    id: int
    name: str
    description: str
    active: bool
    trigger: str
    trigger_params: dict[str, Any]
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    cap_count: int
    cap_days: int
    created_at: dt.datetime
    updated_at: dt.datetime


class Page(Schema):
    count: int
    limit: int
    offset: int


class RulePage(Page):
    items: list[RuleOut]


class FiringOut(Schema):
    id: int
    rule_id: int
    rule_name: str = Field(alias="rule.name")
    account_id: int
    account_name: str = Field(alias="account.name")
    cause: str
    fired_at: dt.datetime
    why: dict[str, Any]
    outcome: list[dict[str, Any]]
    status: str = Field(description="done, failed or capped.")


class FiringPage(Page):
    items: list[FiringOut]


class FiringFilters(InputSchema):
    rule_id: Id | None = None
    account_id: Id | None = None
    status: str | None = Field(None, pattern="^(done|failed|capped)$")


class SnoozeIn(WriteSchema):
    rule_id: Id
    account_id: Id
    until: dt.date
    reason: str = Field("", max_length=300)


class SnoozeOut(Schema):
    id: int
    rule_id: int
    account_id: int
    until: dt.date
    reason: str
    created_at: dt.datetime


class SnoozePage(Page):
    items: list[SnoozeOut]


class SnoozeFilters(InputSchema):
    rule_id: Id | None = None
    account_id: Id | None = None


class StepFields(WriteSchema):
    id: Id | None = Field(None, description="An existing step's id to keep it; leave out for a new step.")
    kind: str = "task"
    title: str = Field(max_length=300)
    description: str = ""
    due_in_days: int = Field(0, ge=0)
    owner_role: str = "owner"
    priority: str = "normal"
    touchpoint_kind: str = ""


class StepOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    due_in_days: int
    owner_role: str
    priority: str
    touchpoint_kind: str
    position: int


class PlaybookFields(WriteSchema):
    name: str = Field(max_length=200)
    description: str = ""
    active: bool = True
    steps: list[StepFields] = Field([], description="The whole list of steps, in order.")


class PlaybookOut(Schema):
    id: int
    name: str
    description: str
    active: bool
    steps: list[StepOut]


class PlaybookPage(Page):
    items: list[PlaybookOut]


class RunIn(WriteSchema):
    account_id: Id


class RunOut(Schema):
    id: int
    playbook_id: int
    playbook_name: str = Field(alias="playbook.name")
    account_id: int
    started_on: dt.date
    status: str
    completed_on: dt.date | None
    firing_id: int | None
    done: int
    total: int


class RunPage(Page):
    items: list[RunOut]


class RunFilters(InputSchema):
    playbook_id: Id | None = None
    account_id: Id | None = None
    status: str | None = Field(None, pattern="^(active|completed|cancelled)$")


class ChannelFields(WriteSchema):
    name: str = Field(max_length=120)
    kind: str = Field(description="email, slack or webhook.")
    target: str = Field(max_length=1000, description="E-mail addresses (comma-separated) or the webhook's URL.")
    secret: str = Field("", max_length=200, description="Write-only; a webhook gets one generated when empty.")
    active: bool = True


class ChannelOut(Schema):
    id: int
    name: str
    kind: str
    target: str
    active: bool
    secret_set: bool = Field(description="Whether a signing secret is set (it is never returned).")

    @staticmethod
    def resolve_secret_set(obj) -> bool:
        return bool(obj.secret)


class ChannelCreatedOut(ChannelOut):
    secret: str = Field(description="Shown in this response only; never returned again.")


class ChannelPage(Page):
    items: list[ChannelOut]


class DeliveryOut(Schema):
    id: int
    channel_id: int
    firing_id: int | None
    account_id: int | None
    subject: str
    status: str = Field(description="pending, sending, delivered or failed.")
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: dt.datetime
    delivered_at: dt.datetime | None
    created_at: dt.datetime


class AttemptOut(Schema):
    at: dt.datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryDetailOut(DeliveryOut):
    body: str
    payload: dict[str, Any]
    log: list[AttemptOut]


class DeliveryPage(Page):
    items: list[DeliveryOut]


class DeliveryFilters(InputSchema):
    status: str | None = Field(None, pattern="^(pending|sending|delivered|failed)$")
    channel_id: Id | None = None
