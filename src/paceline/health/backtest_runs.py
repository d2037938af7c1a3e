"""Running the backtest: the whole report, and as a stored run computed by the worker.

``report`` puts the pieces together for each horizon: the point-in-time samples, the health score
and the baselines (``backtest``), and the learned models cross-validated on the same samples
(``learned``). A leader starts a run from the page (``backtest_request``); the worker computes it
(``backtest_execute``) and keeps the results whole in ``BacktestRun``, so pages only read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record
from paceline.health import backtest, learned
from paceline.health.models import BacktestRun, BacktestStatus

HORIZONS = (90, 180)
STALE = dt.timedelta(hours=6)  # a run "running" for longer than this lost its worker


def horizon(found: Sequence[backtest.Renewal], days: int, progress: backtest.Progress | None = None) -> dict:
    from paceline.health import facts, services

    found_samples, skipped = backtest.samples(found, days, score_fn=services.score_as_of, gather_fn=facts.gather,
                                              progress=progress)
    trained = learned.backtest_entries(found_samples, progress)
    return {
        "days": days, "samples": len(found_samples), "churned": sum(s.churned for s in found_samples),
        "skipped": skipped, "folds": trained.get("folds"),
        "predictors": {**backtest.predictors(found_samples), **trained["models"]},
        "importances": trained["importances"],
    }


def report(horizons: Sequence[int] = HORIZONS, progress: backtest.Progress | None = None) -> dict:
    """The backtest of every past renewal at each horizon, as JSON-ready data."""
    found = backtest.renewals()
    return {
        "renewals": len(found), "churned": sum(r.churned for r in found),
        "first": found[0].on.isoformat() if found else None, "last": found[-1].on.isoformat() if found else None,
        "horizons": [horizon(found, days, progress) for days in horizons],
    }


def check_horizons(horizons: Sequence[int]) -> list[int]:
    days = sorted(set(horizons))
    if not days or any(d < 1 or d > 730 for d in days):
        raise ValidationError({"horizons": "Give one or more numbers of days from 1 to 730, e.g. 90,180."})
    return days


@transaction.atomic
def backtest_request(*, actor: Actor, horizons: Sequence[int] = HORIZONS) -> BacktestRun:
    """Queue a run for the worker; one at a time (a run stuck for hours no longer counts)."""
    days = check_horizons(horizons)
    busy = BacktestRun.objects.select_for_update().filter(
        status__in=[BacktestStatus.QUEUED, BacktestStatus.RUNNING], created_at__gte=timezone.now() - STALE).first()
    if busy is not None:
        raise ValidationError(f"A backtest is already {busy.get_status_display().lower()} "
                              f"(asked for at {timezone.localtime(busy.created_at):%H:%M}); it will be shown when done.")
    run = BacktestRun.objects.create(horizons=days, requested_by=actor.user)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=run, after={"horizons": days})
    transaction.on_commit(lambda: backtest_execute.enqueue(run.pk))
    return run


@transaction.atomic
def backtest_store(*, actor: Actor, horizons: Sequence[int], results: dict) -> BacktestRun:
    """Keep a run computed elsewhere (``paceline health backtest --store``) for the page."""
    now = timezone.now()
    run = BacktestRun.objects.create(horizons=check_horizons(horizons), requested_by=actor.user, started_at=now,
                                     finished_at=now, status=BacktestStatus.DONE, results=results)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=run, after={"horizons": run.horizons})
    return run


def _finish(run: BacktestRun, status: str, *, results: dict | None = None, error: str = "") -> None:
    run.status, run.finished_at, run.error = status, timezone.now(), error
    run.results = results or {}
    run.save(update_fields=["status", "finished_at", "results", "error"])


@task()
def backtest_execute(run_id: int) -> dict:
    """Compute a queued run and store its results (or what went wrong)."""
    run = BacktestRun.objects.filter(pk=run_id, status=BacktestStatus.QUEUED).first()
    if run is None:
        return {"run": run_id, "status": "not queued"}
    run.status, run.started_at = BacktestStatus.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        results = report(run.horizons)
    except Exception as error:  # the run says why it failed; the worker goes on with other work
        _finish(run, BacktestStatus.FAILED, error=f"{type(error).__name__}: {error}")
        return {"run": run_id, "status": "failed"}
    _finish(run, BacktestStatus.DONE, results=results)
    return {"run": run_id, "status": "done", "renewals": results["renewals"]}


def latest(*, done: bool) -> BacktestRun | None:
    runs = BacktestRun.objects.select_related("requested_by")
    return (runs.filter(status=BacktestStatus.DONE) if done else runs).first()
