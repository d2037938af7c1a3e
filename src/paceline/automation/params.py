"""Declared parameters of triggers and actions, checked and coerced where rules are saved.

A rule is data edited by CS leaders (pages and API), so every value is checked against its
declaration and every error names its place (``trigger_params.days``, ``actions[2].params.title``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    type: str = "str"  # str, text, int, choice, choices
    default: Any = None
    choices: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    required: bool = False
    minimum: int | None = None
    help: str = ""

    def coerce(self, value: Any) -> Any:
        if value in (None, "") or value == []:
            if self.required:
                raise ValueError("This is required.")
            return self.default
        if self.type == "int":
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise ValueError(f"Use a whole number, not {value!r}.") from None
            if isinstance(value, float) and value != number:
                raise ValueError(f"Use a whole number, not {value!r}.")
            if self.minimum is not None and number < self.minimum:
                raise ValueError(f"Use at least {self.minimum}.")
            return number
        if self.type == "choice":
            keys = [k for k, _ in self.choices]
            if str(value) not in keys:
                raise ValueError(f"Use one of: {', '.join(keys)} (not {value!r}).")
            return str(value)
        if self.type == "choices":
            values = value if isinstance(value, list) else [v.strip() for v in str(value).split(",") if v.strip()]
            keys = [k for k, _ in self.choices]
            wrong = [v for v in values if str(v) not in keys]
            if wrong:
                raise ValueError(f"Use any of: {', '.join(keys)} (not {', '.join(map(repr, wrong))}).")
            return [str(v) for v in values]
        if not isinstance(value, (str, int, float)):
            raise ValueError(f"Use text, not {type(value).__name__}.")
        return str(value).strip()


def coerce_params(declared: tuple[Param, ...], given: Any, *, where: str) -> dict[str, Any]:
    """The given parameters, checked and with defaults filled in; errors name ``where.<param>``."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise ValidationError({where: "Give the parameters as an object of name → value."})
    known = {p.name: p for p in declared}
    errors: dict[str, str] = {}
    for name in sorted(set(given) - set(known)):
        allowed = ", ".join(known) or "none"
        errors[f"{where}.{name}"] = f"Unknown parameter; this one takes: {allowed}."
    values = {}
    for p in declared:
        try:
            values[p.name] = p.coerce(given.get(p.name))
        except ValueError as exc:
            errors[f"{where}.{p.name}"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return values


class SafeFormat(dict):
    """``str.format_map`` that leaves unknown ``{names}`` as they were written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, values: dict[str, Any]) -> str:
    try:
        return template.format_map(SafeFormat({k: "" if v is None else v for k, v in values.items()}))
    except (ValueError, IndexError, AttributeError):
        return template
