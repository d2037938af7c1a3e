"""One record of the file -> the values its row gives, each problem named by field.

A blank cell means "not given": a new record gets the field's default, an existing one keeps its
current value. So importing a sparse CRM export never wipes what was typed into Paceline; a value
is cleared in Paceline itself, not by leaving a cell empty. Required fields (the external id, a
name...) must have a value in every row.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from paceline.customers.importing.fields import Kind, ReadContext
from paceline.customers.importing.mapping import Mapping
from paceline.customers.importing.values import CellError


class UserDirectory:
    """Finds the Paceline user a CRM names as owner: by username, email or full name.

    Loaded once per import (a few hundred users at most), not once per row.
    """

    def __init__(self) -> None:
        self._index: dict[str, list] | None = None

    def _load(self) -> dict[str, list]:
        index: dict[str, list] = {}
        for user in get_user_model().objects.filter(is_active=True):
            keys = {user.username.lower(), (user.email or "").lower(), " ".join(user.get_full_name().lower().split())}
            for key in keys - {""}:
                index.setdefault(key, []).append(user)
        return index

    def find(self, text: str) -> Any:
        if self._index is None:
            self._index = self._load()
        matches = self._index.get(" ".join(text.lower().split()), [])
        if not matches:
            raise CellError(f"'{text}' is not a Paceline user (matched by username, email or full name).")
        if len(matches) > 1:
            names = ", ".join(sorted(u.username for u in matches))
            raise CellError(f"'{text}' matches several users ({names}); use a username or email.")
        return matches[0]


def convert(kind: Kind, mapping: Mapping, cells: list[str], ctx: ReadContext) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The typed values a row gives (blank cells left out) and its problems as (field, reason)."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for column in mapping.used:
        raw = cells[column.index]
        if not raw:
            continue
        try:
            values[column.field] = kind.field(column.field).read(raw, ctx)
        except CellError as exc:
            problems.append((column.field, str(exc)))
    for group in kind.required:
        present = [name for name in group if mapping.column_for(name)]
        if present and not any(name in values for name in group) and not any(p[0] in group for p in problems):
            if len(present) == 1:
                reason = "A value is required."
            else:
                headers = [repr(mapping.column_for(name).header) for name in present]
                reason = f"A value is required in {' or '.join(headers)}."
            problems.append((present[0], reason))
    return values, problems
