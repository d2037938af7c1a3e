"""A health model's definition: weights, missing-data policies, gates and bands, as data.

The three equations of seed 004 are necessary conditions, not sums:

    Adoption  = product + outcomes + enablement + guidance
    Renewal   = Adoption + relationship               (requires Adoption)
    Expansion = Adoption + relationship + need        (requires Adoption and need)

Each equation's score is the weighted mean of its terms, multiplied, for each term it
*requires*, by ``min(1, term / gate)``. With the gate at 60, an account with perfect
relationships and Adoption at 20 scores at most a third of its weighted mean for Renewal: great
relationships cannot make up for a product nobody uses. (A hard minimum would hide every other
term's movement below the gate; a plain sum lets one strong term paper over a missing one.)

A definition is validated before it is saved as a new version; every error names its place
(``factors.relationship.weight``, ``equations.renewal.requires[0]``).
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError

from paceline.health.factors import FACTORS

EQUATIONS = ("adoption", "renewal", "expansion")
POLICIES = {"exclude": "leave it out and share its weight among the others", "neutral": "count it as 50",
            "failing": "count it as 0"}
MANUAL = "manual"  # the CSM's own read: a term whose weight fades until it expires

DEFAULT: dict[str, Any] = {
    "bands": {"green": 70, "yellow": 45},
    "gate": 60,
    "manual": {"expires_days": 60, "weight": 1.0},
    "factors": {
        "product": {"missing": "exclude"},
        "outcomes": {"missing": "failing"},
        "enablement": {"missing": "exclude"},
        "guidance": {"missing": "failing"},
        "relationship": {"missing": "neutral"},
        "need": {"missing": "exclude"},
    },
    "custom_factors": {},
    "equations": {
        "adoption": {"terms": {"product": 1.0, "outcomes": 1.5, "enablement": 1.0, "guidance": 1.0}, "requires": []},
        "renewal": {"terms": {"adoption": 2.0, "relationship": 1.5, MANUAL: 1.0}, "requires": ["adoption"]},
        "expansion": {"terms": {"adoption": 1.0, "relationship": 1.0, "need": 1.5}, "requires": ["adoption", "need"]},
    },
}


def default() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT)


def _number(errors: dict, where: str, value: Any, *, low: float, high: float | None = None) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        errors[where] = f"Use a number, not {value!r}."
        return None
    if value < low or (high is not None and value > high):
        errors[where] = f"Use a number from {low:g}" + (f" to {high:g}." if high is not None else " up.")
        return None
    return float(value)


def _custom(errors: dict, key: str, data: Any) -> None:
    where = f"custom_factors.{key}"
    if key in FACTORS or key in EQUATIONS or key == MANUAL:
        errors[where] = "That name is taken by a built-in factor or equation."
        return
    if not isinstance(data, dict):
        errors[where] = "Give {label, source, points, missing}."
        return
    source = data.get("source", "")
    if not isinstance(source, str) or not source.startswith(("account.", "usage.", "learned.")):
        errors[f"{where}.source"] = ("Read an account field (account.<field>), a usage metric (usage.<metric>) "
                                     "or the learned risk (learned.risk).")
    points = data.get("points")
    if (not isinstance(points, list) or len(points) < 2
            or not all(isinstance(p, list) and len(p) == 2 and all(isinstance(v, (int, float)) for v in p) for p in points)):
        errors[f"{where}.points"] = "Give at least two [value, score] pairs, e.g. [[0, 0], [100, 100]]."
    elif not all(0 <= p[1] <= 100 for p in points):
        errors[f"{where}.points"] = "Scores must be from 0 to 100."
    if data.get("missing", "exclude") not in POLICIES:
        errors[f"{where}.missing"] = f"Use one of: {', '.join(POLICIES)}."


def validate(definition: Any) -> dict[str, Any]:
    """Check a definition and return it with defaults filled in, or raise naming each problem."""
    if not isinstance(definition, dict):
        raise ValidationError({"definition": "Give the model as an object."})
    spec = default()
    for key in ("bands", "gate", "manual", "factors", "custom_factors", "equations"):
        if key in definition:
            spec[key] = definition[key]
    unknown = sorted(set(definition) - set(spec))
    errors: dict[str, str] = {f"definition.{k}": "Unknown part of a model." for k in unknown}
    bands = spec["bands"] if isinstance(spec["bands"], dict) else {}
    green = _number(errors, "bands.green", bands.get("green"), low=0, high=100)
    yellow = _number(errors, "bands.yellow", bands.get("yellow"), low=0, high=100)
    if green is not None and yellow is not None and yellow >= green:
        errors["bands.yellow"] = "The yellow threshold must be below the green one."
    _number(errors, "gate", spec["gate"], low=1, high=100)
    manual = spec["manual"] if isinstance(spec["manual"], dict) else {}
    _number(errors, "manual.expires_days", manual.get("expires_days"), low=1)
    _number(errors, "manual.weight", manual.get("weight"), low=0)
    customs = spec["custom_factors"] if isinstance(spec["custom_factors"], dict) else {}
    for key, data in customs.items():
        _custom(errors, key, data)
    for key, data in (spec["factors"] or {}).items():
        if key not in FACTORS:
            errors[f"factors.{key}"] = f"Unknown factor; built-in ones are: {', '.join(FACTORS)}."
        elif not isinstance(data, dict) or data.get("missing", "exclude") not in POLICIES:
            errors[f"factors.{key}.missing"] = f"Use one of: {', '.join(POLICIES)}."
    known_terms = set(FACTORS) | set(customs) | set(EQUATIONS) | {MANUAL}
    equations = spec["equations"] if isinstance(spec["equations"], dict) else {}
    for name in EQUATIONS:
        eq = equations.get(name)
        where = f"equations.{name}"
        if not isinstance(eq, dict) or not isinstance(eq.get("terms"), dict) or not eq["terms"]:
            errors[where] = "Give the equation's terms with their weights."
            continue
        for term, weight in eq["terms"].items():
            if term not in known_terms:
                errors[f"{where}.terms.{term}"] = "Unknown term: use a factor, a custom factor, an earlier equation or manual."
            elif term in EQUATIONS and EQUATIONS.index(term) >= EQUATIONS.index(name):
                errors[f"{where}.terms.{term}"] = "An equation can only use the ones before it (adoption, then renewal)."
            else:
                _number(errors, f"{where}.terms.{term}", weight, low=0)
        for i, req in enumerate(eq.get("requires") or []):
            if req not in eq["terms"]:
                errors[f"{where}.requires[{i}]"] = "A required condition must be one of the equation's terms."
    if errors:
        raise ValidationError(errors)
    return spec
