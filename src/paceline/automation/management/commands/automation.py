"""``paceline automation run|daily|sweep``: the automation's background work, run now, for cron.

- ``run``: read the outbox from the rules' cursor and fire the event-triggered rules;
- ``daily [--date YYYY-MM-DD]``: the scheduled rules' scan of the book (renewal in N days, silence);
- ``sweep``: send the notifications that are due, and revive those a crashed worker left half-sent.

Each is safe to repeat: a cause fires a rule once, and a delivery is claimed before it is sent.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from paceline.automation import services, tasks
from paceline.core import outbox


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in counts.items())


class Command(BaseCommand):
    help = "Automation's work run now: fire event rules (run), scheduled rules (daily), send notifications (sweep)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{run,daily,sweep}")
        run = actions.add_parser("run", help="Read new activity from the outbox and fire event-triggered rules.")
        run.add_argument("--settle", type=float, default=outbox.DEFAULT_SETTLE.total_seconds(),
                         help="Read only events at least this many seconds old (default: %(default)s).")
        daily = actions.add_parser("daily", help="Fire the scheduled rules (a scan of the whole book).")
        daily.add_argument("--date", default=None, help="The day to scan for (YYYY-MM-DD); default: today.")
        actions.add_parser("sweep", help="Send notifications that are due; revive those left half-sent.")

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _run(self, options):
        if options["settle"] < 0:
            raise CommandError("--settle cannot be negative.")
        counts = tasks.read_outbox(settle=dt.timedelta(seconds=options["settle"]))
        self.stdout.write(f"Event rules: {_summary(counts)}")

    def _daily(self, options):
        raw = options["date"]
        try:
            day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date {raw!r} is not a date (use YYYY-MM-DD).") from None
        counts = tasks.rules_daily.call(today=day.isoformat())
        self.stdout.write(f"Scheduled rules for {day.isoformat()}: {_summary(counts)}")

    def _sweep(self, options):
        counts = services.deliveries_sweep()
        self.stdout.write(f"Notifications: {_summary(counts)}")
