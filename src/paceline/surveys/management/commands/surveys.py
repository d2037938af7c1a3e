"""``paceline surveys import FILE``: survey responses from a CSV file.

All or nothing by default: a file with any error changes nothing and the command exits 1.
``--dry-run`` only checks; ``--partial`` writes the valid rows and still exits 1 if any row was
skipped, so a script notices. A row whose ``external_id`` is known updates that response.
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
from paceline.customers.importing.parsing import ENCODINGS, FileProblem, decode, read_table
from paceline.customers.importing.report import ImportReport
from paceline.surveys.importing import COLUMN_HELP, ImportAborted, import_responses


class Command(BaseCommand):
    help = "Voice of the customer from the command line: 'paceline surveys import FILE' imports survey responses."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        columns = "; ".join(f"{name} ({text.rstrip('.')})" for name, text in COLUMN_HELP.items())
        sub = actions.add_parser(
            "import", help="import survey responses from a CSV file",
            description="Import survey responses from a CSV file. Columns: " + columns + ".",
        )
        sub.add_argument("file", help="the CSV file, or - to read standard input")
        sub.add_argument("--dry-run", action="store_true", help="check every row and report; change nothing")
        sub.add_argument("--partial", action="store_true", help="write the valid rows even if others have errors")
        sub.add_argument("--encoding", default="", help=f"the file's encoding if not UTF-8 ({', '.join(ENCODINGS)})")
        sub.add_argument(
            "--date-order", choices=["mdy", "dmy"], default="",
            help="how to read dates like 03/01/2026 (month or day first); without it they are refused as ambiguous",
        )
        sub.add_argument("--user", default="", help="username the changes are recorded under (default: none)")

    def handle(self, *args, **options) -> None:
        # The only action so far; the subcommand keeps room for others under one discoverable name.
        actor = Actor(user=self._user(options["user"]), via="import")
        try:
            table = read_table(decode(self._read(options["file"]), options["encoding"]))
        except FileProblem as exc:
            raise CommandError(str(exc)) from None
        console = Console(file=sys.stderr)
        with Progress(
            TextColumn(f"{'Checking' if options['dry_run'] else 'Importing'} responses"), BarColumn(),
            MofNCompleteColumn(), TimeRemainingColumn(), console=console, transient=True,
            disable=not console.is_terminal,
        ) as bar:
            task = bar.add_task("responses", total=len(table.records))
            try:
                report = import_responses(
                    table=table, actor=actor, apply=not options["dry_run"], partial=options["partial"],
                    date_order=options["date_order"], progress=lambda done, total: bar.update(task, completed=done),
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
        mapped = RichTable("Column", "Read as", title="Columns", title_justify="left")
        for header, name in report.mapped:
            mapped.add_row(header, name)
        console.print(mapped)
        for problem in report.file_errors:
            console.print(problem, style="red")
        if report.errors:
            errors = RichTable("Row", "Column", "Reason", title="Errors", title_justify="left")
            for error in report.errors:
                errors.add_row(str(error.row), error.column or "(row)", error.reason)
            console.print(errors)
        console.print(report.summary(), style="bold" if report.ok else "bold red")
        self.stdout.write(buffer.getvalue(), ending="")
