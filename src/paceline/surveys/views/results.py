"""Survey results: the figures and charts for a period, the verbatim comments (filtered by HTMX),
and an account's survey history. Every signed-in role reads them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from paceline.customers.models import Segment
from paceline.customers.views.common import account_or_404, render_two_shapes
from paceline.surveys import charts, selectors
from paceline.surveys.models import Survey
from paceline.users.models import User

COMMENTS_PAGE = 20
HISTORY_PAGE = 50
# Without dates the page shows the last twelve calendar months, this one included.
DEFAULT_MONTHS = 12


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class ResultsFilterForm(forms.Form):
    survey = forms.ModelChoiceField(queryset=Survey.objects.order_by("name", "id"), required=False,
                                    empty_label="All surveys")
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    segment = forms.ChoiceField(choices=[("", "All segments"), *Segment.choices], required=False)
    csm = _UserChoice(queryset=User.objects.filter(owned_accounts__isnull=False).distinct()
                      .order_by("first_name", "last_name", "username"),
                      required=False, empty_label="All CSMs", label="CSM")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end date is before the start date.")
        return data

    def to_filters(self, today: dt.date) -> selectors.ResultFilters:
        data = self.cleaned_data
        end = data.get("end") or today
        start = data.get("start")
        if start is None:
            index = end.year * 12 + end.month - DEFAULT_MONTHS
            start = dt.date(index // 12, index % 12 + 1, 1)
        return selectors.ResultFilters(
            survey_id=data["survey"].pk if data.get("survey") else None,
            start=start,
            end=end,
            segment=data.get("segment") or "",
            owner_id=data["csm"].pk if data.get("csm") else None,
        )


class CommentsFilterForm(ResultsFilterForm):
    band = forms.ChoiceField(required=False, label="Score band", choices=[
        ("", "Any score"), ("promoter", "Promoters (9-10)"), ("passive", "Passives (7-8)"),
        ("detractor", "Detractors (0-6)")])
    sentiment = forms.ChoiceField(required=False, choices=[
        ("", "Any sentiment"), ("positive", "Positive"), ("neutral", "Neutral"), ("negative", "Negative"),
        ("unscored", "Not scored")])
    page = forms.IntegerField(required=False, min_value=1)


def _errors(form: forms.Form) -> list[tuple[str, list[str]]]:
    return [(name, list(messages)) for name, messages in form.errors.items()]


def _query(filters: selectors.ResultFilters) -> dict[str, str]:
    """The page's filters as query parameters, so the comments' own filter and pager keep them."""
    values = {"survey": filters.survey_id, "start": filters.start, "end": filters.end, "segment": filters.segment,
              "csm": filters.owner_id}
    return {name: str(value) for name, value in values.items() if value not in (None, "")}


def _comments_context(form: CommentsFilterForm, filters: selectors.ResultFilters) -> dict[str, Any]:
    band, sentiment = form.cleaned_data.get("band") or "", form.cleaned_data.get("sentiment") or ""
    rows = selectors.comments(filters=filters, band=band, sentiment=sentiment)
    base = _query(filters)
    chosen = {name: value for name, value in (("band", band), ("sentiment", sentiment)) if value}
    return {
        "comments": Paginator(rows, COMMENTS_PAGE).get_page(form.cleaned_data.get("page") or 1),
        "comment_filters": base,
        "filter_query": urlencode(base),
        "comment_query": urlencode({**base, **chosen}),
    }


@login_required
@require_safe
def results(request: HttpRequest) -> HttpResponse:
    form = CommentsFilterForm(request.GET)
    context: dict[str, Any] = {"nav": "results", "form": form}
    if not form.is_valid():
        context["errors"] = _errors(form)
        return render(request, "surveys/results.html", context, status=400)
    filters = form.to_filters(timezone.localdate())
    data = selectors.results(filters=filters)
    context.update(
        results=data,
        filters=filters,
        specs={
            "distribution": charts.distribution_spec(data.distribution),
            "trend": charts.trend_spec(data.months),
            "segments": charts.bands_spec(data.segments),
        },
        **_comments_context(form, filters),
    )
    return render(request, "surveys/results.html", context)


@login_required
@require_safe
def results_comments(request: HttpRequest) -> HttpResponse:
    """The comments alone: the fragment for HTMX (band, sentiment, pages), else a page of its own."""
    form = CommentsFilterForm(request.GET)
    context: dict[str, Any] = {"nav": "results", "form": form}
    if not form.is_valid():
        context["comment_errors"] = _errors(form)
        context["comment_filters"] = {name: request.GET[name] for name in ("survey", "start", "end", "segment", "csm")
                                      if request.GET.get(name)}
        return render_two_shapes(request, "surveys/results_comments.html", "surveys/results.html#comments", context,
                                 status=400)
    filters = form.to_filters(timezone.localdate())
    context.update(filters=filters, **_comments_context(form, filters))
    return render_two_shapes(request, "surveys/results_comments.html", "surveys/results.html#comments", context)


class HistoryPageForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1)


@login_required
@require_safe
def account_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every survey answer of one account, with what it was asked and what it left unanswered."""
    account = account_or_404(pk)
    form = HistoryPageForm(request.GET)
    context: dict[str, Any] = {"nav": "book", "account": account}
    if not form.is_valid():
        context["errors"] = _errors(form)
        return render(request, "surveys/results_account.html", context, status=400)
    history = selectors.account_history(account=account)
    context.update(history=history, responses=Paginator(history.responses, HISTORY_PAGE).get_page(
        form.cleaned_data["page"] or 1))
    return render(request, "surveys/results_account.html", context)
