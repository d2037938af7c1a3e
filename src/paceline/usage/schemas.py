"""The usage API's shapes."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from paceline.core.schemas import InputSchema


class WriteKeyOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class WriteKeyCreated(WriteKeyOut):
    key: str = Field(description="The write key itself: shown this once, never again.")


class WriteKeyIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)


class WriteKeyPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[WriteKeyOut]


class FeatureIn(InputSchema):
    key: str = Field(min_length=1, max_length=60, description="lower-case slug, e.g. 'reports'")
    name: str = Field(min_length=1, max_length=120)
    event_names: list[str] = Field(min_length=1, description="Event names (or 'page:<name>') that count")
    description: str = ""


class FeatureUpdate(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    event_names: list[str] = Field(min_length=1)
    description: str = ""


class FeatureOut(Schema):
    id: int
    key: str
    name: str
    event_names: list[str]
    description: str


class UsageDayOut(Schema):
    day: dt.date
    events: int
    active_1d: int
    active_7d: int
    active_30d: int
    events_30d: int
    stickiness: float | None
    events_per_user: float | None
    breadth: int
    breadth_share: float | None
    seats: int | None
    utilisation: float | None
    trend_30d: float | None
    days_since_last: int | None


class UsageUserOut(Schema):
    user_id: str
    as_of: dt.date
    first_seen: dt.date
    last_seen: dt.date
    active_days_30d: int
    events_30d: int


class FeatureWeekOut(Schema):
    feature: str
    week: dt.date
    users: int
    share: float


class UnmatchedOut(Schema):
    group_id: str
    events: int
    users: int
    first_seen: dt.date
    last_seen: dt.date


class RowErrorOut(Schema):
    line: int
    field: str
    error: str


class FileIngestOut(Schema):
    rows: int
    accepted: int
    rejected: int
    errors: list[RowErrorOut]
