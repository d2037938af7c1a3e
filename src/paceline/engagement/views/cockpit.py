"""My work: the cockpit page and its one-click actions.

Each action is a plain POST that redirects back (works without JavaScript); with HTMX it swaps
only the item's row. Who may act is ``cockpit.can_act``: a CSM on their own items, a CS leader
on anyone's, a viewer on none. Bad input comes back as the row with the field's error (400).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from paceline.core.services import Actor
from paceline.customers import services as customer_services
from paceline.customers.forms import attach_service_errors
from paceline.engagement import cockpit
from paceline.engagement import services as engagement_services
from paceline.users.permissions import is_leader, writer_required

SNOOZE_CHOICES = [("1", "+1 day"), ("7", "+1 week")]


class DaysForm(forms.Form):
    days = forms.IntegerField(min_value=0, max_value=cockpit.MAX_DAYS_AHEAD, required=False,
                              label="Days ahead")


class SnoozeForm(forms.Form):
    days = forms.TypedChoiceField(choices=SNOOZE_CHOICES, coerce=int)


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=cockpit.assignees(), empty_label=None,
                                   error_messages={"invalid_choice": "Choose an active CSM or CS leader."})


class ResultForm(forms.Form):
    result = forms.CharField(max_length=2000, strip=True,
                             error_messages={"required": "Say what came of it: a touchpoint is kept with its result."})


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, via="web")


def _fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


# The page ----------------------------------------------------------------------------------------


def _page_context(request: HttpRequest, *, team: bool, days: int) -> dict:
    items = cockpit.work_items(owner_ids=None if team else [request.user.pk], days_ahead=days)
    for item in items:
        item.actionable = cockpit.can_act(request.user, item.obj.owner_id)
    can_write = request.user.can_write
    return {
        "nav": "work",
        "team": team,
        "days": days,
        "buckets": cockpit.work_buckets(items),
        "count": len(items),
        "summary": cockpit.team_summary(days_ahead=days) if team else None,
        "people": list(cockpit.assignees()) if can_write else [],
        "snooze_choices": SNOOZE_CHOICES,
        "can_write": can_write,
        "is_leader": is_leader(request.user),
        "back": request.get_full_path(),
        "max_days": cockpit.MAX_DAYS_AHEAD,
    }


@login_required
@require_GET
def work(request: HttpRequest, team: bool = False) -> HttpResponse:
    """My work (or, for a CS leader, the team's: ``?who=team`` or ``/work/team/``)."""
    team = team or request.GET.get("who") == "team"
    if team and not is_leader(request.user):
        raise PermissionDenied("Only a CS leader sees the team's work.")
    form = DaysForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    days = (form.cleaned_data.get("days") if valid and form.is_bound else None)
    days = cockpit.DEFAULT_DAYS_AHEAD if days is None else days
    context = _page_context(request, team=team, days=days)
    context["days_form"] = form
    response = render(request, "engagement/cockpit.html", context, status=200 if valid else 400)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Actions -----------------------------------------------------------------------------------------


def _open_item(kind: str, pk: int, user) -> cockpit.WorkItem:
    item = cockpit.work_item(kind=kind, pk=pk)
    if item is None:
        raise Http404(f"No open {kind} with id {pk}.")
    if not cockpit.can_act(user, item.obj.owner_id):
        raise PermissionDenied("You may act on your own work only.")
    item.actionable = True
    return item


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("engagement:work")


def _act(request: HttpRequest, item: cockpit.WorkItem, form: forms.Form,
         do: Callable[[dict], str]) -> HttpResponse:
    """Validate ``form``, run ``do`` (one service call, returning what to say), answer with the
    row (HTMX) or a redirect; on bad input the row or the page with the field's error, 400."""
    message = None
    if form.is_valid():
        try:
            message = do(form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
    if message is None:
        return _refused(request, item, form)
    if not _fragment(request):
        messages.success(request, message)
        return redirect(_back(request))
    response = render(request, "engagement/cockpit_row.html#done", {"item": item, "message": message})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _refused(request: HttpRequest, item: cockpit.WorkItem, form: forms.Form) -> HttpResponse:
    if _fragment(request):
        context = {"item": item, "form": form, "people": list(cockpit.assignees()), "can_write": True,
                   "snooze_choices": SNOOZE_CHOICES, "back": _back(request)}
        return render(request, "engagement/cockpit_row.html", context, status=400)
    for field, errors in form.errors.items():
        label = "" if field == "__all__" else f"{field.replace('_', ' ').capitalize()}: "
        messages.error(request, f"“{item.title}”: {label}{' '.join(errors)}")
    back = _back(request)
    team = is_leader(request.user) and (back.startswith(reverse("engagement:work_team")) or "who=team" in back)
    context = _page_context(request, team=team, days=cockpit.DEFAULT_DAYS_AHEAD)
    context.update(days_form=DaysForm(), back=back)  # the page's forms return to it, not to this POST
    return render(request, "engagement/cockpit.html", context, status=400)


@writer_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _open_item("task", pk, request.user)

    def do(data: dict) -> str:
        customer_services.task_complete(actor=_actor(request), task=item.obj)
        return f"Completed “{item.title}”."

    return _act(request, item, forms.Form(request.POST), do)


@writer_required
@require_POST
def task_snooze(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the due date a day or a week on, from today when the task is already late."""
    item = _open_item("task", pk, request.user)

    def do(data: dict) -> str:
        start = max(item.obj.due_date, timezone.localdate())
        due = start + dt.timedelta(days=data["days"])
        customer_services.task_update(actor=_actor(request), task=item.obj, due_date=due)
        return f"Snoozed “{item.title}” to {due:%Y-%m-%d}."

    return _act(request, item, SnoozeForm(request.POST), do)


def _reassign(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = _open_item(kind, pk, request.user)
    update = customer_services.task_update if kind == "task" else engagement_services.touchpoint_update

    def do(data: dict) -> str:
        update(actor=_actor(request), **{kind: item.obj}, owner=data["owner"])
        return f"Reassigned “{item.title}” to {data['owner']}."

    return _act(request, item, ReassignForm(request.POST), do)


@writer_required
@require_POST
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    return _reassign(request, "task", pk)


@writer_required
@require_POST
def touchpoint_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    return _reassign(request, "touchpoint", pk)


@writer_required
@require_POST
def touchpoint_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep the touchpoint with its result; the service logs the conversation on the timeline."""
    item = _open_item("touchpoint", pk, request.user)

    def do(data: dict) -> str:
        engagement_services.touchpoint_complete(actor=_actor(request), touchpoint=item.obj, result=data["result"])
        return f"Kept “{item.title}”: logged on {item.account.name}'s timeline."

    return _act(request, item, ResultForm(request.POST), do)
