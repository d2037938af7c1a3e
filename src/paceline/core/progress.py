"""What the long-running commands share: a rich progress task behind the ``total``/``advance``
protocol the demo loader and the usage jobs report to, and an argparse type for ISO dates."""

from __future__ import annotations

import argparse
import datetime as dt

from rich.progress import Progress


class TaskBar:
    """One task of a rich ``Progress``, sized when the work knows how much there is."""

    def __init__(self, progress: Progress, label: str):
        self.progress = progress
        self.task = progress.add_task(label, total=None)

    def total(self, n: int) -> None:
        self.progress.update(self.task, total=n)

    def advance(self, n: int = 1) -> None:
        self.progress.advance(self.task, n)


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (use YYYY-MM-DD)") from None
