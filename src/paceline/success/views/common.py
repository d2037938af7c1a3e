"""What every success plan page shares: finding records under their parent, forms, two shapes.

Every record is looked up *under* the one its URL names: a goal under its plan, a plan under its
account. An id of another plan or account is a 404, so no URL reaches what it does not name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from paceline.core.services import Actor
from paceline.customers.forms import attach_service_errors
from paceline.customers.views.common import wants_fragment
from paceline.success.models import (
    ActionItem,
    Goal,
    Measurement,
    PlanTemplate,
    SuccessMetric,
    SuccessPlan,
)

__all__ = ["wants_fragment"]


def web_actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, via="web")


def plan_or_404(plan_id: int) -> SuccessPlan:
    try:
        return SuccessPlan.objects.select_related("account").get(pk=plan_id)
    except SuccessPlan.DoesNotExist:
        raise Http404("No success plan with this id.") from None


def goal_or_404(plan: SuccessPlan, goal_id: int) -> Goal:
    try:
        goal = Goal.objects.select_related("parent").get(pk=goal_id, plan=plan)
    except Goal.DoesNotExist:
        raise Http404("This plan has no goal with this id.") from None
    goal.plan = plan
    return goal


def metric_or_404(plan: SuccessPlan, metric_id: int) -> SuccessMetric:
    try:
        metric = SuccessMetric.objects.select_related("goal").get(pk=metric_id, goal__plan=plan)
    except SuccessMetric.DoesNotExist:
        raise Http404("This plan has no metric with this id.") from None
    metric.goal.plan = plan
    return metric


def measurement_or_404(metric: SuccessMetric, measurement_id: int) -> Measurement:
    try:
        measurement = Measurement.objects.get(pk=measurement_id, metric=metric)
    except Measurement.DoesNotExist:
        raise Http404("This metric has no measurement with this id.") from None
    measurement.metric = metric
    return measurement


def action_or_404(plan: SuccessPlan, action_id: int) -> ActionItem:
    try:
        action = ActionItem.objects.select_related("goal").get(pk=action_id, goal__plan=plan)
    except ActionItem.DoesNotExist:
        raise Http404("This plan has no action item with this id.") from None
    action.goal.plan = plan
    return action


def template_or_404(template_id: int) -> PlanTemplate:
    try:
        return PlanTemplate.objects.get(pk=template_id)
    except PlanTemplate.DoesNotExist:
        raise Http404("No plan template with this id.") from None


def posted(request: HttpRequest):
    """The POST data to bind a form to, or None on GET (an empty POST still binds and fails)."""
    return request.POST if request.method == "POST" else None


def attach_errors(form: forms.Form, error: ValidationError, rename: dict[str, str] | None = None) -> None:
    """A service's errors next to the form's fields, renaming the service's names to the form's."""
    if rename and hasattr(error, "error_dict"):
        error = ValidationError({rename.get(name, name): messages for name, messages in error.message_dict.items()})
    attach_service_errors(form, error)


def plan_url(plan: SuccessPlan, anchor: str = "") -> str:
    return reverse("success:plan", args=[plan.pk]) + (f"#{anchor}" if anchor else "")


def form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
    then: Callable[[Any], str],
    plan: SuccessPlan | None,
    title: str,
    account=None,
    submit: str = "Save",
    intro: str = "",
    rename: dict[str, str] | None = None,
    ready: bool | None = None,
    template: str = "success/form.html",
    extra: dict[str, Any] | None = None,
    on_error: Callable[[ValidationError], None] | None = None,
) -> HttpResponse:
    """Show a form; on a valid POST hand its data to ``save`` (one service call) and redirect to
    ``then(result)`` with the message ``done(result)``.

    A refusal by the service lands next to the fields it names, with status 400; its transaction
    rolled back, so nothing was saved. ``ready`` overrides ``form.is_valid()`` when the page has
    more than one form (a metric and its checkpoint rows).
    """
    if request.method == "POST":
        valid = form.is_valid() if ready is None else ready
        if valid:
            try:
                result = save(form.cleaned_data)
            except ValidationError as error:
                if on_error is not None:
                    on_error(error)
                else:
                    attach_errors(form, error, rename)
            else:
                messages.success(request, done(result))
                return redirect(then(result))
    context = {
        "form": form, "plan": plan, "account": account or (plan.account if plan else None), "title": title,
        "submit": submit, "intro": intro, "nav": "book", **(extra or {}),
    }
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def refused(request: HttpRequest, plan: SuccessPlan, error: ValidationError, *, title: str) -> HttpResponse:
    """A one-click action the rules refuse: say why, change nothing."""
    context = {"plan": plan, "account": plan.account, "title": title, "nav": "book",
               "errors": [f"{name.replace('_', ' ').capitalize()}: {m}" if name != "__all__" else m
                          for name, msgs in error.message_dict.items() for m in msgs]
               if hasattr(error, "error_dict") else error.messages}
    return render(request, "success/refused.html", context, status=400)


def render_fragment(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
