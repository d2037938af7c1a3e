"""What a CSM does from the account page's Automation panel: snooze a rule, start a playbook."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from paceline.automation import services
from paceline.automation.forms import SnoozeForm, StartPlaybookForm
from paceline.automation.models import Snooze
from paceline.automation.views.common import flash_refusal, get_or_404, web_actor
from paceline.customers.models import Account
from paceline.users.permissions import writer_required


def _panel(account: Account) -> str:
    return reverse("customers:account", args=[account.pk]) + "#panel-automation"


def _form_refused(request: HttpRequest, form) -> None:
    for name, errors in form.errors.items():
        for message in errors:
            messages.error(request, f"{name.replace('_', ' ').capitalize()}: {message}")


@writer_required
@require_POST
def snooze_set(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_or_404(Account, pk, "account")
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect(_panel(account))
    try:
        snooze = services.snooze_set(actor=web_actor(request), account=account, **form.cleaned_data)
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, f"“{snooze.rule.name}” snoozed for {account.name} until {snooze.until:%-d %b %Y}.")
    return redirect(_panel(account))


@writer_required
@require_POST
def snooze_clear(request: HttpRequest, pk: int, snooze_id: int) -> HttpResponse:
    account = get_or_404(Account, pk, "account")
    snooze = get_or_404(Snooze.objects.filter(account=account).select_related("rule"), snooze_id, "snooze")
    services.snooze_clear(actor=web_actor(request), snooze=snooze)
    messages.success(request, f"“{snooze.rule.name}” is awake again for {account.name}.")
    return redirect(_panel(account))


@writer_required
@require_POST
def playbook_start(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_or_404(Account, pk, "account")
    form = StartPlaybookForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect(_panel(account))
    try:
        run = services.playbook_start(actor=web_actor(request), account=account, **form.cleaned_data)
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, f"“{run.playbook.name}” started: {run.items.count()} tasks and touchpoints made.")
    return redirect(_panel(account))


