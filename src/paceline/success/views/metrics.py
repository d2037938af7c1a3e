"""Success metrics and their measurements.

A metric is added or edited with its checkpoints (laps) on one page; an agreed target changes only
by renegotiation. A measurement is recorded from the metric's card by HTMX: the response is the
card again (status, numbers, chart) plus the plan's pace counts swapped out of band.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_safe

from paceline.success import services
from paceline.success.forms import (
    MeasurementForm,
    MetricForm,
    RenegotiateForm,
    checkpoint_formset,
    checkpoints_from,
)
from paceline.success.models import SuccessMetric, SuccessPlan
from paceline.success.pacing import format_value
from paceline.success.views.cards import RENEGOTIABLE, plan_context
from paceline.success.views.common import (
    attach_errors,
    form_page,
    goal_or_404,
    metric_or_404,
    plan_or_404,
    plan_url,
    posted,
    refused,
    render_fragment,
    wants_fragment,
    web_actor,
)
from paceline.success.views.plans import tree_or_404
from paceline.users.permissions import can_write, writer_required

METRIC_FIELDS = ("unit", "direction", "baseline", "baseline_date", "target", "target_date", "currency",
                 "denominator", "source", "source_params")


def metric_anchor(metric: SuccessMetric) -> str:
    return f"metric-{metric.pk}"


def _metric_form_page(request, *, plan: SuccessPlan, form: MetricForm, formset, save, title: str, submit: str,
                      done: str, intro: str = "", metric: SuccessMetric | None = None) -> HttpResponse:
    """The metric form and its checkpoint rows, validated together and saved in one service call."""
    ready = None
    laps = None
    if request.method == "POST":
        form_ok = form.is_valid()
        laps = checkpoints_from(formset, form.cleaned_data.get("unit"))
        ready = form_ok and laps is not None

    def on_error(error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            attach_errors(form, error)
            return
        errors = dict(error.message_dict)
        formset.non_form_errors().extend(errors.pop("checkpoints", []))
        if errors:
            attach_errors(form, ValidationError(errors))

    return form_page(
        request, form=form, plan=plan, ready=ready, save=lambda data: save(data, laps), on_error=on_error,
        done=lambda m: done.format(name=m.name), then=lambda m: plan_url(plan, metric_anchor(m)),
        title=title, submit=submit, intro=intro, template="success/metric_form.html",
        extra={"formset": formset, "metric": metric},
    )


def _fields(data: dict) -> dict:
    return {name: data[name] for name in METRIC_FIELDS}


@writer_required
@require_http_methods(["GET", "POST"])
def metric_new(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    goal = goal_or_404(plan, goal_id)
    form = MetricForm(posted(request), initial={"target_date": goal.target_date})
    formset = checkpoint_formset(posted(request))
    return _metric_form_page(
        request, plan=plan, form=form, formset=formset,
        save=lambda data, laps: services.metric_create(actor=web_actor(request), goal=goal, name=data["name"],
                                                       checkpoints=laps, **_fields(data)),
        title=f"New metric for “{goal.title}”", submit="Add metric", done="Metric “{name}” added.",
        intro="A number that says whether the goal is met: where the customer starts, where they want to be, "
              "by when, and the laps on the way.",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def metric_edit(request: HttpRequest, plan_id: int, metric_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    metric = metric_or_404(plan, metric_id)
    locked = metric.goal.status in RENEGOTIABLE
    hint = ""
    if locked:
        url = reverse("success:metric_renegotiate", args=[plan.pk, metric.pk])
        hint = format_html('Agreed with the customer: change it by <a href="{}">renegotiating</a>, '
                           "so the history is kept.", url)
    form = MetricForm(posted(request), initial=MetricForm.initial_for(metric), locked_hint=hint)
    formset = checkpoint_formset(posted(request), metric)
    return _metric_form_page(
        request, plan=plan, form=form, formset=formset, metric=metric,
        save=lambda data, laps: services.metric_update(actor=web_actor(request), metric=metric, name=data["name"],
                                                       checkpoints=laps, **_fields(data)),
        title=f"Edit {metric.name}", submit="Save", done="Metric “{name}” saved.",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def metric_delete(request: HttpRequest, plan_id: int, metric_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    metric = metric_or_404(plan, metric_id)
    if request.method == "POST":
        services.metric_delete(actor=web_actor(request), metric=metric)
        messages.success(request, f"Metric “{metric.name}” deleted.")
        return redirect(plan_url(plan))
    return render(request, "success/confirm_delete.html", {
        "plan": plan, "account": plan.account, "nav": "book", "what": f"the metric “{metric.name}”",
        "consequence": "Its measurements, checkpoints and renegotiation history go with it.",
        "cancel": plan_url(plan, metric_anchor(metric)),
    })


@writer_required
@require_http_methods(["GET", "POST"])
def metric_renegotiate(request: HttpRequest, plan_id: int, metric_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    metric = metric_or_404(plan, metric_id)
    if metric.goal.status not in RENEGOTIABLE:
        error = ValidationError({"status": f"The goal is {metric.goal.get_status_display().lower()}: only the "
                                           "target of an agreed or active goal is renegotiated. A proposed goal's "
                                           "metric is edited directly."})
        return refused(request, plan, error, title=f"“{metric.name}” is not renegotiated")
    form = RenegotiateForm(posted(request), metric=metric, account=plan.account)

    def save(data):
        return services.metric_renegotiate(actor=web_actor(request), metric=metric, **data)

    return form_page(
        request, form=form, plan=plan, save=save,
        done=lambda change: f"“{metric.name}” renegotiated: {format_value(metric.unit, change.old_target, metric.currency)}"
                            f" → {format_value(metric.unit, change.new_target, metric.currency)}.",
        then=lambda change: plan_url(plan, metric_anchor(metric)),
        rename={"target": "new_target", "target_date": "new_target_date", "denominator": "new_denominator"},
        title=f"Renegotiate “{metric.name}”", submit="Record the new target",
        intro="Both sides agree a new target. The old one, the reason, who agreed and what stayed the same "
              "are kept in the metric's history.",
        extra={"metric": metric},
    )


def card_response(request: HttpRequest, plan: SuccessPlan, metric_id: int, *, form: MeasurementForm | None = None,
                   status: int = 200) -> HttpResponse:
    """The metric's card: HTMX gets it with the plan's pace swapped out of band; a page otherwise."""
    tree = tree_or_404(plan.pk)
    forms = {metric_id: form} if form is not None else None
    context = plan_context(tree, today=timezone.localdate(), writable=can_write(request.user), forms=forms)
    metric = next(m for m in tree.metrics if m.pk == metric_id)
    goal = next(g for g in tree.all_goals if g.pk == metric.goal_id)
    context.update(metric=metric, card=metric.card, goal=goal)
    if wants_fragment(request):
        return render_fragment(request, "success/_metric_swap.html", context, status=status)
    return render_fragment(request, "success/metric.html", context, status=status)


@login_required
@require_safe
def metric_detail(request: HttpRequest, plan_id: int, metric_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    metric = metric_or_404(plan, metric_id)
    return card_response(request, plan, metric.pk)
