"""Plan templates: a library of plans by use case, laid out relative to a start date.

A template's ``structure`` is plain JSON, validated here with pydantic so that a leader editing
it gets errors naming the exact place (``goals[1].metrics[0].target``).
"""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckpointSpec(_Strict):
    days: int = Field(gt=0, description="Days after the plan starts.")
    target: float
    label: str = ""


class MetricSpec(_Strict):
    name: str = Field(min_length=1, max_length=200)
    unit: Literal["count", "percent", "currency", "duration", "days", "ratio", "score"] = "count"
    direction: Literal["higher", "lower"] = "higher"
    baseline: float = 0
    target: float
    days: int = Field(gt=0)
    checkpoints: list[CheckpointSpec] = []

    @model_validator(mode="after")
    def _reachable(self):
        if self.direction == "higher" and self.target < self.baseline:
            raise ValueError("higher is better, so the target must not be below the baseline")
        if self.direction == "lower" and self.target > self.baseline:
            raise ValueError("lower is better, so the target must not be above the baseline")
        for checkpoint in self.checkpoints:
            if checkpoint.days > self.days:
                raise ValueError(f"the checkpoint at day {checkpoint.days} comes after the target (day {self.days})")
        return self


class ActionSpec(_Strict):
    title: str = Field(min_length=1, max_length=300)
    side: Literal["vendor", "customer"]
    days: int = Field(ge=0)


class GoalSpec(_Strict):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    days: int = Field(gt=0, description="Days after the plan starts to the goal's target date.")
    metrics: list[MetricSpec] = []
    actions: list[ActionSpec] = []
    subgoals: list[GoalSpec] = []

    @model_validator(mode="after")
    def _one_level(self):
        if any(sub.subgoals for sub in self.subgoals):
            raise ValueError("sub-goals go one level deep")
        return self


def validate_structure(structure) -> list[dict]:
    """The structure as plain data, or a ValidationError on ``structure`` naming each problem."""
    if not isinstance(structure, list) or not structure:
        raise ValidationError({"structure": "A template is a non-empty list of goals."})
    problems = []
    goals = []
    for index, item in enumerate(structure):
        try:
            goals.append(GoalSpec.model_validate(item).model_dump())
        except PydanticError as error:
            for e in error.errors():
                where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"])
                problems.append(f"goals[{index}]{where}: {e['msg']}")
    if problems:
        raise ValidationError({"structure": problems})
    return goals


ONBOARDING = [
    {
        "title": "Reach first value",
        "description": "The team uses the product for its first real work and sees the result.",
        "days": 90,
        "metrics": [
            {"name": "Users who completed onboarding", "unit": "percent", "direction": "higher",
             "baseline": 0, "target": 80, "days": 90,
             "checkpoints": [{"days": 30, "target": 30, "label": "First month"},
                             {"days": 60, "target": 60, "label": "Second month"}]},
        ],
        "actions": [
            {"title": "Kick-off meeting and success criteria agreed", "side": "vendor", "days": 7},
            {"title": "Name an internal champion and admin", "side": "customer", "days": 14},
            {"title": "Admin training delivered", "side": "vendor", "days": 21},
            {"title": "Invite all licensed users", "side": "customer", "days": 30},
        ],
        "subgoals": [
            {"title": "Integrations live", "days": 45,
             "actions": [{"title": "Provide SSO and data-source credentials", "side": "customer", "days": 20},
                         {"title": "Configure integrations", "side": "vendor", "days": 40}]},
        ],
    },
    {
        "title": "Weekly active use",
        "description": "Using the product becomes part of the weekly routine.",
        "days": 120,
        "metrics": [
            {"name": "Weekly active users", "unit": "count", "direction": "higher", "baseline": 0,
             "target": 50, "days": 120},
        ],
        "actions": [{"title": "Share a usage report with the sponsor", "side": "vendor", "days": 60}],
    },
]

PROCUREMENT = [
    {
        "title": "Procurement process rolled out",
        "description": "Purchases go through the new process, approved faster and on contract.",
        "days": 180,
        "metrics": [
            {"name": "Spend under management", "unit": "percent", "direction": "higher", "baseline": 20,
             "target": 70, "days": 180,
             "checkpoints": [{"days": 60, "target": 35}, {"days": 120, "target": 55}]},
            {"name": "Requisition-to-order cycle time", "unit": "days", "direction": "lower", "baseline": 12,
             "target": 4, "days": 180},
        ],
        "actions": [
            {"title": "Approval chains configured", "side": "vendor", "days": 30},
            {"title": "Policy communicated to all requesters", "side": "customer", "days": 45},
            {"title": "Top 20 suppliers onboarded", "side": "customer", "days": 90},
        ],
    },
]

DEFAULT_TEMPLATES = [
    {"name": "Onboarding to first value", "use_case": "New customers, the first 90 to 120 days",
     "description": "From kick-off to a team that uses the product every week.", "structure": ONBOARDING},
    {"name": "Procurement process rollout", "use_case": "Customers rolling out a purchasing process",
     "description": "Bring spend under management and shorten the purchasing cycle.", "structure": PROCUREMENT},
]
