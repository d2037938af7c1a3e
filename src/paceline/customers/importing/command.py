"""What every CSV-import command shares: reading the file, attributing the changes, printing the
report, and the exit status scripts rely on (1 when any row or the file had errors)."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from rich.console import Console
from rich.table import Table as RichTable

from paceline.customers.importing.report import ImportReport


class ImportCommandMixin:
    """For a ``BaseCommand``: ``self.stdout`` is where the report goes."""

    def import_user(self, username: str):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}; --user takes a username.")
        return user

    def import_read(self, path: str) -> bytes:
        if path == "-":
            return sys.stdin.buffer.read()
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file.")
        return file.read_bytes()

    def import_print(self, report: ImportReport, *, heading: str = "", columns: tuple[str, str] = ("Column", "Field"),
                     title: str = "Columns used") -> None:
        buffer = io.StringIO()
        tty = self.stdout.isatty()
        console = Console(file=buffer, force_terminal=tty, width=shutil.get_terminal_size().columns if tty else 200)
        if heading:
            console.print(heading)
        mapped = RichTable(*columns, title=title, title_justify="left")
        for header, field in report.mapped:
            mapped.add_row(header, field)
        console.print(mapped)
        for header, why in getattr(report, "ignored", []):
            console.print(f"Ignored column '{header}': {why}.")
        for problem in report.file_errors:
            console.print(problem, style="red")
        if report.errors:
            errors = RichTable("Row", "Column", "Reason", title="Errors", title_justify="left")
            for error in report.errors:
                errors.add_row(str(error.row), error.column or "(row)", error.reason)
            console.print(errors)
        console.print(report.summary(), style="bold" if report.ok else "bold red")
        self.stdout.write(buffer.getvalue(), ending="")

    def import_finish(self, report: ImportReport) -> None:
        """Exit 1 when the file or any row had errors, saying whether anything was written."""
        if report.file_errors:
            raise CommandError("The file was not imported.", returncode=1)
        if report.errors:
            changed = "the valid rows were imported" if report.applied else "nothing was changed"
            rows = "1 row has" if report.failed == 1 else f"{report.failed} rows have"
            raise CommandError(f"{rows} errors; {changed}.", returncode=1)
