"""``paceline health score [--date] [--account ID]``: score accounts now and store the scores.

More subcommands (``backtest``, ``train``) live in ``paceline.health.management.backtest_cli``
when it is installed: it defines ``add_parsers(actions) -> {name: handler}``, each handler called
as ``handler(command, options)``; this command only adds them and dispatches.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from paceline.customers.models import Account
from paceline.health import services

EXTRA = "paceline.health.management.backtest_cli"


def parse_day(raw: str | None) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        raise CommandError(f"--date {raw!r} is not a date (use YYYY-MM-DD).") from None
    if day > timezone.localdate():
        raise CommandError(f"--date {day} is in the future: a score uses only what is known on its day.")
    return day


def score(command: BaseCommand, options: dict) -> None:
    day = parse_day(options["date"])
    ids = None
    if options["account"] is not None:
        if not Account.objects.filter(pk=options["account"]).exists():
            raise CommandError(f"--account {options['account']}: no such account.")
        ids = [options["account"]]
    done = services.scores_compute(on=day, account_ids=ids)
    command.stdout.write(f"Health scores for {done['on']}: {done['scored']} accounts scored "
                         f"({done['created']} new, {done['updated']} updated), {done['events']} changes announced")


class Command(BaseCommand):
    help = "Health: score accounts now (and, when installed, backtest and train the risk model)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        scoring = actions.add_parser("score", help="Score accounts for a day and store the scores.")
        scoring.add_argument("--date", default=None, help="The day to score as of (YYYY-MM-DD); default: today.")
        scoring.add_argument("--account", type=int, default=None, help="Only this account (its id).")
        self.handlers = {"score": score}
        if importlib.util.find_spec(EXTRA) is not None:
            self.handlers.update(importlib.import_module(EXTRA).add_parsers(actions))

    def handle(self, *args, **options):
        self.handlers[options["action"]](self, options)
