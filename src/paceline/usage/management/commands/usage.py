"""``paceline usage compute|compact``: the metrics job and the compactor, by hand."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paceline.core.progress import TaskBar, iso_date
from paceline.usage.engines import ENGINES


class Command(BaseCommand):
    help = "Usage analytics: compute the daily snapshots, or compact the ingestion inbox."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        compute = actions.add_parser("compute", help="Bring the daily usage snapshots up to date.")
        compute.add_argument("--full", action="store_true", help="Recompute every day from the first event.")
        compute.add_argument("--engine", choices=ENGINES, default=None,
                             help="duckdb (embedded) or spark; default: PACELINE_USAGE_ENGINE.")
        compute.add_argument("--today", type=iso_date, default=None, help="The last day to compute (YYYY-MM-DD).")
        actions.add_parser("compact", help="Move acknowledged events from the inbox into the event store.")

    def handle(self, *args, **options):
        self.console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        if options["action"] == "compact":
            return self._compact()
        return self._compute(options)

    def _compact(self) -> None:
        from paceline.usage import compactor

        report = compactor.inbox_drain()
        self.console.print("Compacted: " + ", ".join(f"{k} {v}" for k, v in report.as_dict().items()))

    def _compute(self, options) -> None:
        from paceline.usage.compute import usage_compute

        columns = (TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        try:
            with Progress(*columns, console=self.console, transient=True) as progress:
                report = usage_compute(engine=options["engine"], full=options["full"], today=options["today"],
                                       progress=TaskBar(progress, "Usage snapshots"))
        except ValueError as error:
            raise CommandError(str(error)) from error
        if not report.days:
            note = "; ".join(report.notes) or "nothing to do"
            self.console.print(f"Usage snapshots through {report.today}: {note} ({report.seconds:.1f} s).")
            return
        self.console.print(
            f"Computed {report.days} days ({report.start} to {report.today}) on {report.engine} for "
            f"{report.accounts:,} accounts in {report.seconds:.1f} s (read {report.read_seconds:.1f} s, "
            f"write {report.write_seconds:.1f} s): {report.usage_days:,} account days, "
            f"{report.feature_weeks:,} feature weeks, {report.user_activity:,} users, "
            f"{report.unmatched_groups:,} unmatched groups; cleared {report.dirty_days_cleared} dirty days."
        )
