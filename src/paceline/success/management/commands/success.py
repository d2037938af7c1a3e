"""``paceline success daily``: the success plans' daily jobs, run now in this process, for cron.

The same three jobs the worker's scheduler enqueues every day (``success.tasks``), in their order:
computed metrics get today's value, every open goal's metrics are paced again, and commitments
past their due date are reported once. Running it twice in a day changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from paceline.success import tasks


class Command(BaseCommand):
    help = "Success plans' daily work (computed metrics, pace, missed commitments), run now."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{daily}")
        daily = actions.add_parser("daily", help="Run the three daily jobs now and print what they did.")
        daily.add_argument("--date", default=None, help="The day to run them for (YYYY-MM-DD); default: today.")

    def handle(self, *args, **options):
        raw = options["date"]
        try:
            day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date {raw!r} is not a date (use YYYY-MM-DD).") from None
        if day > timezone.localdate():
            raise CommandError(f"--date {day} is in the future: measurements and misses cannot be dated ahead.")
        today = day.isoformat()
        computed = tasks.refresh_computed.call(today=today)
        paced = tasks.plans_evaluate.call(today=today)
        missed = tasks.commitments_check.call(today=today)
        self.stdout.write(f"Success plans, daily work for {today}:")
        self.stdout.write(
            f"  computed metrics: {computed['recorded']} values recorded, {computed['unknown']} unknown today, "
            f"{computed['unregistered']} bound to a source that is not installed"
        )
        self.stdout.write(f"  pace: {paced['metrics']} metrics of open goals evaluated")
        self.stdout.write(f"  commitments: {missed['missed']} newly missed")
