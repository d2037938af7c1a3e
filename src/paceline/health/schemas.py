"""Health API schemas: a score with its explanation, history rows, models and their versions,
manual assessments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from paceline.core.schemas import InputSchema
from paceline.customers.schemas import Page
from paceline.health import explain
from paceline.health.models import ModelVersion


class EquationOut(Schema):
    key: str
    label: str
    score: float | None
    band: str
    gate: float = Field(description="The gate's factor on the score: 1 when every required term is at or above it.")
    blocking: str | None = Field(description="The term that holds this equation back.")
    held_back: str = Field(description="The blocking chain in words.")


class ScoreRow(Schema):
    id: int
    account_id: int
    on: dt.date
    model: str
    version: int
    version_id: int
    adoption: float | None
    renewal: float | None
    expansion: float | None
    band: str
    blocking: str
    most_impactful: str

    @staticmethod
    def resolve_model(obj) -> str:
        return obj.version.model.name

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.version.number


class ScoreOut(ScoreRow):
    equations: list[EquationOut]
    most_impactful_text: str = Field(description="What raising the most impactful factor to 100 would add to Renewal.")
    changes_since: dt.date | None = Field(description="The stored score compared with: the latest a week or more before.")
    changes: list[dict[str, Any]] = Field(description="Factors that moved by 5 points or more, with the measures that moved.")
    detail: dict[str, Any] = Field(description="Everything the score was computed from: factors with their measures "
                                   "(values, dates, notes, policies), each equation's terms, shares and contributions.")

    @staticmethod
    def resolve_equations(obj) -> list[dict[str, Any]]:
        return explain.equations(obj.detail)

    @staticmethod
    def resolve_most_impactful_text(obj) -> str:
        return explain.impact(obj.detail)


class ScorePage(Page):
    items: list[ScoreRow]


class VersionOut(Schema):
    id: int
    number: int
    note: str
    created_by_id: int | None
    created_at: dt.datetime
    definition: dict[str, Any]


class ModelOut(Schema):
    id: int
    name: str
    description: str
    segment: str
    lifecycle_stage: str
    active: bool
    current: VersionOut | None

    @staticmethod
    def resolve_current(obj) -> ModelVersion | None:
        return getattr(obj, "current_version", None)


class ModelPage(Page):
    items: list[ModelOut]


class VersionPage(Page):
    items: list[VersionOut]


class ModelIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    segment: str = Field("", description="enterprise, mid_market, smb, or blank for any segment.")
    lifecycle_stage: str = Field("", description="onboarding, adoption, maturity, renewal, churned, or blank for any.")
    definition: dict[str, Any] | None = Field(None, description="Version 1's definition; the default one when left out.")
    note: str = Field("", max_length=300)


class VersionIn(InputSchema):
    definition: dict[str, Any] = Field(description="The whole definition; parts left out take the defaults.")
    note: str = Field("", max_length=300, description="What changed and why.")


class AssessmentIn(InputSchema):
    score: int = Field(ge=0, le=100)
    reason: str = Field(min_length=1, max_length=2000)
    on: dt.date | None = Field(None, description="The day of the read; today when left out.")


class AssessmentOut(Schema):
    id: int
    account_id: int
    author_id: int | None
    score: int
    reason: str
    assessed_on: dt.date
    created_at: dt.datetime


class AssessmentPage(Page):
    items: list[AssessmentOut]
