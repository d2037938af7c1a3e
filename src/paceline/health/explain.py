"""A stored score's explanation in words: what blocks each equation, the most impactful factor,
the factor table, and the CSM's manual read with its fading weight.

Pages and the API both read scores through here, so the account page, the book and the API say
the same thing about the same stored ``HealthScore.detail``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from paceline.health import spec as specs
from paceline.health.factors import FACTORS
from paceline.health.facts import Fact
from paceline.health.scoring import manual_weight

EQUATION_LABELS = {"adoption": "Adoption", "renewal": "Renewal", "expansion": "Expansion"}
POLICY_WORDS = {"data": "", "exclude": "no data: left out", "neutral": "counted as 50", "failing": "counted as 0"}
MANUAL_LABEL = "Manual assessment"


def term_label(detail: dict[str, Any], key: str) -> str:
    if key in EQUATION_LABELS:
        return EQUATION_LABELS[key]
    if key == specs.MANUAL:
        return MANUAL_LABEL
    return detail.get("factors", {}).get(key, {}).get("label", key)


def held_back(detail: dict[str, Any], name: str) -> str:
    """"Renewal held back by Adoption (blocked by Enablement)": the blocking chain, in words."""
    eq = detail.get("equations", {}).get(name) or {}
    blocking = eq.get("blocking")
    label = EQUATION_LABELS[name]
    if eq.get("score") is None:
        return f"{label} unknown: no data for {term_label(detail, blocking)}" if blocking else f"{label} unknown: no data"
    if not blocking:
        return f"Nothing holds {label} back"
    text = f"{label} held back by {term_label(detail, blocking)}"
    chain, seen = [], {name}
    while blocking in EQUATION_LABELS and blocking not in seen:
        seen.add(blocking)
        blocking = (detail["equations"].get(blocking) or {}).get("blocking")
        if blocking:
            chain.append(term_label(detail, blocking))
    return text + "".join(f" (blocked by {c})" for c in chain)


def impact(detail: dict[str, Any]) -> str:
    """"raising Enablement to 100 would add 12 points" (to Renewal), or empty when nothing would."""
    key, gain = detail.get("most_impactful"), detail.get("gain") or 0
    if not key or gain <= 0:
        return ""
    return f"raising {term_label(detail, key)} to 100 would add {gain:.0f} point{'' if round(gain) == 1 else 's'} to Renewal"


def _term_cells(detail: dict[str, Any], key: str) -> list[dict[str, Any] | None]:
    cells = []
    for name in specs.EQUATIONS:
        eq = detail.get("equations", {}).get(name) or {}
        term = next((t for t in eq.get("terms", []) if t["key"] == key), None)
        cells.append(None if term is None else {"share": term["weight"], "contribution": term["contribution"]})
    return cells


def factor_rows(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per factor (then per other term: the equations used by later ones, the manual read),
    with its value, the policy applied, its share and contribution in each equation, and measures."""
    rows = []
    for key, factor in detail.get("factors", {}).items():
        rows.append({
            "key": key, "label": factor.get("label", key), "value": factor.get("value"), "used": factor.get("used"),
            "policy": POLICY_WORDS.get(factor.get("policy", "data"), factor.get("policy", "")),
            "cells": _term_cells(detail, key), "measures": factor.get("measures", []),
        })
    for key in (*specs.EQUATIONS, specs.MANUAL):
        cells = _term_cells(detail, key)
        if any(cells):
            value = (detail["equations"].get(key) or {}).get("score") if key in EQUATION_LABELS else next(
                (t["score"] for eq in detail["equations"].values() for t in eq.get("terms", []) if t["key"] == key), None)
            rows.append({"key": key, "label": term_label(detail, key), "value": value, "used": value, "policy": "",
                         "cells": cells, "measures": []})
    return rows


def equations(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The three scores with their band, gate and blocking text, for the page and the API."""
    found = []
    for name in specs.EQUATIONS:
        eq = detail.get("equations", {}).get(name) or {}
        found.append({"key": name, "label": EQUATION_LABELS[name], "score": eq.get("score"),
                      "band": eq.get("band", "unknown"), "gate": eq.get("gate", 1.0),
                      "blocking": eq.get("blocking"), "held_back": held_back(detail, name)})
    return found


def manual_read(assessment, definition: dict[str, Any] | None, today: dt.date) -> dict[str, Any] | None:
    """The CSM's latest read with how much it still counts (1 on the day, 0 at expiry) and when it expires."""
    if assessment is None or not definition:
        return None
    manual = definition.get("manual") or specs.DEFAULT["manual"]
    spec = {"manual": manual}
    full = manual.get("weight") or 0
    weight = manual_weight(Fact(float(assessment.score), on=assessment.assessed_on), spec, today)
    return {
        "assessment": assessment,
        "weight": weight,
        "share": weight / full if full else 0.0,
        "expires_on": assessment.assessed_on + dt.timedelta(days=manual["expires_days"]),
        "expired": weight <= 0,
    }


def _label(definition: dict[str, Any], key: str) -> str:
    if key in FACTORS:
        return FACTORS[key].label
    custom = definition.get("custom_factors", {}).get(key)
    return custom.get("label") or key if custom else term_label({}, key)


def describe(definition: dict[str, Any]) -> dict[str, Any]:
    """A definition readably: each equation with its terms, weights and shares and what it
    requires; the gate, bands, manual read, and each factor's missing-data policy."""
    d = specs.validate(definition)
    equations = []
    for name in specs.EQUATIONS:
        eq = d["equations"][name]
        total = sum(eq["terms"].values()) or 1
        equations.append({
            "key": name, "label": EQUATION_LABELS[name],
            "terms": [{"key": t, "label": _label(d, t), "weight": w, "share": w / total} for t, w in eq["terms"].items()],
            "requires": [_label(d, r) for r in eq.get("requires") or []],
        })
    factors = [{"key": k, "label": f.label, "description": f.description,
                "policy": POLICY_WORDS[d["factors"].get(k, {}).get("missing", "exclude")],
                "measures": [m.label for m in f.measures]} for k, f in FACTORS.items()]
    customs = [{"key": k, "label": c.get("label") or k, "source": c["source"], "points": c["points"],
                "policy": POLICY_WORDS[c.get("missing", "exclude")]} for k, c in d["custom_factors"].items()]
    return {"equations": equations, "gate": d["gate"], "bands": d["bands"], "manual": d["manual"],
            "factors": factors, "customs": customs}
