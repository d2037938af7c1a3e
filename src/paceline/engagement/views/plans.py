"""Touchpoint plan templates: everyone reads them; CS leaders create, edit and delete plans and
their steps one by one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paceline.engagement import selectors, services
from paceline.engagement.forms import PlanForm, StepForm
from paceline.engagement.models import TouchpointPlan, TouchpointStep
from paceline.engagement.views.common import form_page, get_or_404, posted, web_actor
from paceline.users.permissions import is_leader, leader_required

NAV = "touchpoints"


def _list_url() -> str:
    return reverse("engagement:plans")


def _plan_url(plan: TouchpointPlan) -> str:
    return reverse("engagement:plan", args=[plan.pk])


def _crumbs(plan: TouchpointPlan | None = None) -> list[tuple[str, str]]:
    crumbs = [("Touchpoint plans", _list_url())]
    return crumbs + [(plan.name, _plan_url(plan))] if plan is not None else crumbs


def _plan(plan_id: int) -> TouchpointPlan:
    return get_or_404(TouchpointPlan.objects.all(), plan_id, "touchpoint plan")


def _step(plan: TouchpointPlan, step_id: int) -> TouchpointStep:
    step = get_or_404(plan.steps.all(), step_id, "step of this plan")
    step.plan = plan
    return step


@login_required
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/plans.html", {
        "plans": selectors.plans_list(), "is_leader": is_leader(request.user), "nav": NAV,
    })


@login_required
@require_safe
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    return render(request, "engagement/plan.html", {
        "plan": plan, "line": selectors.plan_line(plan), "is_leader": is_leader(request.user), "nav": NAV,
        "line_days": selectors.LINE_DAYS,
    })


@leader_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    return form_page(
        request, form=PlanForm(posted(request)), title="New touchpoint plan", submit="Create plan",
        save=lambda data: services.plan_create(actor=web_actor(request), **data),
        done=lambda plan: f"Plan “{plan.name}” created: now add its steps.", then=_plan_url,
        crumbs=_crumbs(), nav=NAV,
    )


@leader_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    return form_page(
        request, form=PlanForm(posted(request), initial=PlanForm.initial_for(plan)), title=f"Edit {plan.name}",
        save=lambda data: services.plan_update(actor=web_actor(request), plan=plan, **data),
        done=lambda p: f"Plan “{p.name}” saved.", then=_plan_url, crumbs=_crumbs(plan), nav=NAV,
    )


@leader_required
@require_http_methods(["GET", "POST"])
def plan_delete(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    if request.method == "POST":
        services.plan_delete(actor=web_actor(request), plan=plan)
        messages.success(request, f"Plan “{plan.name}” deleted; the touchpoints made from it stay on their accounts.")
        return redirect(_list_url())
    return render(request, "engagement/confirm_delete.html", {
        "title": f"Delete {plan.name}?", "crumbs": _crumbs(plan), "nav": NAV, "cancel": _plan_url(plan),
        "consequence": "Its steps are deleted. Touchpoints already planned from it stay on their accounts.",
    })


@leader_required
@require_http_methods(["GET", "POST"])
def step_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    return form_page(
        request, form=StepForm(posted(request)), title=f"New step of {plan.name}", submit="Add step",
        save=lambda data: services.step_create(actor=web_actor(request), plan=plan, **data),
        done=lambda step: f"Step “{step.name}” added.", then=lambda step: _plan_url(plan),
        crumbs=_crumbs(plan), nav=NAV,
    )


@leader_required
@require_http_methods(["GET", "POST"])
def step_edit(request: HttpRequest, plan_id: int, step_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    step = _step(plan, step_id)

    def save(data):
        if data.get("position") is None:
            data["position"] = step.position
        return services.step_update(actor=web_actor(request), step=step, **data)

    return form_page(
        request, form=StepForm(posted(request), initial=StepForm.initial_for(step)), title=f"Edit step {step.name}",
        save=save, done=lambda s: f"Step “{s.name}” saved.", then=lambda s: _plan_url(plan),
        crumbs=_crumbs(plan), nav=NAV,
        intro="Touchpoints already planned from this step keep their date; the change applies to plans applied from now on.",
    )


@leader_required
@require_POST
def step_delete(request: HttpRequest, plan_id: int, step_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    step = _step(plan, step_id)
    services.step_delete(actor=web_actor(request), step=step)
    messages.success(request, f"Step “{step.name}” deleted; touchpoints already planned from it stay.")
    return redirect(_plan_url(plan))
