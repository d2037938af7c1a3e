"""What health adds to the customer pages: the Health panel high on the account page, and the
book's Health column (band and trend), which also sorts the book by most at-risk ARR and filters
it by band."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from paceline.customers.extensions import (
    AccountPanel,
    BookColumn,
    BookFilter,
    register_account_panel,
    register_book_column,
)
from paceline.health import charts, explain, queries, selectors
from paceline.health.forms import AssessmentForm
from paceline.health.models import Band

HISTORY_DAYS = 365


def panel_context(request, account, *, form: AssessmentForm | None = None) -> dict:
    """Everything the panel shows, from the latest stored score (a fixed number of queries)."""
    today = timezone.localdate()
    score = queries.latest_score(account)
    assessment = queries.latest_assessment(account, today=today)
    version = selectors.version_for([account])[account.pk]
    context = {"score": score, "form": form or AssessmentForm(), "today": today,
               "manual": explain.manual_read(assessment, version.definition, today)}
    if score is None:
        return context
    definition = score.version.definition
    before, changes = queries.changes_since_last_week(score)
    rows = queries.history(account, since=today - dt.timedelta(days=HISTORY_DAYS))
    context.update(
        equations=explain.equations(score.detail),
        impact=explain.impact(score.detail),
        rows=explain.factor_rows(score.detail),
        before=before,
        changes=changes,
        chart=charts.history_spec(rows, bands=definition.get("bands")) if len(rows) > 1 else None,
    )
    return context


def _panel(request, account) -> dict:
    return panel_context(request, account)


def _annotate(qs):
    return queries.annotate_health(qs, today=timezone.localdate())


def _by_band(qs, value: str):
    """Accounts whose latest score is in the band; "unknown" also takes those never scored."""
    qs = _annotate(qs)
    if value == Band.UNKNOWN:
        return qs.filter(Q(health_band=Band.UNKNOWN) | Q(health_band__isnull=True))
    return qs.filter(health_band=value)


def register() -> None:
    register_account_panel(AccountPanel(
        key="health", title="Health", template="health/panel.html", context=_panel, order=5,
    ))
    register_book_column(BookColumn(
        key="health", label="Health", cell_template="health/book_cell.html", annotate=_annotate, order=5,
        sort_label="Most at-risk ARR first", sort_order=queries.AT_RISK_ORDER,
        filter=BookFilter(label="Health", choices=tuple((b.value, b.label) for b in Band), apply=_by_band),
    ))
