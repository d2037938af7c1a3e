"""``paceline health backtest`` and ``paceline health train``: the proof that the score works, printed.

``backtest [--horizons 90,180] [--store]`` scores every past renewal as it would have been scored
that many days before, and prints each predictor's ROC-AUC, PR-AUC, lift in the riskiest decile
and Brier score, the health score's calibration table and what the learned models lean on;
``--store`` keeps the run for the page "Does our health score work?".
``train --csv FILE`` cross-validates the learned models on a team's own labelled customer table.
The ``health`` command adds these subcommands and calls the handlers with its options.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from paceline.core.services import Actor
from paceline.health import backtest_runs, learned, learned_csv

Handler = Callable[[BaseCommand, dict], None]


def add_parsers(actions) -> dict[str, Handler]:
    run = actions.add_parser("backtest", help="Backtest the health score against past renewals and print it.")
    run.add_argument("--horizons", default="90,180",
                     help="Days before each renewal to take the score, comma-separated (default: 90,180).")
    run.add_argument("--store", action="store_true", help="Also keep the run for the page “Does our health score work?”.")
    train = actions.add_parser("train", help="Cross-validate the learned risk model on your own labelled CSV.")
    train.add_argument("--csv", required=True, help="One row per customer: feature columns, churned (0/1), optional tenure.")
    return {"backtest": backtest, "train": train_csv}


def parse_horizons(raw: str) -> list[int]:
    try:
        days = [int(part) for part in raw.split(",") if part.strip()]
        return backtest_runs.check_horizons(days)
    except (ValueError, ValidationError):
        raise CommandError(f"--horizons {raw!r}: give days from 1 to 730, comma-separated, e.g. 90,180.") from None


class _Bar:
    """A progress bar on stderr for work that takes a while (hidden when not on a terminal)."""

    def __init__(self) -> None:
        console = Console(file=sys.stderr)
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal)
        self.tasks: dict[str, int] = {}

    def __call__(self, done: int, total: int, what: str) -> None:
        if what not in self.tasks:
            self.tasks[what] = self.progress.add_task(what.capitalize(), total=total)
        self.progress.update(self.tasks[what], completed=done, total=total)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def metrics_table(title: str, predictors: dict) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("Predictor", "Renewals", "Churned", "ROC-AUC", "PR-AUC (base)", "Lift top 10%", "Brier"):
        table.add_column(column, justify="left" if column == "Predictor" else "right")
    for result in predictors.values():
        if not result.get("available"):
            table.add_row(result["label"], result["reason"], "", "", "", "", "")
            continue
        table.add_row(result["label"], str(result["n"]), str(result["churned"]), _fmt(result["auc"]),
                      f"{_fmt(result['pr_auc'])} ({_fmt(result['base_rate'])})", _fmt(result["lift"], 1),
                      _fmt(result["brier"], 3))
    return table


def calibration_table(title: str, bins: list[dict]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("Decile", "Accounts", "Predicted risk", "Churned"):
        table.add_column(column, justify="right")
    for b in bins:
        table.add_row(str(b["bin"]), str(b["n"]), f"{b['predicted']:.0%}", f"{b['observed']:.0%}")
    return table


def importance_table(title: str, importances: dict[str, list[dict]]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("Logistic regression: coefficient (+ raises risk)")
    table.add_column("Gradient boosting: ROC-AUC lost when shuffled")
    left, right = importances.get("logistic", []), importances.get("boosting", [])
    for i in range(max(len(left), len(right))):
        table.add_row(*(f"{side[i]['feature']}  {side[i]['value']:+.3f}" if i < len(side) else ""
                        for side in (left, right)))
    return table


def _print(command: BaseCommand, *items) -> None:
    console = Console(file=io.StringIO(), width=130, record=True)
    for item in items:
        console.print(item)
    command.stdout.write(console.export_text())


def backtest(command: BaseCommand, options: dict) -> None:
    horizons = parse_horizons(options["horizons"])
    bar = _Bar()
    with bar.progress:
        result = backtest_runs.report(horizons, bar)
    if options["store"]:
        run = backtest_runs.backtest_store(actor=Actor(via="cli"), horizons=horizons, results=result)
        command.stdout.write(f"Kept as backtest run {run.pk}.")
    if not result["renewals"]:
        command.stdout.write("No past renewals in the data yet: nothing to backtest.")
        return
    command.stdout.write(f"Backtest of {result['renewals']} past renewals ({result['churned']} churned), "
                         f"{result['first']} to {result['last']}.")
    for h in result["horizons"]:
        items = [metrics_table(f"{h['days']} days before the renewal: {h['samples']} renewals scored, "
                               f"{h['skipped']} left out (term not started, or already decided)", h["predictors"])]
        health = h["predictors"]["health"]
        if health.get("calibration"):
            items.append(calibration_table(f"Calibration of the health score, {h['days']} days before "
                                           "(risk = 1 - score/100)", health["calibration"]))
        if h["importances"]:
            items.append(importance_table(f"What the learned models lean on, {h['days']} days before", h["importances"]))
        _print(command, *items)


def train_csv(command: BaseCommand, options: dict) -> None:
    try:
        table = learned_csv.read_path(options["csv"])
    except learned_csv.TableError as error:
        raise CommandError(f"{options['csv']}:\n" + "\n".join(f"  {p}" for p in error.problems)) from None
    bar = _Bar()
    try:
        with bar.progress:
            result = learned.evaluate_table(table, bar)
    except learned.TooFew as error:
        raise CommandError(str(error)) from None
    command.stdout.write(f"{result['rows']} customers ({result['churned']} churned), {len(table.columns)} features, "
                         f"{result['folds']}-fold stratified cross-validation:")
    _print(command, metrics_table("Cross-validated (each customer predicted by models that did not see it)",
                                  result["models"]),
           importance_table("What the models lean on", result["importances"]))
