"""Rules: everyone signed in reads them and their firing log; CS leaders write them.

The editor renders the chosen trigger's declared parameters, conditions as rows and actions as
rows with their own declared parameters; changing the trigger or an action's type swaps that
fieldset over HTMX. Saving goes through ``services.rule_create/rule_update``; each error the
service names (``conditions[2].value``) is shown on its row and nothing is saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paceline.automation import selectors, services, tasks, triggers
from paceline.automation.forms import RuleForm, action_row, editor_rows, param_fields, read_rule
from paceline.automation.models import FiringStatus, Rule
from paceline.automation.views.common import get_or_404, web_actor
from paceline.customers.forms import attach_service_errors
from paceline.users.permissions import can_write, is_leader, leader_required

FIRINGS_PER_PAGE = 50


@login_required
@require_safe
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = list(selectors.rules_list())
    for rule in rules:
        rule.trigger_text = selectors.describe_trigger(rule)
        rule.conditions_text = selectors.describe_conditions(rule)
        rule.action_labels = selectors.describe_actions(rule)
    return render(request, "automation/rules.html", {"rules": rules, "is_leader": is_leader(request.user),
                                                     "nav": "automation"})


def _rule_url(rule: Rule) -> str:
    return reverse("automation:rule", args=[rule.pk])


def _editor(request: HttpRequest, *, rule: Rule | None) -> HttpResponse:
    initial = RuleForm.initial_for(rule) if rule else {"trigger": next(iter(triggers.TRIGGERS))}
    form = RuleForm(request.POST if request.method == "POST" else None, initial=initial)
    if rule is not None:
        data = {"trigger": rule.trigger, "trigger_params": rule.trigger_params, "conditions": rule.conditions,
                "actions": rule.actions}
    else:
        data = {"trigger": initial["trigger"], "trigger_params": {}, "conditions": [], "actions": []}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = {"trigger": request.POST.get("trigger", ""), **read_rule(request.POST)}
        if form.is_valid():
            fields = {**form.cleaned_data, **data}
            try:
                saved = (services.rule_update(actor=web_actor(request), rule=rule, **fields) if rule
                         else services.rule_create(actor=web_actor(request), **fields))
            except ValidationError as error:
                errors = error.message_dict
                attach_service_errors(form, ValidationError(
                    {k: v for k, v in errors.items() if k in form.fields}))
            else:
                messages.success(request, f"Rule “{saved.name}” saved.")
                return redirect(_rule_url(saved))
    context = {"form": form, "rule": rule, "errors": errors, "nav": "automation",
               "title": f"Edit {rule.name}" if rule else "New rule", **editor_rows(data, errors)}
    return render(request, "automation/rule_form.html", context, status=400 if request.method == "POST" else 200)


@leader_required
@require_http_methods(["GET", "POST"])
def rule_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, rule=None)


@leader_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    return _editor(request, rule=get_or_404(Rule, rule_id, "rule"))


@leader_required
@require_safe
def trigger_params(request: HttpRequest) -> HttpResponse:
    """The parameters fieldset of the trigger chosen in the editor (an HTMX swap)."""
    trigger = triggers.TRIGGERS.get(request.GET.get("trigger", ""))
    context = {"trigger_obj": trigger, "trigger_params": param_fields(trigger.params, {}, {}, "tp-") if trigger else []}
    return render(request, "automation/_trigger_params.html", context)


@leader_required
@require_safe
def action_params(request: HttpRequest, row: int) -> HttpResponse:
    """The parameters of the action type chosen on one row of the editor (an HTMX swap)."""
    context = {"row": action_row(row, request.GET.get(f"act-{row}-type", ""), {}, {})}
    return render(request, "automation/_action_params.html", context)


@login_required
@require_safe
def rule_detail(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_or_404(Rule, rule_id, "rule")
    status = request.GET.get("status", "")
    status = status if status in FiringStatus.values else ""
    page = Paginator(selectors.firings(rule=rule, status=status), FIRINGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "rule": rule, "page": page, "status": status, "statuses": FiringStatus.choices,
        "trigger_text": selectors.describe_trigger(rule), "conditions_text": selectors.describe_conditions(rule),
        "action_labels": selectors.describe_actions(rule), "snoozes": selectors.snoozes(rule=rule),
        "is_leader": is_leader(request.user), "can_write": can_write(request.user), "nav": "automation",
    }
    return render(request, "automation/rule.html", context)


@leader_required
@require_POST
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_or_404(Rule, rule_id, "rule")
    services.rule_update(actor=web_actor(request), rule=rule, active=not rule.active)
    messages.success(request, f"Rule “{rule.name}” {'switched on' if rule.active else 'switched off'}.")
    return redirect(_rule_url(rule))


@leader_required
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_or_404(Rule, rule_id, "rule")
    if request.method == "POST":
        services.rule_delete(actor=web_actor(request), rule=rule)
        messages.success(request, f"Rule “{rule.name}” deleted, with its firing log.")
        return redirect("automation:rules")
    return render(request, "automation/confirm_delete.html", {
        "thing": rule.name, "back": _rule_url(rule), "nav": "automation",
        "consequence": f"Its firing log ({rule.firings.count()} firings) and snoozes go with it; what it already "
                       "did (tasks, runs, deliveries) stays."})


@leader_required
@require_POST
def rules_run_now(request: HttpRequest) -> HttpResponse:
    """Queue the daily scan of the scheduled rules now rather than at 06:00."""
    tasks.rules_daily.enqueue()
    messages.success(request, "The scheduled rules will run in a moment; their firings appear in each rule's log.")
    return redirect("automation:rules")
