"""The registry of health factors: each one maps facts to 0-100 with its measures visible.

A ``Measure`` reads one fact and maps it to 0-100 with a piecewise-linear scale: ``points`` are
(value, score) pairs, interpolated between and held flat beyond; the direction is in the points
(rising for "more is better", falling for "days since"). A factor's value is the weighted mean of
its measures that have data; with none it has no value, and the model's missing-data policy
decides (exclude and redistribute, neutral, failing).

The six factors are the terms of seed 004's equations (product quality, clearly defined outcomes,
enablement, guidance, relationship, business need). CS ops add factors from any account field or
usage metric in the model's definition (``spec.py``: a custom factor names its ``source`` fact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from paceline.health.facts import Facts


def interpolate(points: Sequence[tuple[float, float]], x: float) -> float:
    """Piecewise-linear through ``points`` (sorted by x), flat beyond the ends, clamped to 0-100."""
    pts = sorted(points)
    if x <= pts[0][0]:
        y = pts[0][1]
    elif x >= pts[-1][0]:
        y = pts[-1][1]
    else:
        y = pts[-1][1]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            if x0 <= x <= x1:
                y = y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
                break
    return max(0.0, min(100.0, float(y)))


@dataclass(frozen=True)
class Measure:
    key: str  # the fact it reads
    label: str
    points: tuple[tuple[float, float], ...]
    weight: float = 1.0
    unit: str = ""

    def score(self, facts: Facts) -> float | None:
        fact = facts.get(self.key)
        return None if fact is None else interpolate(self.points, fact.value)


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    description: str
    measures: tuple[Measure, ...]


FACTORS: dict[str, Factor] = {}


def register(factor: Factor) -> Factor:
    if factor.key in FACTORS and FACTORS[factor.key] != factor:
        raise ValueError(f"A health factor {factor.key!r} is already registered.")
    FACTORS[factor.key] = factor
    return factor


SHARE = ((0.0, 0.0), (1.0, 100.0))

register(Factor(
    "product", "Quality product",
    "Support tickets and their severity, defects, incidents: the product working for this customer.",
    (Measure("support.severe_open", "Severe support tickets open", ((0, 100), (1, 60), (3, 20), (5, 0)), unit="tickets"),
     Measure("support.tickets_90d", "Support tickets in 90 days", ((0, 100), (5, 80), (20, 30), (40, 0)), 0.5, "tickets")),
))
register(Factor(
    "outcomes", "Clearly defined outcomes",
    "An agreed success plan with measurable goals, and those goals on pace.",
    (Measure("plan.agreed", "Agreed success plan with measurable goals", ((0, 0), (1, 100)), 1.0, "yes/no"),
     Measure("goals.on_pace_share", "Open goals on pace", SHARE, 1.5, "share"),
     Measure("goals.hit_share", "Goals hit (of closed, 365 days)", SHARE, 0.5, "share"),
     Measure("commitments.customer_kept", "Customer commitments kept (180 days)", SHARE, 0.5, "share")),
))
register(Factor(
    "enablement", "Enablement",
    "Training and onboarding completed, breadth of feature adoption, share of seats active.",
    (Measure("readiness.level", "Adoption-readiness level", ((1, 10), (3, 60), (5, 100)), 1.0, "level"),
     Measure("onboarding.kept_share", "Onboarding touchpoints kept", SHARE, 1.0, "share"),
     Measure("usage.breadth_share", "Key features used", SHARE, 1.0, "share"),
     Measure("usage.seat_utilisation", "Seats active", ((0, 0), (0.8, 100)), 1.0, "share")),
))
register(Factor(
    "guidance", "Quality, timely guidance",
    "Touchpoints kept on schedule, and recent meaningful contact.",
    (Measure("touchpoints.kept_share", "Touchpoints kept (365 days)", SHARE, 1.5, "share"),
     Measure("contact.days_since", "Days since the last conversation", ((7, 100), (30, 80), (60, 40), (120, 0)), 1.0, "days"),
     Measure("fundamentals.plan_kept", "Touchpoint plan through renewal, being kept", ((0, 0), (1, 100)), 1.0, "yes/no")),
))
register(Factor(
    "relationship", "Relationship based on trust",
    "Stakeholders reached across levels, executive sponsor engaged, champion still there, sentiment, NPS.",
    (Measure("contact.levels_90d", "Contact levels reached (90 days)", ((0, 0), (1, 40), (2, 75), (3, 100)), 1.0, "levels"),
     Measure("sponsor.days_since", "Days since the executive sponsor was met", ((30, 100), (90, 70), (180, 20), (365, 0)), 1.0, "days"),
     Measure("champion.present", "Champion still there", ((0, 0), (1, 100)), 1.5, "yes/no"),
     Measure("sentiment.score_90d", "Sentiment of conversations (90 days)", ((-0.5, 0), (0, 50), (0.5, 100)), 1.0, "-1..1"),
     Measure("nps.score", "NPS (latest per contact)", ((-50, 0), (0, 50), (50, 100)), 1.0, "NPS"),
     Measure("fundamentals.escalation_path", "Next level up known and met", ((0, 0), (1, 100)), 0.5, "yes/no"),
     Measure("fundamentals.accountability", "Mutual accountability", ((0, 0), (1, 100)), 0.5, "yes/no")),
))
register(Factor(
    "need", "Clear business need",
    "License utilisation near capacity, growth in active users, stated needs.",
    (Measure("usage.seat_utilisation", "Seats active", ((0.5, 0), (0.9, 100)), 1.0, "share"),
     Measure("usage.active_users_growth", "Growth in active users (30 days)", ((-0.1, 0), (0, 40), (0.2, 100)), 1.0, "change"),
     Measure("needs.open", "Stated needs open", ((0, 20), (1, 70), (3, 100)), 1.0, "needs")),
))
