"""Playbooks: CS leaders edit them and their steps; everyone reads them and their runs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paceline.automation import selectors, services
from paceline.automation.forms import STEP_CHOICES, PlaybookForm, read_steps, step_rows, steps_of
from paceline.automation.models import Playbook, PlaybookRun
from paceline.automation.views.common import flash_refusal, get_or_404, web_actor
from paceline.customers.forms import attach_service_errors
from paceline.users.permissions import can_write, is_leader, leader_required, writer_required


def _url(playbook: Playbook) -> str:
    return reverse("automation:playbook", args=[playbook.pk])


@login_required
@require_safe
def playbook_list(request: HttpRequest) -> HttpResponse:
    return render(request, "automation/playbooks.html", {"playbooks": selectors.playbooks_list(),
                                                         "is_leader": is_leader(request.user), "nav": "automation"})


@login_required
@require_safe
def playbook_detail(request: HttpRequest, playbook_id: int) -> HttpResponse:
    playbook = get_or_404(Playbook, playbook_id, "playbook")
    context = {"playbook": playbook, "steps": list(playbook.steps.all()),
               "runs": selectors.with_progress(selectors.runs(playbook=playbook)[:100]),
               "is_leader": is_leader(request.user), "can_write": can_write(request.user), "nav": "automation"}
    return render(request, "automation/playbook.html", context)


def _editor(request: HttpRequest, *, playbook: Playbook | None) -> HttpResponse:
    form = PlaybookForm(request.POST if request.method == "POST" else None, instance=playbook)
    steps = steps_of(playbook) if playbook else []
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        steps = read_steps(request.POST)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in ("name", "description", "active")}
            try:
                saved = (services.playbook_update(actor=web_actor(request), playbook=playbook, steps=steps, **fields)
                         if playbook else services.playbook_create(actor=web_actor(request), steps=steps, **fields))
            except ValidationError as error:
                errors = error.message_dict
                attach_service_errors(form, ValidationError(
                    {k: v for k, v in errors.items() if not k.startswith("steps[")}))
            else:
                messages.success(request, f"Playbook “{saved.name}” saved.")
                return redirect(_url(saved))
    context = {"form": form, "playbook": playbook, "rows": step_rows(steps, errors), "choices": STEP_CHOICES,
               "title": f"Edit {playbook.name}" if playbook else "New playbook", "nav": "automation"}
    return render(request, "automation/playbook_form.html", context, status=400 if request.method == "POST" else 200)


@leader_required
@require_http_methods(["GET", "POST"])
def playbook_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, playbook=None)


@leader_required
@require_http_methods(["GET", "POST"])
def playbook_edit(request: HttpRequest, playbook_id: int) -> HttpResponse:
    # A fresh instance: a refused save must not leave the form's changes on the one shown.
    return _editor(request, playbook=get_or_404(Playbook, playbook_id, "playbook"))


@leader_required
@require_POST
def playbook_delete(request: HttpRequest, playbook_id: int) -> HttpResponse:
    playbook = get_or_404(Playbook, playbook_id, "playbook")
    try:
        services.playbook_delete(actor=web_actor(request), playbook=playbook)
    except ValidationError as error:
        flash_refusal(request, error)
        return redirect(_url(playbook))
    messages.success(request, f"Playbook “{playbook.name}” deleted.")
    return redirect("automation:playbooks")


@writer_required
@require_POST
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_or_404(PlaybookRun.objects.select_related("playbook", "account"), run_id, "playbook run")
    try:
        services.playbook_run_cancel(actor=web_actor(request), run=run)
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, f"“{run.playbook.name}” stopped on {run.account.name}; its open work was cancelled.")
    return redirect(request.POST.get("next") or reverse("customers:account", args=[run.account_id]) + "#panel-automation")
