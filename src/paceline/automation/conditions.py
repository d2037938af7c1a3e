"""Conditions on account fields, checked in memory against one row per account.

The engine loads the few fields below for the accounts a trigger named (one query), so 50 rules
over 100,000 accounts cost 50 passes over dictionaries, not 5 million queries.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from paceline.customers.models import LifecycleStage, Segment, Tier

FIELDS: dict[str, dict[str, Any]] = {
    "segment": {"label": "Segment", "type": "choice", "choices": Segment.values},
    "tier": {"label": "Tier", "type": "choice", "choices": Tier.values},
    "lifecycle_stage": {"label": "Lifecycle stage", "type": "choice", "choices": LifecycleStage.values},
    "arr": {"label": "ARR", "type": "number"},
    "employees": {"label": "Employees", "type": "number"},
    "industry": {"label": "Industry", "type": "text"},
    "owner_id": {"label": "Owner (user id; empty: no owner)", "type": "id"},
}
ACCOUNT_VALUES = ("pk", *FIELDS)

OPS = {
    "eq": "is", "ne": "is not", "in": "is one of", "not_in": "is none of",
    "gte": "at least", "lte": "at most", "gt": "more than", "lt": "less than", "empty": "is empty",
}
NUMERIC_OPS = {"gte", "lte", "gt", "lt"}


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"Use a number, not {value!r}.") from None


def clean(conditions: Any) -> list[dict[str, Any]]:
    """Check a rule's conditions; errors name ``conditions[i].field|op|value``."""
    if conditions in (None, ""):
        return []
    if not isinstance(conditions, list):
        raise ValidationError({"conditions": "Give a list of {field, op, value}."})
    errors: dict[str, str] = {}
    cleaned = []
    for i, cond in enumerate(conditions, start=1):
        where = f"conditions[{i}]"
        if not isinstance(cond, dict):
            errors[where] = "Give {field, op, value}."
            continue
        field, op, value = cond.get("field"), cond.get("op", "eq"), cond.get("value")
        spec = FIELDS.get(field)
        if spec is None:
            errors[f"{where}.field"] = f"Unknown field {field!r}; use one of: {', '.join(FIELDS)}."
            continue
        if op not in OPS:
            errors[f"{where}.op"] = f"Unknown operator {op!r}; use one of: {', '.join(OPS)}."
            continue
        try:
            if op in NUMERIC_OPS:
                if spec["type"] != "number":
                    raise ValueError(f"{spec['label']} is not a number; use eq, ne, in or not_in.")
                value = str(_number(value))
            elif op in ("in", "not_in"):
                value = value if isinstance(value, list) else [v.strip() for v in str(value or "").split(",") if v.strip()]
                if not value:
                    raise ValueError("Give at least one value.")
                value = [_check_value(spec, v) for v in value]
            elif op == "empty":
                value = None
            else:
                value = _check_value(spec, value)
        except ValueError as exc:
            errors[f"{where}.value"] = str(exc)
            continue
        cleaned.append({"field": field, "op": op, "value": value})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_value(spec: dict, value: Any) -> Any:
    if spec["type"] == "choice":
        if str(value) not in spec["choices"]:
            raise ValueError(f"Use one of: {', '.join(spec['choices'])} (not {value!r}).")
        return str(value)
    if spec["type"] == "number":
        return str(_number(value))
    if spec["type"] == "id":
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(f"Use a user id, not {value!r}.") from None
    return str(value)


def _comparable(spec: dict, value: Any) -> Any:
    if value is None:
        return None
    if spec["type"] == "number":
        return Decimal(str(value))
    return value


def holds(condition: dict[str, Any], account: dict[str, Any]) -> bool:
    spec = FIELDS[condition["field"]]
    actual = _comparable(spec, account.get(condition["field"]))
    op, value = condition["op"], condition["value"]
    if op == "empty":
        return actual in (None, "")
    if op in ("in", "not_in"):
        inside = actual in [_comparable(spec, v) for v in value]
        return inside if op == "in" else not inside
    expected = _comparable(spec, value)
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if actual is None:
        return False
    return {"gte": actual >= expected, "lte": actual <= expected, "gt": actual > expected, "lt": actual < expected}[op]


def all_hold(conditions: list[dict[str, Any]], account: dict[str, Any]) -> bool:
    return all(holds(c, account) for c in conditions)


def describe(conditions: list[dict[str, Any]]) -> str:
    parts = []
    for c in conditions:
        value = ", ".join(map(str, c["value"])) if isinstance(c["value"], list) else c["value"]
        parts.append(f"{FIELDS[c['field']]['label']} {OPS[c['op']]}" + (f" {value}" if c["op"] != "empty" else ""))
    return " and ".join(parts) or "any account"
