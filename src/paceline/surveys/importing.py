"""Survey responses from a CSV file: a dry run that names every problem, then all or nothing.

The columns: ``survey`` (its name or id), ``account_external_id``, the contact as
``contact_email`` or ``contact_external_id`` (optional: an answer may be anonymous),
``submitted_at``, then one column per question key, and an optional ``external_id`` of the response
(a row whose external id is known updates that response). ``score`` and ``comment`` stand for the
survey's headline question (the 0-10, 1-5 or 1-7) and its first free-text question, so an export of
an NPS tool imports as it is.

The file is read with the customer import's own helpers (encoding, delimiter, row numbers as a
spreadsheet shows them, dates), and each row is written through ``response_upsert``, as the API's
responses are. Every row is written inside one transaction, so the dry run catches exactly what the
real run would hit; the dry run then rolls back, and so does a real run with any bad row unless
``partial`` is asked for. A row that would change nothing is left alone, so importing a file twice
writes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from paceline.core.services import Actor
from paceline.customers.importing.parsing import Table, decode, read_table, record_cells
from paceline.customers.importing.report import ImportReport, RowError
from paceline.customers.importing.values import CellError, read_count, read_date, squash
from paceline.customers.models import Account, Contact
from paceline.surveys.models import Question, QuestionKind, ResponseSource, Survey
from paceline.surveys.recording import response_upsert

KIND = "survey responses"
CHUNK = 500
RATED = (QuestionKind.NPS, QuestionKind.CSAT, QuestionKind.CES, QuestionKind.SCALE)

# The file's fixed columns, with the other names exports give them (compared letters and digits only).
COLUMNS: dict[str, tuple[str, ...]] = {
    "survey": ("survey", "surveyid", "surveyname"),
    "account_external_id": ("accountexternalid", "accountid", "account"),
    "contact_email": ("contactemail", "email", "emailaddress", "respondentemail"),
    "contact_external_id": ("contactexternalid", "contactid"),
    "submitted_at": ("submittedat", "submitted", "submittedon", "respondedat", "date", "responsedate"),
    "external_id": ("externalid", "responseexternalid", "responseid"),
}
REQUIRED = ("survey", "account_external_id", "submitted_at")
SCORE, COMMENT = "score", "comment"
COLUMN_HELP = {
    "survey": "The survey's name or id.",
    "account_external_id": "The account's external id.",
    "contact_email": "The contact who answered, by e-mail, among the account's contacts (optional).",
    "contact_external_id": "Or the contact's external id (optional).",
    "submitted_at": "When it was answered: 2026-03-01, or 2026-03-01T09:30:00Z with a time.",
    "external_id": "Your id of the response (optional): a row with a known one updates that response.",
    "score": "The headline answer: 0-10 (NPS), 1-5 (CSAT) or 1-7 (CES).",
    "comment": "The answer to the survey's first free-text question.",
    "<question key>": "One column per question: a number, a choice, choices separated by ';', or text.",
}

Progress = Callable[[int, int], None]


class ImportAborted(RuntimeError):
    """Something other than bad data stopped the import; nothing was changed."""

    def __init__(self, row: int, error: Exception):
        super().__init__(f"The import stopped at row {row} ({type(error).__name__}: {error}); nothing was changed.")
        self.row = row


class _RollBack(Exception):
    pass


@dataclass(eq=False)
class _Row:
    number: int
    cells: dict[str, str] = field(default_factory=dict)  # field -> cell, blank cells left out
    problems: list[tuple[str, str]] = field(default_factory=list)  # (header, reason)
    survey: Survey | None = None
    account: Account | None = None
    contact: Contact | None = None
    submitted_at: dt.datetime | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # question key -> the header it came from


@dataclass
class _Layout:
    """Which header holds which fixed column, and which hold answers."""

    fixed: dict[str, int]  # field -> index
    answers: dict[str, int]  # header -> index (a question key, score or comment)
    headers: list[str]

    def header(self, name: str) -> str:
        return self.headers[self.fixed[name]] if name in self.fixed else name


# Reading ----------------------------------------------------------------------------------------


def _layout(headers: list[str]) -> tuple[_Layout, list[str]]:
    fixed: dict[str, int] = {}
    answers: dict[str, int] = {}
    problems = []
    names = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    for index, header in enumerate(headers):
        if not header:
            continue
        name = names.get(squash(header))
        if name is None:
            answers[header] = index
        elif name in fixed:
            problems.append(f"Columns '{headers[fixed[name]]}' and '{header}' both give {name}; keep one.")
        else:
            fixed[name] = index
    missing = [name for name in REQUIRED if name not in fixed]
    if missing:
        problems.append(f"Missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.")
    return _Layout(fixed=fixed, answers=answers, headers=headers), problems


def read_submitted_at(text: str, date_order: str = "") -> dt.datetime | dt.date:
    """An ISO moment (without a time zone: the server's), or a day (the service takes its noon)."""
    try:
        moment = parse_datetime(text.strip().replace(" ", "T", 1))
    except ValueError:
        moment = None
    if moment is None:
        return read_date(text, date_order)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _whole_number(text: str) -> int:
    stripped = text.strip()
    if stripped.startswith("-"):
        return -read_count(stripped[1:])
    return read_count(stripped)


def _choice(question: Question, text: str) -> str:
    # Spelling and case as people type them; an unknown choice is refused by the service, by key.
    wanted = squash(text)
    return next((c for c in question.choices if squash(c) == wanted), text.strip())


def read_answer(question: Question, text: str) -> Any:
    if question.kind in RATED:
        try:
            return _whole_number(text)
        except CellError:
            raise CellError(f"'{text}' is not a whole number.") from None
    if question.kind == QuestionKind.SINGLE:
        return _choice(question, text)
    if question.kind == QuestionKind.MULTI:
        if any(squash(c) == squash(text) for c in question.choices):
            return [_choice(question, text)]
        separator = ";" if ";" in text else ","
        picked = [_choice(question, part.strip()) for part in text.split(separator) if part.strip()]
        # In the question's order, as stored; a choice it does not offer is left for the service to refuse.
        return [c for c in question.choices if c in picked] + list(dict.fromkeys(p for p in picked if p not in question.choices))
    return text.strip()


# Looking up what the rows name ------------------------------------------------------------------


@dataclass
class _Directory:
    surveys_by_id: dict[int, Survey]
    surveys_by_name: dict[str, list[Survey]]
    accounts: dict[str, Account]
    contacts_by_email: dict[str, list[Contact]]
    contacts_by_id: dict[str, Contact]


def _chunks(values: set[str]):
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _directory(rows: list[_Row]) -> _Directory:
    surveys = list(Survey.objects.prefetch_related("questions"))
    by_name: dict[str, list[Survey]] = {}
    for survey in surveys:
        by_name.setdefault(survey.name.strip().lower(), []).append(survey)

    def wanted(name: str) -> set[str]:
        return {row.cells[name] for row in rows if row.cells.get(name)}

    accounts: dict[str, Account] = {}
    for chunk in _chunks(wanted("account_external_id")):
        accounts |= {a.external_id: a for a in Account.objects.filter(external_id__in=chunk)}
    by_email: dict[str, list[Contact]] = {}
    for chunk in _chunks({e.lower() for e in wanted("contact_email")}):
        for contact in Contact.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=chunk).select_related("account"):
            by_email.setdefault(contact.email_lower, []).append(contact)
    by_external: dict[str, Contact] = {}
    for chunk in _chunks(wanted("contact_external_id")):
        by_external |= {c.external_id: c for c in Contact.objects.filter(external_id__in=chunk).select_related("account")}
    return _Directory({s.pk: s for s in surveys}, by_name, accounts, by_email, by_external)


