"""Reads for the health pages, panels and API: an account's stored scores, the book's band and
trend (one subquery each, so the book stays one query), and the portfolio by band."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from paceline.customers.models import Account
from paceline.health import scoring
from paceline.health.models import Band, HealthModel, HealthScore, ManualAssessment, ModelVersion

WEEK = dt.timedelta(days=7)
TREND_DAYS = 30
TREND_STEP = 1.0  # points of Renewal below which the arrow stays flat
RISK_ORDER = {Band.RED: 0, Band.YELLOW: 1}


def scores(account: Account) -> QuerySet[HealthScore]:
    return HealthScore.objects.filter(account=account).select_related("version__model")


def latest_score(account: Account) -> HealthScore | None:
    return scores(account).order_by("-on").first()


def week_before(score: HealthScore) -> HealthScore | None:
    """The latest stored score at least 7 days older than ``score``."""
    return scores(score.account).filter(on__lte=score.on - WEEK).order_by("-on").first()


def changes_since_last_week(score: HealthScore) -> tuple[HealthScore | None, list[dict[str, Any]]]:
    before = week_before(score)
    return before, ([] if before is None else scoring.changes(before.detail, score.detail))


def history(account: Account, *, since: dt.date | None = None) -> list[HealthScore]:
    qs = HealthScore.objects.filter(account=account).only("on", "adoption", "renewal", "expansion", "band")
    if since is not None:
        qs = qs.filter(on__gte=since)
    return list(qs.order_by("on"))


def latest_assessment(account: Account, *, today: dt.date) -> ManualAssessment | None:
    return (ManualAssessment.objects.filter(account=account, assessed_on__lte=today).select_related("author")
            .order_by("-assessed_on", "-id").first())


def assessments(account: Account) -> QuerySet[ManualAssessment]:
    return ManualAssessment.objects.filter(account=account).select_related("author").order_by("-assessed_on", "-id")


# The book ---------------------------------------------------------------------------------------


def annotate_health(qs: QuerySet[Account], *, today: dt.date) -> QuerySet[Account]:
    """Latest band and Renewal, Renewal on or before 30 days ago, and the at-risk rank (red 0,
    yellow 1, others 2): subqueries in the one list query."""
    latest = HealthScore.objects.filter(account=OuterRef("pk")).order_by("-on")
    before = latest.filter(on__lte=today - dt.timedelta(days=TREND_DAYS))
    return qs.annotate(
        health_band=Subquery(latest.values("band")[:1]),
        health_renewal=Subquery(latest.values("renewal")[:1]),
        health_renewal_before=Subquery(before.values("renewal")[:1]),
    ).annotate(health_risk=Case(
        *(When(health_band=band, then=Value(rank)) for band, rank in RISK_ORDER.items()),
        default=Value(len(RISK_ORDER)), output_field=IntegerField(),
    ))


def trend(now: float | None, before: float | None) -> str:
    """"up", "down" or "flat" (Renewal against 30 days before); empty without both."""
    if now is None or before is None:
        return ""
    if now - before >= TREND_STEP:
        return "up"
    if before - now >= TREND_STEP:
        return "down"
    return "flat"


AT_RISK_ORDER = ("health_risk", "-arr", "id")


# The portfolio ----------------------------------------------------------------------------------


def portfolio(*, today: dt.date) -> list[dict[str, Any]]:
    """Accounts and ARR per band of their latest score (no score: unknown), every band listed."""
    rows = (annotate_health(Account.objects.all(), today=today).order_by()
            .values("health_band").annotate(count=Count("pk"), arr=Coalesce(Sum("arr"), Decimal("0"))))
    found = {(r["health_band"] or Band.UNKNOWN): r for r in rows}
    result = []
    for band in (Band.RED, Band.YELLOW, Band.GREEN, Band.UNKNOWN):
        row = found.get(band, {})
        result.append({"band": band.value, "label": band.label, "count": row.get("count", 0),
                       "arr": row.get("arr", Decimal("0"))})
    return result


def most_at_risk(*, today: dt.date, limit: int = 20) -> list[Account]:
    qs = annotate_health(Account.objects.select_related("owner"), today=today)
    return list(qs.filter(health_band__in=list(RISK_ORDER)).order_by(*AT_RISK_ORDER)[:limit])


# Models -----------------------------------------------------------------------------------------


def models_list() -> QuerySet[HealthModel]:
    return HealthModel.objects.annotate(version_count=Count("versions")).order_by("name")


def versions(model: HealthModel) -> list[ModelVersion]:
    return list(model.versions.select_related("created_by").order_by("-number"))
