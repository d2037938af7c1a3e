"""The demo's health: the default model, and a history of scores for every customer over half a year.

Each snapshot is computed by the app's own scoring (``health.services.score_as_of``) from the facts
known on that day, so nothing here is drawn: an account heading for churn declines because its
conversations fade, its touchpoints are missed and its champion leaves, as the earlier steps wrote.
A customer is scored from its first contract's start until the day it churned.

``SNAPSHOTS``: the anchor and a week before it (so "since last week" has a week to compare), then
every eight weeks back to half a year. Weekly for the whole half-year would cost 26 point-in-time
gatherings of the whole book; the scheduled daily job fills in the days from the load on. The rows
are written in bulk, dated the day they were computed, without ``health.score_changed`` events
(the history is the past: nothing in it is news at load time).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from paceline.health import selectors, services
from paceline.health.models import HealthScore, ModelVersion
from paceline.health.scoring import Score
from paceline.ops.demo.world import AccountPlan, World, historical_timestamps

SNAPSHOTS = (0, -7, -56, -112, -168)  # days from the anchor


def is_customer(account: AccountPlan, day: int) -> bool:
    fate = account.fate
    return fate.start <= day and (not fate.churned or day < fate.ended)


def plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copies (the explanation holds only plain values):
    the same dictionary, several times faster over a book's history."""
    if hasattr(value, "__dataclass_fields__"):  # an instance's __dict__ holds its fields in order
        return {k: plain(v) for k, v in vars(value).items()}
    if type(value) is list:
        return [plain(v) for v in value]
    if type(value) is dict:
        return {k: plain(v) for k, v in value.items()}
    return value


def row(account_id: int, on: dt.date, version: ModelVersion, score: Score) -> HealthScore:
    renewal = score.equations["renewal"]
    return HealthScore(
        account_id=account_id, on=on, version=version, adoption=score.equations["adoption"].score,
        renewal=renewal.score, expansion=score.equations["expansion"].score, band=renewal.band,
        blocking=renewal.blocking or "", most_impactful=score.most_impactful or "", detail=plain(score),
    )


def run(world: World, progress) -> int:
    selectors.default_version()
    versions = selectors.version_for([a.obj.pk for a in world.accounts])
    progress.total(len(SNAPSHOTS))
    written = 0
    with historical_timestamps(HealthScore):
        for offset in sorted(SNAPSHOTS):
            day = world.date(offset)
            live = [a.obj.pk for a in world.accounts if is_customer(a, offset)]
            rows = [row(pk, day, versions[pk], score) for pk, score in services.score_as_of(live, as_of=day).items()]
            for r in rows:
                r.created_at = world.moment(offset, 6 * 60)
            HealthScore.objects.bulk_create(rows, batch_size=500)
            written += len(rows)
            progress.advance()
    return written