def _survey(text: str, d: _Directory) -> Survey:
    if text.isdigit() and int(text) in d.surveys_by_id:
        return d.surveys_by_id[int(text)]
    named = d.surveys_by_name.get(text.strip().lower(), [])
    if len(named) > 1:
        ids = ", ".join(str(s.pk) for s in named)
        raise CellError(f"Several surveys are named '{text}' (ids {ids}); give the survey's id.")
    if not named:
        raise CellError(f"There is no survey named '{text}' (nor with that id).")
    return named[0]


def _contact(row: _Row, d: _Directory, layout: _Layout) -> Contact | None:
    account = row.account
    found: Contact | None = None
    if email := row.cells.get("contact_email"):
        matches = d.contacts_by_email.get(email.lower(), [])
        here = [c for c in matches if account is not None and c.account_id == account.pk]
        if len(here) > 1:
            raise CellError(f"Several contacts of the account have the e-mail '{email}'; use contact_external_id.")
        if not here:
            elsewhere = f" (it is a contact of '{matches[0].account.name}')" if matches else ""
            raise CellError(f"The account has no contact with the e-mail '{email}'{elsewhere}.")
        found = here[0]
    if external_id := row.cells.get("contact_external_id"):
        contact = d.contacts_by_id.get(external_id)
        header = layout.header("contact_external_id")
        if contact is None:
            raise _Problem(header, f"There is no contact with external id '{external_id}'.")
        if account is not None and contact.account_id != account.pk:
            raise _Problem(header, f"Contact '{external_id}' is a contact of '{contact.account.name}', "
                                   "not of this row's account.")
        if found is not None and found.pk != contact.pk:
            raise _Problem(header, "The e-mail and the external id name two different contacts.")
        found = contact
    return found


