"""Scoring many accounts at once, in columns: the same numbers as ``scoring.score``, fast.

``scoring.score`` builds the whole explanation of one account (every measure, term and gate), which
is what a page shows and what is stored. For the book-wide work that needs only the numbers — a
backtest over every past renewal, the nightly pass deciding which scores moved, the benchmark —
``score_many`` computes the same scores with NumPy, one array per measure, factor and equation:
no Python loop per account except reading the facts into columns. A test holds the two to the same
results on random facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paceline.health import spec as specs
from paceline.health.facts import Facts
from paceline.health.scoring import NEUTRAL, model_factors

BANDS = ("red", "yellow", "green")


@dataclass
class Scores:
    """One entry per account, in the order given; NaN where a score is unknown."""

    adoption: np.ndarray
    renewal: np.ndarray
    expansion: np.ndarray
    factors: dict[str, np.ndarray]  # what the equations used, after the missing-data policy
    most_impactful: list[str | None]
    gain: np.ndarray
    bands: dict[str, float]

    def band(self, i: int) -> str:
        value = self.renewal[i]
        if np.isnan(value):
            return "unknown"
        return "green" if value >= self.bands["green"] else "yellow" if value >= self.bands["yellow"] else "red"


def _column(facts: Sequence[Facts], key: str) -> np.ndarray:
    return np.fromiter(((f[key].value if key in f else np.nan) for f in facts), dtype=float, count=len(facts))


def _manual(facts: Sequence[Facts], spec: dict, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """(weight, value) of the CSM's read per account: full on its day, fading to 0 at expiry."""
    expires, weight = spec["manual"]["expires_days"], spec["manual"]["weight"]
    ages = np.fromiter(
        (((as_of - f["manual.score"].on).days if "manual.score" in f and f["manual.score"].on else -1) for f in facts),
        dtype=float, count=len(facts))
    live = (ages >= 0) & (ages < expires)
    weights = np.where(live, weight * (1 - ages / expires), 0.0)
    values = np.where(weights > 0, _column(facts, "manual.score"), np.nan)
    return weights, values


def _equation(name: str, spec: dict, values: dict[str, np.ndarray], manual_weight: np.ndarray) -> np.ndarray:
    eq = spec["equations"][name]
    n = len(manual_weight)
    total = np.zeros(n)
    weighted = np.zeros(n)
    for term, weight in eq["terms"].items():
        w = weight * manual_weight if term == specs.MANUAL else np.full(n, float(weight))
        value = values[term]
        present = (w > 0) & ~np.isnan(value)
        total += np.where(present, w, 0.0)
        weighted += np.where(present, w * np.nan_to_num(value), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        result = np.where(total > 0, weighted / total, np.nan)
    for required in eq.get("requires") or ():
        result = result * np.minimum(1.0, values[required] / spec["gate"])  # NaN stays NaN
    return result


def _through(spec: dict, values: dict[str, np.ndarray], manual_weight: np.ndarray, last: str) -> dict[str, np.ndarray]:
    values = dict(values)
    for name in specs.EQUATIONS[:specs.EQUATIONS.index(last) + 1]:
        values[name] = _equation(name, spec, values, manual_weight)
    return values


def score_many(facts: Sequence[Facts], spec: dict, *, as_of: dt.date) -> Scores:
    n = len(facts)
    columns: dict[str, np.ndarray] = {}
    used: dict[str, np.ndarray] = {}
    for key, (factor, policy) in model_factors(spec).items():
        total = np.zeros(n)
        weighted = np.zeros(n)
        for m in factor.measures:
            if m.weight <= 0:
                continue
            if m.key not in columns:
                columns[m.key] = _column(facts, m.key)
            xs, ys = zip(*sorted(m.points), strict=True)
            raw = columns[m.key]
            s = np.clip(np.interp(np.nan_to_num(raw), xs, ys), 0.0, 100.0)
            present = ~np.isnan(raw)
            total += np.where(present, m.weight, 0.0)
            weighted += np.where(present, s * m.weight, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(total > 0, weighted / total, np.nan)
        fill = {"exclude": np.nan, "neutral": NEUTRAL, "failing": 0.0}[policy]
        used[key] = np.where(np.isnan(value), fill, value)
    manual_weight, manual_value = _manual(facts, spec, as_of)
    values = _through(spec, {**used, specs.MANUAL: manual_value}, manual_weight, "expansion")
    base = values["renewal"]
    gain = np.zeros(n)
    best = np.full(n, -1)
    keys = list(used)
    for i, key in enumerate(keys):
        trial = _through(spec, {**used, specs.MANUAL: manual_value, key: np.full(n, 100.0)}, manual_weight,
                         "renewal")["renewal"]
        better = (used[key] != 100.0) & ~np.isnan(trial) & ~np.isnan(base) & (trial - base > gain + 1e-9)
        gain = np.where(better, trial - base, gain)
        best = np.where(better, i, best)
    return Scores(values["adoption"], base, values["expansion"], used,
                  [keys[b] if b >= 0 else None for b in best], gain, spec["bands"])
