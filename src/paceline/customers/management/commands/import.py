"""``paceline import accounts|contacts|subscriptions FILE``: CSV import from the command line.

All or nothing by default: a file with any error changes nothing and the command exits 1.
``--dry-run`` only checks; ``--partial`` writes the valid rows and still exits 1 if any row was
skipped, so a script notices. A blank cell leaves the existing value as it is.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table as RichTable

from paceline.core.services import Actor
from paceline.customers.importing.fields import KINDS
from paceline.customers.importing.mapping import SOURCES, MappingError, parse_map_option
from paceline.customers.importing.parsing import ENCODINGS, FileProblem
from paceline.customers.importing.report import ImportReport
from paceline.customers.importing.runner import ImportAborted, prepare, run_import


class Command(BaseCommand):
    help = (
        "Import accounts, contacts or subscriptions from a CSV file. Salesforce and HubSpot export "
        "headers are recognised; rows are matched on their external id (created or updated), and a "
        "blank cell keeps the current value. A file with any error changes nothing unless --partial "
        "is given. Fields: " + "; ".join(f"{k.name}: {', '.join(k.field_names)}" for k in KINDS.values()) + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="what the file holds")
        parser.add_argument("file", help="the CSV file, or - to read standard input")
        parser.add_argument("--dry-run", action="store_true", help="check every row and report; change nothing")
        parser.add_argument("--partial", action="store_true", help="write the valid rows even if others have errors")
        parser.add_argument(
            "--map", action="append", default=[], metavar="COLUMN=FIELD",
            help='use COLUMN for FIELD, e.g. --map "Type=segment"; "COLUMN=" ignores the column (repeatable)',
        )
        parser.add_argument("--encoding", default="", help=f"the file's encoding if not UTF-8 ({', '.join(ENCODINGS)})")
        parser.add_argument(
            "--date-order", choices=["mdy", "dmy"], default="",
            help="how to read dates like 03/01/2026 (month or day first); without it they are refused as ambiguous",
        )
        parser.add_argument("--user", default="", help="username the changes are recorded under (default: none)")

    def handle(self, *args, **options) -> None:
        kind = options["kind"]
        actor = Actor(user=self._user(options["user"]), via="import")
        data = self._read(options["file"])
        try:
            choices = dict(parse_map_option(option) for option in options["map"])
            table, mapping = prepare(data, kind=kind, encoding=options["encoding"], choices=choices)
        except FileProblem as exc:
            raise CommandError(str(exc)) from None
        except MappingError as exc:
            raise CommandError("\n".join(exc.problems)) from None

        progress_console = Console(file=sys.stderr)
        with Progress(
            TextColumn(f"{'Checking' if options['dry_run'] else 'Importing'} {kind}"), BarColumn(),
            MofNCompleteColumn(), TimeRemainingColumn(), console=progress_console, transient=True,
            disable=not progress_console.is_terminal,
        ) as bar:
            task = bar.add_task(kind, total=len(table.records))
            try:
                report = run_import(
                    kind=kind, table=table, mapping=mapping, actor=actor, apply=not options["dry_run"],
                    partial=options["partial"], date_order=options["date_order"],
                    progress=lambda done, total: bar.update(task, completed=done),
                )
            except ImportAborted as exc:
                raise CommandError(str(exc)) from exc
        self._print(report)
        if report.file_errors:
            raise CommandError("The file was not imported.", returncode=1)
        if report.errors:
            changed = "the valid rows were imported" if report.applied else "nothing was changed"
            rows = "1 row has" if report.failed == 1 else f"{report.failed} rows have"
            raise CommandError(f"{rows} errors; {changed}.", returncode=1)

    def _user(self, username: str):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}; --user takes a username.")
        return user

    def _read(self, path: str) -> bytes:
        if path == "-":
            return sys.stdin.buffer.read()
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file.")
        return file.read_bytes()

    def _print(self, report: ImportReport) -> None:
        buffer = io.StringIO()
        tty = self.stdout.isatty()
        console = Console(file=buffer, force_terminal=tty, width=shutil.get_terminal_size().columns if tty else 200)
        console.print(f"[bold]{SOURCES.get(report.source, 'CSV')}[/bold] of {report.kind}.")
        mapped = RichTable("Column", "Field", title="Columns used", title_justify="left")
        for header, field in report.mapped:
            mapped.add_row(header, field)
        console.print(mapped)
        for header, why in report.ignored:
            console.print(f"Ignored column '{header}': {why}.")
        if report.errors:
            errors = RichTable("Row", "Column", "Reason", title="Errors", title_justify="left")
            for error in report.errors:
                errors.add_row(str(error.row), error.column or "(row)", error.reason)
            console.print(errors)
        console.print(report.summary(), style="bold" if report.ok else "bold red")
        self.stdout.write(buffer.getvalue(), ending="")
