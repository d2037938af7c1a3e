"""Action items: the commitments of each side, owned by one of our users or one of the customer's
contacts, with a due date; completed on a day (kept or late) or cancelled."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from paceline.success import services
from paceline.success.forms import ActionDoneForm, ActionForm
from paceline.success.models import ActionItem, Side
from paceline.success.views.common import (
    action_or_404,
    form_page,
    goal_or_404,
    plan_or_404,
    plan_url,
    posted,
    refused,
    web_actor,
)
from paceline.users.permissions import writer_required

DEFAULT_DUE_IN = dt.timedelta(days=14)


def action_anchor(action: ActionItem) -> str:
    return f"action-{action.pk}"


@writer_required
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    goal = goal_or_404(plan, goal_id)
    side = Side.CUSTOMER if request.GET.get("side") == Side.CUSTOMER else Side.VENDOR
    initial = {"side": side, "owner_user": request.user.pk, "owner_contact": plan.customer_owner_id,
               "due_on": timezone.localdate() + DEFAULT_DUE_IN}
    form = ActionForm(posted(request), account=plan.account, initial=initial)
    return form_page(
        request, form=form, plan=plan,
        save=lambda data: services.action_create(actor=web_actor(request), goal=goal, **data),
        done=lambda action: f"Commitment “{action.title}” added.",
        then=lambda action: plan_url(plan, action_anchor(action)),
        title=f"New commitment for “{goal.title}”", submit="Add commitment",
        intro="Who does what by when: one of us, or one of the customer's people.",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, plan_id: int, action_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    action = action_or_404(plan, action_id)
    form = ActionForm(posted(request), account=plan.account, instance=action)
    return form_page(
        request, form=form, plan=plan,
        save=lambda data: services.action_update(actor=web_actor(request), action=action, **data),
        done=lambda action: f"Commitment “{action.title}” saved.",
        then=lambda action: plan_url(plan, action_anchor(action)), title=f"Edit “{action.title}”",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def action_done(request: HttpRequest, plan_id: int, action_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    action = action_or_404(plan, action_id)
    form = ActionDoneForm(posted(request))

    def done(action: ActionItem) -> str:
        kept = "kept" if action.outcome == "kept" else f"done late (due {action.due_on:%d %b %Y})"
        return f"“{action.title}” {kept}."

    return form_page(
        request, form=form, plan=plan,
        save=lambda data: services.action_complete(actor=web_actor(request), action=action, **data),
        done=done, then=lambda action: plan_url(plan, action_anchor(action)),
        title=f"Complete “{action.title}”", submit="Mark done",
    )


@writer_required
@require_POST
def action_cancel(request: HttpRequest, plan_id: int, action_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    action = action_or_404(plan, action_id)
    try:
        services.action_cancel(actor=web_actor(request), action=action)
    except ValidationError as error:
        return refused(request, plan, error, title=f"“{action.title}” cannot be cancelled")
    messages.success(request, f"Commitment “{action.title}” cancelled.")
    return redirect(plan_url(plan, action_anchor(action)))
