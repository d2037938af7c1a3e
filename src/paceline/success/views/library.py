"""The library of plan templates: everyone reads it; CS leaders create, edit and retire templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paceline.success import pacing, services
from paceline.success.forms import TemplateForm
from paceline.success.models import PlanTemplate
from paceline.success.plan_templates import validate_structure
from paceline.success.views.common import attach_errors, posted, template_or_404, web_actor
from paceline.users.permissions import is_leader, leader_required


def _detail_url(template: PlanTemplate) -> str:
    return reverse("success:template", args=[template.pk])


@login_required
@require_safe
def template_list(request: HttpRequest) -> HttpResponse:
    templates = PlanTemplate.objects.order_by("-is_active", "name")
    return render(request, "success/library.html", {"templates": templates, "is_leader": is_leader(request.user),
                                                    "nav": "library"})


def _preview(structure) -> list[dict]:
    """The template's goals with each metric's numbers written as people read them."""
    goals = validate_structure(structure)

    def metric(m: dict) -> dict:
        fmt = lambda v: pacing.format_value(m["unit"], v)  # noqa: E731
        return {**m, "baseline_text": fmt(m["baseline"]), "target_text": fmt(m["target"]),
                "checkpoints": [{**c, "target_text": fmt(c["target"])} for c in m["checkpoints"]]}

    def goal(g: dict) -> dict:
        return {**g, "metrics": [metric(m) for m in g["metrics"]], "subgoals": [goal(s) for s in g["subgoals"]]}

    return [goal(g) for g in goals]


@login_required
@require_safe
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    template = template_or_404(template_id)
    try:
        goals, problems = _preview(template.structure), []
    except ValidationError as error:
        goals, problems = [], error.messages
    context = {"template": template, "goals": goals, "problems": problems, "is_leader": is_leader(request.user),
               "plans_made": template.plans.count(), "nav": "library"}
    return render(request, "success/library_detail.html", context)


def _form_page(request: HttpRequest, form: TemplateForm, save, *, title: str, submit: str,
               template: PlanTemplate | None = None) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Template “{saved.name}” saved.")
            return redirect(_detail_url(saved))
    context = {"form": form, "title": title, "submit": submit, "template": template, "nav": "library"}
    return render(request, "success/library_form.html", context, status=400 if request.method == "POST" else 200)


@leader_required
@require_http_methods(["GET", "POST"])
def template_new(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(posted(request))
    return _form_page(
        request, form, lambda data: services.template_create(actor=web_actor(request), **data),
        title="New plan template", submit="Create template",
    )


@leader_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = template_or_404(template_id)
    form = TemplateForm(posted(request), initial=TemplateForm.initial_for(template))
    return _form_page(
        request, form, lambda data: services.template_update(actor=web_actor(request), template=template, **data),
        title=f"Edit {template.name}", submit="Save", template=template,
    )


@leader_required
@require_POST
def template_deactivate(request: HttpRequest, template_id: int) -> HttpResponse:
    template = template_or_404(template_id)
    services.template_deactivate(actor=web_actor(request), template=template)
    messages.success(request, f"Template “{template.name}” retired: it is no longer offered for new plans.")
    return redirect(_detail_url(template))
