"""Scoring accounts: as of any day (for backtests, nothing stored) and every day (stored, with events).

``scores_compute`` keeps one ``HealthScore`` per account per day: running it again the same day
updates that row. It tells the apps above (``health.score_changed``) when Renewal's band changes or
its score moves by ``BIG_MOVE`` points or more against the latest stored score, today's included,
so a second run with nothing new says nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery

from paceline.core.services import SYSTEM, Actor, event_emit
from paceline.customers.models import Account, LifecycleStage
from paceline.health import facts as health_facts
from paceline.health import scoring, selectors
from paceline.health.models import HealthScore, ModelVersion

BIG_MOVE = 5.0  # points of Renewal that count as news even within a band
CHUNK = 1000  # accounts scored and written per transaction


def _scored(account_ids: list[int], as_of: dt.date, cache: dict,
            extra: dict[int, health_facts.Facts] | None = None) -> dict[int, tuple[ModelVersion, scoring.Score]]:
    versions = selectors.version_for(account_ids)
    gathered = health_facts.gather(account_ids, as_of=as_of)
    for account_id, facts in (extra or {}).items():
        if account_id in gathered:
            gathered[account_id].update(facts)
    return {a: (versions[a], scoring.score(gathered[a], selectors.definition_of(versions[a], cache), as_of=as_of))
            for a in account_ids if a in versions}


def _learned_risk(ids: list[int], on: dt.date, cache: dict) -> dict[int, health_facts.Facts]:
    """The learned churn risk as a fact, when an active model has a custom factor reading it.

    The model is trained once per run on the renewals decided by ``on`` (``learned.risk_factor_facts``);
    with no model asking for it, nothing is trained."""
    wanted = any(
        str(data.get("source", "")).startswith("learned.")
        for version in selectors.current_versions().values()
        for data in selectors.definition_of(version, cache).get("custom_factors", {}).values()
    )
    if not wanted or not ids:
        return {}
    from paceline.health import learned  # scikit-learn is loaded only when a model uses it

    return learned.risk_factor_facts(ids, on)


def score_as_of(account_ids: Iterable[int], *, as_of: dt.date) -> dict[int, scoring.Score]:
    """Each account's score as it would have been computed on ``as_of`` (facts known then, today's model)."""
    ids = list(dict.fromkeys(int(i) for i in account_ids))
    cache: dict[int, dict[str, Any]] = {}
    found: dict[int, scoring.Score] = {}
    for start in range(0, len(ids), CHUNK):
        found.update({a: s for a, (_, s) in _scored(ids[start:start + CHUNK], as_of, cache).items()})
    return found


def _row(account_id: int, on: dt.date, version: ModelVersion, score: scoring.Score) -> HealthScore:
    renewal = score.equations["renewal"]
    return HealthScore(
        account_id=account_id, on=on, version=version, adoption=score.equations["adoption"].score,
        renewal=renewal.score, expansion=score.equations["expansion"].score, band=renewal.band,
        blocking=renewal.blocking or "", most_impactful=score.most_impactful or "", detail=score.as_dict(),
    )


def _latest_stored(account_ids: list[int], on: dt.date) -> dict[int, HealthScore]:
    """Each account's latest score on or before ``on`` (two queries)."""
    latest = HealthScore.objects.filter(account=OuterRef("pk"), on__lte=on).order_by("-on").values("pk")[:1]
    ids = Account.objects.filter(pk__in=account_ids).annotate(last=Subquery(latest)).values_list("last", flat=True)
    rows = HealthScore.objects.filter(pk__in=[i for i in ids if i is not None]).only(
        "pk", "account_id", "on", "renewal", "band")
    return {r.account_id: r for r in rows}


def is_news(before: HealthScore | None, after: HealthScore) -> bool:
    if before is None:
        return False
    if before.band != after.band:
        return True
    return before.renewal is not None and after.renewal is not None and abs(after.renewal - before.renewal) >= BIG_MOVE


@transaction.atomic
def _store(rows: list[HealthScore], on: dt.date, actor: Actor) -> dict[str, int]:
    account_ids = [r.account_id for r in rows]
    before = _latest_stored(account_ids, on)
    today = {a: r for a, r in before.items() if r.on == on}
    fields = ["version", "adoption", "renewal", "expansion", "band", "blocking", "most_impactful", "detail"]
    updates, creates = [], []
    for row in rows:
        existing = today.get(row.account_id)
        if existing is not None:
            row.pk, row.created_at = existing.pk, existing.created_at
            updates.append(row)
        else:
            creates.append(row)
    HealthScore.objects.bulk_update(updates, fields, batch_size=500)
    created = HealthScore.objects.bulk_create(creates, batch_size=500)
    events = 0
    for row in [*updates, *created]:
        previous = before.get(row.account_id)
        if is_news(previous, row):
            event_emit(kind="health.score_changed", account_id=row.account_id, actor=actor, subject=row, payload={
                "model": "renewal", "score_from": previous.renewal, "score_to": row.renewal,
                "band_from": previous.band, "band_to": row.band})
            events += 1
    return {"created": len(creates), "updated": len(updates), "events": events}


def scores_compute(*, on: dt.date, account_ids: Iterable[int] | None = None, actor: Actor = SYSTEM) -> dict[str, Any]:
    """Score the accounts (default: every account not churned) as of ``on`` and store the scores."""
    if account_ids is None:
        ids = list(Account.objects.exclude(lifecycle_stage=LifecycleStage.CHURNED).order_by("pk").values_list(
            "pk", flat=True))
    else:
        ids = list(dict.fromkeys(int(i) for i in account_ids))
    totals = {"on": on.isoformat(), "scored": 0, "created": 0, "updated": 0, "events": 0}
    cache: dict[int, dict[str, Any]] = {}
    extra = _learned_risk(ids, on, cache)
    for start in range(0, len(ids), CHUNK):
        scored = _scored(ids[start:start + CHUNK], on, cache, extra)
        stored = _store([_row(a, on, v, s) for a, (v, s) in scored.items()], on, actor)
        totals["scored"] += len(scored)
        for key, value in stored.items():
            totals[key] += value
    return totals
