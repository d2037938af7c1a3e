""""Does our health score work?": the latest stored backtest, read by everyone; leaders start one.

The page never computes the backtest: a leader queues a run, the worker computes it
(``backtest_runs.backtest_execute``) and the page shows the latest finished run, with a note while
a newer one is queued or running, or why it failed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from paceline.core.services import Actor
from paceline.health import backtest_charts, backtest_runs
from paceline.users.permissions import is_leader, leader_required

ORDER = ("health", "contact", "usage", "logistic", "boosting")


def _horizon(h: dict) -> dict:
    """One horizon of a stored run, laid out for the page."""
    predictors = h["predictors"]
    rows = [predictors[k] | {"key": k} for k in ORDER if k in predictors]
    return {**h, "rows": rows, "roc": backtest_charts.roc_spec(predictors),
            "calibration_chart": backtest_charts.calibration_spec(predictors),
            "health_bins": predictors.get("health", {}).get("calibration") or []}


@login_required
@require_safe
def backtest_page(request: HttpRequest) -> HttpResponse:
    done = backtest_runs.latest(done=True)
    newest = backtest_runs.latest(done=False)
    return render(request, "health/backtest.html", {
        "nav": "health",
        "run": done,
        "pending": newest if newest is not None and newest != done else None,
        "horizons": [_horizon(h) for h in done.results.get("horizons", [])] if done else [],
        "is_leader": is_leader(request.user),
    })


@leader_required
@require_POST
def backtest_start(request: HttpRequest) -> HttpResponse:
    try:
        backtest_runs.backtest_request(actor=Actor(user=request.user, via="web"))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The backtest is queued; this page shows it once the worker has computed it.")
    return redirect("health:backtest")
