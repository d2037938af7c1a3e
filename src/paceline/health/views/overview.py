"""The health overview: the portfolio by band, the most at-risk ARR, and the models."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from paceline.health import charts, queries

AT_RISK_LIMIT = 20


@login_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    bands = queries.portfolio(today=today)
    return render(request, "health/overview.html", {
        "nav": "health",
        "bands": bands,
        "chart": charts.portfolio_spec(bands),
        "at_risk": queries.most_at_risk(today=today, limit=AT_RISK_LIMIT),
        "models": queries.models_list(),
        "at_risk_limit": AT_RISK_LIMIT,
    })
