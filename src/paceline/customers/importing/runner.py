"""Running an import: check every row, then write all of it, part of it, or none of it.

The dry run and the real run are the same run. Every row is written through the services inside
one transaction (each service call in its own savepoint), so the dry run catches exactly what the real
run would hit: model validation, a loop in a chain of command, a contact filed under another
account. A dry run then rolls the transaction back. A real run commits only when no row failed,
or, with ``partial``, commits the rows that worked. Anything unexpected (a service raising
something other than a validation error) rolls back the whole file and is reported with its row.

Rows are written parents first: an account whose parent appears later in the file, or a contact
whose manager does, waits for that row. A row that refers to a failed row fails too, by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from paceline.core.services import Actor
from paceline.customers.importing.fields import KINDS, Kind, ReadContext
from paceline.customers.importing.mapping import Mapping, detect, override
from paceline.customers.importing.parsing import Table, decode, read_table, record_cells
from paceline.customers.importing.report import ImportReport, RowError
from paceline.customers.importing.rows import UserDirectory, convert
from paceline.customers.importing.writers import WRITERS, RowFailure, WriteContext, preload

Progress = Callable[[int, int], None]


class ImportAborted(RuntimeError):
    """Something other than bad data stopped the import; nothing was changed."""

    def __init__(self, row: int, error: Exception):
        super().__init__(f"The import stopped at row {row} ({type(error).__name__}: {error}); nothing was changed.")
        self.row = row


class _RollBack(Exception):
    pass


@dataclass(eq=False)  # rows are compared by identity: two rows may hold the same values
class _Row:
    number: int
    values: dict[str, Any]
    problems: list[tuple[str, str]]

    @property
    def external_id(self) -> str | None:
        return self.values.get("external_id")


def _column(mapping: Mapping, kind: Kind, name: str) -> str:
    name = kind.error_fields.get(name, name)
    column = mapping.column_for(name)
    if column is None:
        group = next((g for g in kind.required if name in g), ())
        column = next((mapping.column_for(n) for n in group if mapping.column_for(n)), None)
    return column.header if column else ""


def _validation_problems(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(key, message) for key, messages in exc.message_dict.items() for message in messages]
    return [("", message) for message in exc.messages]


def _flag_duplicates(rows: list[_Row]) -> None:
    seen: dict[str, list[_Row]] = {}
    for row in rows:
        if row.external_id:
            seen.setdefault(row.external_id, []).append(row)
    for external_id, same in seen.items():
        if len(same) < 2:
            continue
        for row in same:
            others = ", ".join(str(r.number) for r in same if r is not row)
            row.problems.append(("external_id", f"External id '{external_id}' is also on row {others}; "
                                                "each record may appear once."))


def _parents_first(rows: list[_Row], reference: str | None) -> list[_Row]:
    """File order, except that a row referring to a later row of the file waits for it.

    A chain that loops back on itself in the file (A's parent is B, B's parent is A) cannot be
    written in any order: each row in the loop gets an error naming the rows of the loop.
    """
    if reference is None:
        return rows
    by_id = {r.external_id: r for r in rows if r.external_id}
    placed: set[int] = set()
    order: list[_Row] = []
    for start in rows:
        chain: list[_Row] = []
        node: _Row | None = start
        while node is not None and id(node) not in placed and node not in chain:
            chain.append(node)
            target = node.values.get(reference)
            node = by_id.get(target) if target else None
        if node is not None and node in chain:
            loop = chain[chain.index(node):]
            numbers = " → ".join(str(r.number) for r in [*loop, loop[0]])
            for row in loop:
                row.problems.append((reference, f"The rows refer to each other in a loop (rows {numbers})."))
        for row in reversed(chain):
            placed.add(id(row))
            order.append(row)
    return order


def _convert_all(kind: Kind, mapping: Mapping, table: Table, ctx: ReadContext) -> list[_Row]:
    rows = []
    for record in table.records:
        cells, why = record_cells(record, len(table.headers))
        if cells is None:
            rows.append(_Row(record.row, {}, [("", f"The row {why}.")]))
            continue
        values, problems = convert(kind, mapping, cells, ctx)
        rows.append(_Row(record.row, values, problems))
    return rows


def run_import(
    *,
    kind: str,
    table: Table,
    mapping: Mapping,
    actor: Actor,
    apply: bool,
    partial: bool = False,
    date_order: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    spec = KINDS[kind]
    report = ImportReport(
        kind=kind, source=mapping.source, dry_run=not apply, partial=partial, rows=len(table.records),
        mapped=[(c.header, c.field) for c in mapping.used],
        ignored=[(c.header, c.note) for c in mapping.ignored],
    )
    report.file_errors = mapping.missing_required()
    if report.file_errors:
        return report

    rows = _convert_all(spec, mapping, table, ReadContext(date_order=date_order, find_user=UserDirectory().find))
    _flag_duplicates(rows)
    ordered = _parents_first(rows, spec.reference)
    write = WRITERS[kind]
    ctx = WriteContext(actor=actor, failed={r.external_id: r.number for r in rows if r.problems and r.external_id})
    touched: dict[int, None] = {}
    try:
        with transaction.atomic():
            preload(kind, [r.values for r in rows if not r.problems], ctx)
            for done, row in enumerate(ordered, start=1):
                if not row.problems:
                    try:
                        # Each service is atomic: nested here, a failing row rolls back to its own
                        # savepoint and the rows before it stand. Unchanged rows touch nothing.
                        outcome, account_id = write(dict(row.values), ctx)
                    except RowFailure as exc:
                        row.problems.extend(exc.problems)
                    except ValidationError as exc:
                        row.problems.extend(_validation_problems(exc))
                    except IntegrityError as exc:
                        row.problems.append(("", f"The database refused the row: {exc}"))
                    except Exception as exc:
                        raise ImportAborted(row.number, exc) from exc
                    else:
                        setattr(report, outcome, getattr(report, outcome) + 1)
                        touched[account_id] = None
                    if row.problems and row.external_id:
                        ctx.failed.setdefault(row.external_id, row.number)
                if progress is not None:
                    progress(done, len(ordered))
            report.failed = sum(1 for r in rows if r.problems)
            report.applied = apply and (report.failed == 0 or partial)
            if not report.applied:
                raise _RollBack
    except _RollBack:
        pass
    report.errors = [
        RowError(row.number, _column(mapping, spec, name), reason)
        for row in sorted(rows, key=lambda r: r.number)
        for name, reason in row.problems
    ]
    report.account_ids = list(touched) if report.applied else []
    return report


def prepare(data: bytes, *, kind: str, encoding: str = "", choices: dict[str, str] | None = None) -> tuple[Table, Mapping]:
    """Bytes -> the table and its mapping (detected, then the user's choices applied).

    Raises ``FileProblem`` for a file that cannot be read and ``MappingError`` for choices that
    cannot be used.
    """
    return prepare_text(decode(data, encoding), kind=kind, choices=choices)


def prepare_text(text: str, *, kind: str, choices: dict[str, str] | None = None) -> tuple[Table, Mapping]:
    table = read_table(text)
    mapping = detect(KINDS[kind], table.headers)
    if choices:
        mapping = override(mapping, choices)
    return table, mapping
