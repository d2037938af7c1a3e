"""``paceline surveys import FILE``: survey responses from a CSV file.

All or nothing by default: a file with any error changes nothing and the command exits 1.
``--dry-run`` only checks; ``--partial`` writes the valid rows and still exits 1 if any row was
skipped, so a script notices. A row whose ``external_id`` is known updates that response.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from paceline.core.services import Actor
from paceline.customers.importing.command import ImportCommandMixin
from paceline.customers.importing.parsing import ENCODINGS, FileProblem, decode, read_table
from paceline.surveys.importing import COLUMN_HELP, ImportAborted, import_responses


class Command(ImportCommandMixin, BaseCommand):
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
        actor = Actor(user=self.import_user(options["user"]), via="import")
        try:
            table = read_table(decode(self.import_read(options["file"]), options["encoding"]))
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
        self.import_print(report, heading="", columns=("Column", "Read as"), title="Columns")
        self.import_finish(report)
