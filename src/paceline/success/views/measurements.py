"""Measurements: one recorded from a metric's card (HTMX), one deleted, or many from a CSV file.

A CSV upload is all or nothing: every row is read and checked first, and one bad row (named by
its row number and column) means nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from paceline.success import services
from paceline.success.forms import SERVICE_COLUMNS, MeasurementForm, MeasurementUploadForm
from paceline.success.models import MeasurementSource, SuccessMetric
from paceline.success.views.common import (
    attach_errors,
    measurement_or_404,
    metric_or_404,
    plan_or_404,
    plan_url,
    wants_fragment,
    web_actor,
)
from paceline.success.views.metrics import card_response, metric_anchor
from paceline.users.permissions import writer_required


@writer_required
@require_POST
def measurement_record(request: HttpRequest, plan_id: int, metric_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    metric = metric_or_404(plan, metric_id)
    form = MeasurementForm(request.POST, metric=metric)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.measurement_record(actor=web_actor(request), metric=metric, measured_on=data["measured_on"],
                                        value=data["value"], note=data["note"], source=MeasurementSource.MANUAL)
        except ValidationError as error:
            attach_errors(form, error)
    if form.errors:
        return card_response(request, plan, metric.pk, form=form, status=400)
    if not wants_fragment(request):
        messages.success(request, f"Recorded {form.data.get(form.add_prefix('value'))} for “{metric.name}”.")
        return redirect(plan_url(plan, metric_anchor(metric)))
    return card_response(request, plan, metric.pk)


@writer_required
@require_POST
def measurement_delete(request: HttpRequest, plan_id: int, metric_id: int, measurement_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    metric = metric_or_404(plan, metric_id)
    measurement = measurement_or_404(metric, measurement_id)
    services.measurement_delete(actor=web_actor(request), measurement=measurement)
    if not wants_fragment(request):
        messages.success(request, f"Deleted the measurement of {measurement.measured_on:%d %b %Y}.")
        return redirect(plan_url(plan, metric_anchor(metric)))
    return card_response(request, plan, metric.pk)


@writer_required
@require_http_methods(["GET", "POST"])
def measurements_upload(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    metrics = list(SuccessMetric.objects.filter(goal__plan=plan).select_related("goal").order_by("id"))
    for metric in metrics:
        metric.goal.plan = plan
    form = MeasurementUploadForm(request.POST or None, request.FILES or None, metrics=metrics)
    problems: list[tuple[int, str, str]] = []
    if request.method == "POST" and form.is_valid():
        problems = form.problems
        if not problems:
            try:
                written = services.measurements_record_bulk(actor=web_actor(request), rows=form.rows,
                                                            source=MeasurementSource.CSV, account=plan.account)
            except services.BulkError as error:
                problems = [(form.row_numbers[index], SERVICE_COLUMNS.get(field, field), reason)
                            for index, field, reason in error.rows]
            else:
                count = len(written)
                messages.success(request, f"Recorded {count} measurement{'s' if count != 1 else ''} from the file.")
                return redirect(plan_url(plan))
    context = {"plan": plan, "account": plan.account, "form": form, "problems": sorted(problems),
               "metrics": metrics, "nav": "book"}
    return render(request, "success/upload.html", context, status=400 if request.method == "POST" else 200)
