"""``paceline import accounts|contacts|subscriptions FILE``: CSV import from the command line.

All or nothing by default: a file with any error changes nothing and the command exits 1.
``--dry-run`` only checks; ``--partial`` writes the valid rows and still exits 1 if any row was
skipped, so a script notices. A blank cell leaves the existing value as it is.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from paceline.core.services import Actor
from paceline.customers.importing.command import ImportCommandMixin
from paceline.customers.importing.fields import KINDS
from paceline.customers.importing.mapping import SOURCES, MappingError, parse_map_option
from paceline.customers.importing.parsing import ENCODINGS, FileProblem
from paceline.customers.importing.runner import ImportAborted, prepare, run_import


class Command(ImportCommandMixin, BaseCommand):
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
        actor = Actor(user=self.import_user(options["user"]), via="import")
        data = self.import_read(options["file"])
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
        self.import_print(report, heading=f"[bold]{SOURCES.get(report.source, 'CSV')}[/bold] of {report.kind}.", columns=("Column", "Field"), title="Columns used")
        self.import_finish(report)