class _Problem(Exception):
    def __init__(self, header: str, reason: str):
        super().__init__(reason)
        self.header, self.reason = header, reason


def _key_for(survey: Survey, header: str) -> tuple[Question | None, str]:
    """The question a column answers in this survey, or why it answers none."""
    questions = list(survey.questions.all())
    lowered = header.lower()
    if lowered == SCORE:
        question = next((q for q in questions if q.kind == survey.headline_kind), None)
        return question, "" if question else f"The survey '{survey.name}' has no headline score question."
    if lowered == COMMENT:
        question = next((q for q in questions if q.kind == QuestionKind.TEXT), None)
        return question, "" if question else f"The survey '{survey.name}' has no free-text question."
    question = next((q for q in questions if q.key == header), None) or next(
        (q for q in questions if q.key.lower() == lowered), None)
    return question, "" if question else f"The survey '{survey.name}' has no question '{header}'."


def _resolve(row: _Row, values: list[str], layout: _Layout, d: _Directory, date_order: str) -> None:
    def attempt(header: str, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except CellError as exc:
            row.problems.append((header, str(exc)))
        except _Problem as exc:
            row.problems.append((exc.header, exc.reason))
        return None

    for name in REQUIRED:
        if not row.cells.get(name):
            row.problems.append((layout.header(name), "A value is required."))
    if text := row.cells.get("survey"):
        row.survey = attempt(layout.header("survey"), lambda: _survey(text, d))
    if text := row.cells.get("account_external_id"):
        row.account = d.accounts.get(text)
        if row.account is None:
            row.problems.append((layout.header("account_external_id"), f"There is no account with external id '{text}'."))
    if row.account is not None:
        row.contact = attempt(layout.header("contact_email"), lambda: _contact(row, d, layout))
    if text := row.cells.get("submitted_at"):
        row.submitted_at = attempt(layout.header("submitted_at"), lambda: read_submitted_at(text, date_order))
    if row.survey is None:
        return
    for header, index in layout.answers.items():
        text = values[index]
        if not text:
            continue
        question, why = _key_for(row.survey, header)
        if question is None:
            row.problems.append((header, why))
            continue
        if question.key in row.answers:
            row.problems.append((header, f"Question '{question.key}' is answered in '{row.headers[question.key]}' too."))
            continue
        answer = attempt(header, lambda question=question, text=text: read_answer(question, text))
        if answer is not None:
            row.answers[question.key] = answer
            row.headers[question.key] = header


def _unknown_columns(layout: _Layout, rows: list[_Row]) -> list[str]:
    surveys = {row.survey.pk: row.survey for row in rows if row.survey is not None}
    if not surveys:
        return []
    keys = {q.key for s in surveys.values() for q in s.questions.all()}
    lowered = {k.lower() for k in keys} | {SCORE, COMMENT}
    unknown = [h for h in layout.answers if h.lower() not in lowered]
    if not unknown:
        return []
    known = ", ".join(sorted(keys)) or "none"
    fixed = ", ".join(COLUMNS)
    return [f"Column '{h}' is neither one of {fixed}, score, comment, nor a question key of the file's surveys "
            f"({known})." for h in unknown]


def _flag_duplicates(rows: list[_Row], layout: _Layout) -> None:
    seen: dict[str, list[_Row]] = {}
    for row in rows:
        if external_id := row.cells.get("external_id"):
            seen.setdefault(external_id, []).append(row)
    for external_id, same in seen.items():
        for row in same if len(same) > 1 else ():
            others = ", ".join(str(r.number) for r in same if r is not row)
            row.problems.append((layout.header("external_id"),
                                 f"External id '{external_id}' is also on row {others}; each response may appear once."))


# Writing ----------------------------------------------------------------------------------------


def _header_of(key: str, row: _Row, layout: _Layout) -> str:
    if key in row.headers:
        return row.headers[key]
    if key in ("contact", "contact_id"):
        return layout.header("contact_external_id" if "contact_email" not in layout.fixed else "contact_email")
    name = {"survey_id": "survey", "account": "account_external_id", "account_id": "account_external_id"}.get(key, key)
    return layout.header(name) if name in COLUMNS else ("" if key == NON_FIELD_ERRORS else key)


def _write(row: _Row, actor: Actor) -> str:
    _, outcome = response_upsert(
        actor=actor, survey=row.survey, account=row.account, contact=row.contact, answers=row.answers,
        submitted_at=row.submitted_at, source=ResponseSource.IMPORT, external_id=row.cells.get("external_id"),
    )
    return outcome


def import_responses(
    *,
    table: Table,
    actor: Actor,
    apply: bool,
    partial: bool = False,
    date_order: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row and write them all, the valid ones (``partial``), or none (a dry run)."""
    layout, file_errors = _layout(table.headers)
    report = ImportReport(
        kind=KIND, dry_run=not apply, partial=partial, rows=len(table.records),
        mapped=[(table.headers[i], name) for name, i in layout.fixed.items()]
        + [(h, "answer") for h in layout.answers],
    )
    if file_errors:
        report.file_errors = file_errors
        return report
    rows: list[tuple[_Row, list[str]]] = []
    for record in table.records:
        values, why = record_cells(record, len(table.headers))
        row = _Row(record.row)
        if values is None:
            row.problems.append(("", f"The row {why}."))
            values = []
        else:
            row.cells = {name: values[i] for name, i in layout.fixed.items() if values[i]}
        rows.append((row, values))
    directory = _directory([row for row, _ in rows])
    for row, values in rows:
        if values:
            _resolve(row, values, layout, directory, date_order)
    report.file_errors = _unknown_columns(layout, [row for row, _ in rows])
    if report.file_errors:
        return report
    _flag_duplicates([row for row, _ in rows], layout)
    touched: dict[int, None] = {}
    try:
        with transaction.atomic():
            for done, (row, _) in enumerate(rows, start=1):
                if not row.problems:
                    try:
                        # Nested in this transaction, a refused row rolls back to its own savepoint.
                        with transaction.atomic():
                            outcome = _write(row, actor)
                    except ValidationError as exc:
                        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
                        row.problems += [(_header_of(k, row, layout), m) for k, ms in errors.items() for m in ms]
                    except IntegrityError as exc:
                        row.problems.append(("", f"The database refused the row: {exc}"))
                    except Exception as exc:
                        raise ImportAborted(row.number, exc) from exc
                    else:
                        setattr(report, outcome, getattr(report, outcome) + 1)
                        touched[row.account.pk] = None
                if progress is not None:
                    progress(done, len(rows))
            report.failed = sum(1 for row, _ in rows if row.problems)
            report.applied = apply and (report.failed == 0 or partial)
            if not report.applied:
                raise _RollBack
    except _RollBack:
        pass
    report.errors = [RowError(row.number, header, reason) for row, _ in rows for header, reason in row.problems]
    report.account_ids = list(touched) if report.applied else []
    return report


def import_responses_file(data: bytes, *, encoding: str = "", **options: Any) -> ImportReport:
    """Bytes -> the report; raises ``FileProblem`` for a file that cannot be read at all."""
    return import_responses(table=read_table(decode(data, encoding)), **options)
