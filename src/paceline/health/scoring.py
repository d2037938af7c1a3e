"""Scoring, as pure functions: facts and a model definition in, three scores with reasons out.

Every number is traceable: each measure's fact (value, date, note) and its 0-100 score; each
factor's value and the missing-data policy applied; each equation's terms with their effective
weight and contribution (the contributions add up to the score), the gates, the blocking term,
and the factor whose improvement would raise Renewal the most.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from paceline.health import spec as specs
from paceline.health.factors import FACTORS, Factor, Measure, interpolate
from paceline.health.facts import Fact, Facts

NEUTRAL = 50.0


@dataclass
class MeasureResult:
    key: str
    label: str
    value: float | None
    on: str | None
    note: str
    score: float | None
    weight: float


@dataclass
class FactorResult:
    key: str
    label: str
    value: float | None  # from the data; None when no measure had data
    used: float | None  # what the equations use after the missing-data policy (None: left out)
    policy: str  # "data", "exclude", "neutral" or "failing"
    measures: list[MeasureResult] = field(default_factory=list)


@dataclass
class Term:
    key: str
    weight: float  # the share of the equation's weight it carries (shares add up to 1)
    score: float
    contribution: float


@dataclass
class EquationResult:
    key: str
    score: float | None
    band: str
    terms: list[Term]
    gate: float  # the product of min(1, required / gate) over the required terms
    blocking: str | None


@dataclass
class Score:
    equations: dict[str, EquationResult]
    factors: dict[str, FactorResult]
    most_impactful: str | None
    gain: float

    @property
    def renewal(self) -> float | None:
        return self.equations["renewal"].score

    @property
    def band(self) -> str:
        return self.equations["renewal"].band

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def band_of(score: float | None, bands: dict[str, float]) -> str:
    if score is None:
        return "unknown"
    return "green" if score >= bands["green"] else "yellow" if score >= bands["yellow"] else "red"


def _custom_factor(key: str, data: dict) -> Factor:
    points = tuple((float(x), float(y)) for x, y in data["points"])
    return Factor(key, data.get("label") or key, data.get("description", ""),
                  (Measure(data["source"], data.get("label") or data["source"], points),))


def model_factors(spec: dict) -> dict[str, tuple[Factor, str]]:
    """Every factor the model uses, built-in and custom, with its missing-data policy."""
    found = {k: (f, spec["factors"].get(k, {}).get("missing", "exclude")) for k, f in FACTORS.items()}
    for key, data in spec.get("custom_factors", {}).items():
        found[key] = (_custom_factor(key, data), data.get("missing", "exclude"))
    return found


def factor_result(factor: Factor, policy: str, facts: Facts) -> FactorResult:
    measures, total, weights = [], 0.0, 0.0
    for m in factor.measures:
        fact = facts.get(m.key)
        score = None if fact is None else interpolate(m.points, fact.value)
        measures.append(MeasureResult(m.key, m.label, None if fact is None else fact.value,
                                      fact.on.isoformat() if fact and fact.on else None,
                                      fact.note if fact else "", score, m.weight))
        if score is not None and m.weight > 0:
            total += score * m.weight
            weights += m.weight
    value = total / weights if weights else None
    if value is not None:
        return FactorResult(factor.key, factor.label, value, value, "data", measures)
    used = {"exclude": None, "neutral": NEUTRAL, "failing": 0.0}[policy]
    return FactorResult(factor.key, factor.label, None, used, policy, measures)


def manual_weight(fact: Fact | None, spec: dict, as_of: dt.date) -> float:
    """The CSM's read counts fully on the day it is given and fades to nothing at expiry."""
    if fact is None or fact.on is None:
        return 0.0
    age = (as_of - fact.on).days
    expires = spec["manual"]["expires_days"]
    if age < 0 or age >= expires:
        return 0.0
    return spec["manual"]["weight"] * (1 - age / expires)


