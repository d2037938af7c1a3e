"""Which column of the file feeds which field: detected from the headers, then adjusted by the user.

Detection is by squashed header (case, spaces and punctuation do not matter). When two columns
would feed the same field (HubSpot exports both "Company Domain Name" and "Website URL"), the
first wins and the other is reported as ignored, naming the one used. The user's choices
(``--map "Column=field"`` on the command line, one select per column on the page) override the
detection; two columns chosen for the same field is an error, since one would silently lose.
"""

from __future__ import annotations

from dataclasses import dataclass

from paceline.customers.importing.fields import Kind
from paceline.customers.importing.values import squash

SOURCES = {"salesforce": "Salesforce export", "hubspot": "HubSpot export", "csv": "CSV"}
_SALESFORCE_SIGNS = {
    "accountid", "contactid", "accountowner", "parentaccountid", "reportstoid", "currencyisocode",
    "ownerid", "parentid", "accountname", "billingcity", "mailingcity", "createdbyid",
}


class MappingError(ValueError):
    """The user's mapping cannot be used; ``problems`` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Column:
    index: int
    header: str
    field: str | None
    note: str = ""


@dataclass
class Mapping:
    kind: Kind
    source: str
    columns: list[Column]

    @property
    def used(self) -> list[Column]:
        return [c for c in self.columns if c.field]

    @property
    def ignored(self) -> list[Column]:
        return [c for c in self.columns if not c.field]

    def column_for(self, field: str) -> Column | None:
        return next((c for c in self.columns if c.field == field), None)

    def missing_required(self) -> list[str]:
        """One sentence per required field (or group of fields) with no column."""
        problems = []
        for group in self.kind.required:
            if any(self.column_for(name) for name in group):
                continue
            examples = [a for name in group for a in self.kind.field(name).aliases[:2]]
            wanted = " or ".join(group)
            hint = f" (e.g. {', '.join(repr(e) for e in examples)})" if examples else ""
            problems.append(f"Missing required column for {self.kind.name}: {wanted}{hint}.")
        return problems

    def choices(self) -> dict[str, str]:
        """header -> field name ("" for ignored): what is stored between the page's steps."""
        return {c.header: c.field or "" for c in self.columns}


def detect_source(headers: list[str]) -> str:
    squashed = {squash(h) for h in headers}
    if "recordid" in squashed:
        return "hubspot"
    if squashed & _SALESFORCE_SIGNS:
        return "salesforce"
    return "csv"


def detect(kind: Kind, headers: list[str]) -> Mapping:
    source = detect_source(headers)
    aliases = kind.alias_table()
    ignored = dict(kind.ignored)
    if source == "hubspot":
        ignored |= kind.ignored_from_hubspot
    columns: list[Column] = []
    taken: dict[str, str] = {}
    for index, header in enumerate(headers):
        key = squash(header)
        if not key:
            columns.append(Column(index, header, None, "the column has no header"))
        elif key in ignored:
            columns.append(Column(index, header, None, ignored[key]))
        elif key in aliases:
            name = aliases[key]
            if name in taken:
                columns.append(Column(index, header, None, f"{name} already comes from '{taken[name]}'"))
            else:
                taken[name] = header
                columns.append(Column(index, header, name))
        else:
            columns.append(Column(index, header, None, f"not a field Paceline knows for {kind.name}"))
    return Mapping(kind=kind, source=source, columns=columns)


def parse_map_option(option: str) -> tuple[str, str]:
    """``"Column Name=field"`` -> (header, field); ``"Column Name="`` ignores the column."""
    header, sep, field = option.rpartition("=")
    if not sep or not header.strip():
        raise MappingError([f"--map {option!r} is not COLUMN=FIELD (e.g. --map \"Account Name=name\")."])
    return header.strip(), field.strip()


def _find_column(mapping: Mapping, header: str) -> Column | None:
    exact = [c for c in mapping.columns if c.header.strip() == header]
    if exact:
        return exact[0]
    loose = [c for c in mapping.columns if squash(c.header) == squash(header) and squash(header)]
    return loose[0] if len(loose) == 1 else None


def override(mapping: Mapping, choices: dict[str, str]) -> Mapping:
    """Apply the user's ``{header: field or ""}``. Columns not named keep their detected field,
    unless a chosen field was detected elsewhere: the user's choice wins and that column is ignored.
    """
    problems: list[str] = []
    fields = set(mapping.kind.field_names)
    columns = [Column(c.index, c.header, c.field, c.note) for c in mapping.columns]
    chosen: dict[int, str] = {}
    for header, field in choices.items():
        column = _find_column(Mapping(mapping.kind, mapping.source, columns), header)
        if column is None:
            names = ", ".join(repr(c.header) for c in columns)
            problems.append(f"There is no column {header!r} in the file; its columns are {names}.")
            continue
        if field and field not in fields:
            problems.append(
                f"{field!r} (for column {header!r}) is not a field Paceline knows for {mapping.kind.name}; "
                f"use one of {', '.join(sorted(fields))}, or nothing to ignore the column."
            )
            continue
        chosen[column.index] = field
    by_field: dict[str, list[str]] = {}
    for index, field in chosen.items():
        if field:
            by_field.setdefault(field, []).append(columns[index].header)
    for field, headers in by_field.items():
        if len(headers) > 1:
            problems.append(f"Columns {', '.join(repr(h) for h in headers)} are all mapped to {field}; choose one.")
    if problems:
        raise MappingError(problems)
    for index, field in chosen.items():
        column = columns[index]
        if field == (column.field or ""):
            continue  # the detected choice, confirmed: keep the reason it was made
        if field:
            for other in columns:
                if other.field == field and other.index not in chosen:
                    other.field, other.note = None, f"you chose '{column.header}' for {field}"
            column.field, column.note = field, "chosen by you"
        else:
            column.field, column.note = None, "ignored by your choice"
    return Mapping(kind=mapping.kind, source=mapping.source, columns=columns)
