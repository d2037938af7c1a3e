"""``paceline ingest FILE``: product events from Parquet, CSV or JSON lines into the event store."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from paceline.core.progress import TaskBar
from paceline.usage.bulk import FileError, ingest_file


class Command(BaseCommand):
    help = "Load product events from a Parquet, CSV or JSON-lines file into the event store."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Files to load (.parquet, .csv, .jsonl).")
        parser.add_argument("--format", default="", choices=["", "parquet", "csv", "jsonl"],
                            help="The files' format when their names do not say it.")
        parser.add_argument("--no-dedupe", action="store_true",
                            help="Skip the check against stored message ids (a first load into an empty store).")

    def handle(self, *args, **options):
        console = Console(stderr=True)
        failed = False
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            with Progress(TextColumn(f"[bold]{path.name}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                          TimeRemainingColumn(), console=console, transient=True) as progress:
                bar = TaskBar(progress, path.name)
                try:
                    report = ingest_file(path, fmt=options["format"], progress=bar,
                                         dedupe=not options["no_dedupe"])
                except FileError as exc:
                    raise CommandError(str(exc)) from None
            self.stdout.write(
                f"{path.name}: {report.stored:,} events stored, {report.duplicates:,} already there, "
                f"{report.rejected:,} rows rejected, in {report.seconds:.1f} s "
                f"({report.rows / max(report.seconds, 1e-9):,.0f} rows/s)")
            for error in report.errors[:50]:
                self.stderr.write(f"  {path.name}: {error}")
            if len(report.errors) > 50:
                self.stderr.write(f"  ... and {report.rejected - 50:,} more rows rejected")
            failed = failed or bool(report.rejected)
        if failed:
            raise CommandError("some rows were rejected (listed above); the others were stored")