def _equation(name: str, spec: dict, values: dict[str, float | None], manual: float) -> EquationResult:
    eq = spec["equations"][name]
    weighted = []
    for term, weight in eq["terms"].items():
        w = weight * manual if term == specs.MANUAL else weight
        if w > 0 and values.get(term) is not None:
            weighted.append((term, w, values[term]))
    required = list(eq.get("requires") or [])
    if not weighted or any(values.get(r) is None for r in required):
        return EquationResult(name, None, "unknown", [], 1.0, next((r for r in required if values.get(r) is None), None))
    total = sum(w for _, w, _ in weighted)
    ratios = {r: min(1.0, values[r] / spec["gate"]) for r in required}
    gate = 1.0
    for ratio in ratios.values():
        gate *= ratio
    terms = [Term(t, w / total, s, w / total * s * gate) for t, w, s in weighted]
    # Weights that add to 1 can still round a perfect score to 100.00000000000001.
    score = min(100.0, max(0.0, math.fsum(t.contribution for t in terms)))
    below = {r: q for r, q in ratios.items() if q < 1.0}
    if below:
        blocking = min(below, key=below.get)
    elif score < spec["bands"]["green"]:
        blocking = min(terms, key=lambda t: t.score).key
    else:
        blocking = None
    return EquationResult(name, score, band_of(score, spec["bands"]), terms, gate, blocking)


def _evaluate(spec: dict, factor_values: dict[str, float | None], manual_value: float | None,
              manual: float) -> dict[str, EquationResult]:
    values: dict[str, float | None] = dict(factor_values)
    values[specs.MANUAL] = manual_value
    results = {}
    for name in specs.EQUATIONS:
        results[name] = _equation(name, spec, values, manual)
        values[name] = results[name].score
    return results


def score(facts: Facts, spec: dict, *, as_of: dt.date) -> Score:
    factors = {k: factor_result(f, policy, facts) for k, (f, policy) in model_factors(spec).items()}
    used = {k: r.used for k, r in factors.items()}
    manual_fact = facts.get("manual.score")
    manual = manual_weight(manual_fact, spec, as_of)
    manual_value = manual_fact.value if manual_fact is not None and manual > 0 else None
    equations = _evaluate(spec, used, manual_value, manual)
    best, gain = None, 0.0
    base = equations["renewal"].score
    if base is not None:
        for key, value in used.items():
            if value == 100.0:
                continue  # already at the top: improving it cannot raise anything
            trial = _renewal_value(spec, {**used, key: 100.0}, manual_value, manual)
            if trial is not None and trial - base > gain + 1e-9:
                best, gain = key, trial - base
    return Score(equations, factors, best, gain)


def _equation_value(name: str, spec: dict, values: dict[str, float | None], manual: float) -> float | None:
    """``_equation``'s score alone, without building its explanation (for the what-if trials)."""
    eq = spec["equations"][name]
    total = weighted = 0.0
    for term, weight in eq["terms"].items():
        w = weight * manual if term == specs.MANUAL else weight
        value = values.get(term)
        if w > 0 and value is not None:
            total += w
            weighted += w * value
    required = eq.get("requires") or ()
    if not total or any(values.get(r) is None for r in required):
        return None
    gate = 1.0
    for r in required:
        gate *= min(1.0, values[r] / spec["gate"])
    return weighted / total * gate


def _renewal_value(spec: dict, factor_values: dict[str, float | None], manual_value: float | None,
                   manual: float) -> float | None:
    values: dict[str, float | None] = {**factor_values, specs.MANUAL: manual_value}
    for name in specs.EQUATIONS[:specs.EQUATIONS.index("renewal") + 1]:
        values[name] = _equation_value(name, spec, values, manual)
    return values["renewal"]


# What changed ------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "no data"
    return f"{value:.0f}" if isinstance(value, (int, float)) and abs(value) >= 10 else f"{value:.2g}"


def changes(before: dict[str, Any], after: dict[str, Any], *, threshold: float = 5.0) -> list[dict[str, Any]]:
    """Factors that moved by ``threshold`` points or more (or gained/lost data) between two stored
    scores, biggest move first, each with the measures that moved and their notes."""
    found = []
    for key, now in after.get("factors", {}).items():
        then = before.get("factors", {}).get(key)
        if then is None:
            continue
        a, b = then.get("used"), now.get("used")
        if a is None and b is None:
            continue
        delta = None if a is None or b is None else b - a
        if delta is not None and abs(delta) < threshold:
            continue
        old_measures = {m["key"]: m for m in then.get("measures", [])}
        moved = []
        for m in now.get("measures", []):
            o = old_measures.get(m["key"], {})
            if o.get("value") != m.get("value"):
                text = f"{m['label']} {_fmt(o.get('value'))} → {_fmt(m.get('value'))}"
                moved.append(text + (f" ({m['note']})" if m.get("note") else ""))
        found.append({"factor": key, "label": now.get("label", key), "from": a, "to": b, "delta": delta,
                      "reasons": moved})
    return sorted(found, key=lambda c: -abs(c["delta"]) if c["delta"] is not None else -100)
