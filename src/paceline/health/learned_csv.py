"""A team's own labelled customer table, read for the learned model: test it on your own history.

The CSV has a header row and one row per customer: a ``churned`` column (1 churned, 0 stayed),
any number of numeric feature columns (an empty cell is unknown), optionally ``tenure`` (a feature
like the others, in whatever unit the team uses; it cannot be negative) and optionally an
identifier column (``id``, ``customer``, ``customer_id`` or ``name``) that is not a feature. Every
problem names its place: "Row 3 (line 4), column 'seats': 'many' is not a number." Rows are
counted from the first one after the header.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable

import numpy as np

from paceline.health.learned import Table

LABEL = "churned"
TENURE = "tenure"
IDENTIFIERS = {"id", "customer", "customer_id", "name"}
MAX_ERRORS = 10


class TableError(ValueError):
    """What is wrong with the file, every message naming its row and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _header(header: list[str]) -> tuple[list[str], int, list[int]]:
    names = [h.strip() for h in header]
    problems = [f"Column {i + 1} of the header has no name." for i, n in enumerate(names) if not n]
    seen: set[str] = set()
    for name in names:
        if name and name.lower() in seen:
            problems.append(f"Column '{name}' appears twice in the header.")
        seen.add(name.lower())
    lowered = [n.lower() for n in names]
    if LABEL not in lowered:
        problems.append(f"No '{LABEL}' column: add one with 1 for customers who churned and 0 for those who stayed.")
    if problems:
        raise TableError(problems)
    label = lowered.index(LABEL)
    features = [i for i, n in enumerate(lowered) if i != label and n not in IDENTIFIERS]
    if not features:
        raise TableError([f"No feature columns: besides '{LABEL}' (and an identifier), give at least one numeric column."])
    return names, label, features


def _number(text: str) -> float | None:
    """The cell as a finite number, None when empty; ValueError otherwise."""
    text = text.strip()
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _row(cells: list[str], where: str, names: list[str], label: int, features: list[int],
         problems: list[str]) -> tuple[int, list[float]] | None:
    if len(cells) != len(names):
        problems.append(f"{where} has {len(cells)} values but the header has {len(names)} columns.")
        return None
    raw = cells[label].strip()
    churned = {"0": 0, "1": 1, "0.0": 0, "1.0": 1}.get(raw)
    if churned is None:
        problems.append(f"{where}, column '{names[label]}': {raw!r} is not 0 or 1.")
    values = []
    for i in features:
        try:
            value = _number(cells[i])
        except ValueError:
            problems.append(f"{where}, column '{names[i]}': {cells[i].strip()!r} is not a number (leave it empty if unknown).")
            value = None
        if value is not None and names[i].lower() == TENURE and value < 0:
            problems.append(f"{where}, column '{names[i]}': a tenure cannot be negative ({value:g}).")
        values.append(np.nan if value is None else value)
    return None if churned is None else (churned, values)


def read_table(lines: Iterable[str]) -> Table:
    """Read and check the whole file; raise ``TableError`` listing the first problems found."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise TableError(["The file is empty: it needs a header row and one row per customer."])
    names, label, features = _header(header)
    problems: list[str] = []
    labels, rows = [], []
    number = 0
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        number += 1
        parsed = _row(cells, f"Row {number} (line {reader.line_num})", names, label, features, problems)
        if parsed is not None:
            labels.append(parsed[0])
            rows.append(parsed[1])
        if len(problems) >= MAX_ERRORS:
            problems.append("… stopped after the first problems; fix these and try again.")
            break
    if problems:
        raise TableError(problems)
    if not rows:
        raise TableError(["The file has a header but no customers."])
    return Table(np.array(rows, dtype=float), np.array(labels, dtype=int), [names[i] for i in features])


def read_path(path: str) -> Table:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return read_table(handle)
    except FileNotFoundError:
        raise TableError([f"No file at {path}."]) from None
    except UnicodeDecodeError:
        raise TableError(["The file is not UTF-8 text: save it as CSV (UTF-8)."]) from None


def read_text(text: str) -> Table:
    return read_table(io.StringIO(text.lstrip("\ufeff"), newline=""))
