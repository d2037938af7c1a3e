"""Goals and sub-goals: add, edit, delete, and their lifecycle with the customer.

proposed → agreed (by which contact, when) → active → hit / missed / retired, or changed (replaced
by a successor). After a hit the plan offers the next goal: a new-goal form prefilled from it.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from paceline.success import services
from paceline.success.forms import GoalAgreeForm, GoalCloseForm, GoalForm, GoalReplaceForm
from paceline.success.models import Goal, GoalStatus, SuccessPlan
from paceline.success.views.common import (
    form_page,
    goal_or_404,
    plan_or_404,
    plan_url,
    posted,
    refused,
    web_actor,
)
from paceline.users.permissions import writer_required


def goal_anchor(goal: Goal) -> str:
    return f"goal-{goal.pk}"


def _next_goal_initial(plan: SuccessPlan, raw: str) -> tuple[dict, str]:
    """A new goal prefilled from a hit one: same place in the tree, same span of time from today."""
    if not raw.isdigit():
        return {}, ""
    previous = Goal.objects.filter(plan=plan, pk=int(raw), status=GoalStatus.HIT).first()
    if previous is None:
        return {}, ""
    start = previous.agreed_on or previous.created_at.date()
    span = (previous.target_date - start) if previous.target_date and previous.target_date > start else dt.timedelta(90)
    initial = {"title": previous.title, "description": previous.description, "parent": previous.parent_id,
               "target_date": timezone.localdate() + span}
    closed = f" on {previous.closed_on:%d %b %Y}" if previous.closed_on else ""
    return initial, (f"“{previous.title}” was hit{closed}. Set the next goal: what does success look like now? "
                     "Change the title and the date to the new ambition.")


@writer_required
@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    initial, intro = _next_goal_initial(plan, request.GET.get("after", ""))
    parent = request.GET.get("parent", "")
    if parent.isdigit():
        initial["parent"] = int(parent)
    form = GoalForm(posted(request), plan=plan, initial=initial)

    def save(data):
        siblings = Goal.objects.filter(plan=plan, parent=data.get("parent")).count()
        return services.goal_create(actor=web_actor(request), plan=plan, position=siblings, **data)

    return form_page(
        request, form=form, plan=plan, save=save,
        done=lambda goal: f"{'Sub-goal' if goal.parent_id else 'Goal'} “{goal.title}” proposed.",
        then=lambda goal: plan_url(plan, goal_anchor(goal)),
        title="Set the next goal" if intro else ("New sub-goal" if parent.isdigit() else "New goal"),
        submit="Add goal", intro=intro or "A goal starts as proposed; agree it with the customer when they say yes.",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    goal = goal_or_404(plan, goal_id)
    form = GoalForm(posted(request), plan=plan, instance=goal)
    return form_page(
        request, form=form, plan=plan,
        save=lambda data: services.goal_update(actor=web_actor(request), goal=goal, **data),
        done=lambda goal: f"Goal “{goal.title}” saved.", then=lambda goal: plan_url(plan, goal_anchor(goal)),
        title=f"Edit {goal.title}",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def goal_delete(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    goal = goal_or_404(plan, goal_id)
    if request.method == "POST":
        services.goal_delete(actor=web_actor(request), goal=goal)
        messages.success(request, f"Goal “{goal.title}” deleted.")
        return redirect(plan_url(plan))
    return render(request, "success/confirm_delete.html", {
        "plan": plan, "account": plan.account, "nav": "book", "what": f"the goal “{goal.title}”",
        "consequence": "Its sub-goals, metrics with their measurements, and commitments go with it. "
                       "To keep the history, close it as retired instead.",
        "cancel": plan_url(plan, goal_anchor(goal)),
    })


@writer_required
@require_http_methods(["GET", "POST"])
def goal_agree(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    goal = goal_or_404(plan, goal_id)
    form = GoalAgreeForm(posted(request), account=plan.account)
    return form_page(
        request, form=form, plan=plan,
        save=lambda data: services.goal_agree(actor=web_actor(request), goal=goal, contact=data["contact"],
                                              on=data["on"]),
        done=lambda goal: f"Goal “{goal.title}” agreed with {goal.agreed_by_contact.name}.",
        then=lambda goal: plan_url(plan, goal_anchor(goal)), rename={"agreed_by_contact": "contact"},
        title=f"Agree “{goal.title}” with the customer", submit="Record the agreement",
        intro="Who on the customer's side said yes, and when. You are recorded as agreeing on our side.",
    )


@writer_required
@require_POST
def goal_start(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    goal = goal_or_404(plan, goal_id)
    try:
        services.goal_activate(actor=web_actor(request), goal=goal)
    except ValidationError as error:
        return refused(request, plan, error, title=f"“{goal.title}” cannot be started")
    messages.success(request, f"Goal “{goal.title}” is active.")
    return redirect(plan_url(plan, goal_anchor(goal)))


@writer_required
@require_http_methods(["GET", "POST"])
def goal_close(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    goal = goal_or_404(plan, goal_id)
    form = GoalCloseForm(posted(request), initial={"status": GoalStatus.HIT})

    def done(goal: Goal) -> str:
        if goal.status == GoalStatus.HIT:
            return f"Goal “{goal.title}” hit. It is on the timeline; time to set the next goal."
        return f"Goal “{goal.title}” closed as {goal.get_status_display().lower()}."

    return form_page(
        request, form=form, plan=plan,
        save=lambda data: services.goal_close(actor=web_actor(request), goal=goal, **data),
        done=done, then=lambda goal: plan_url(plan, goal_anchor(goal)),
        title=f"Close “{goal.title}”", submit="Close the goal",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def goal_replace(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    goal = goal_or_404(plan, goal_id)
    form = GoalReplaceForm(posted(request), initial={"title": goal.title, "description": goal.description,
                                                     "target_date": goal.target_date})
    return form_page(
        request, form=form, plan=plan,
        save=lambda data: services.goal_replace(actor=web_actor(request), goal=goal, **data),
        done=lambda successor: f"“{goal.title}” changed into “{successor.title}”, proposed to the customer.",
        then=lambda successor: plan_url(plan, goal_anchor(successor)),
        title=f"Replace “{goal.title}”", submit="Replace the goal",
        intro="When the goal itself changes (not just its number), it is closed as changed and its successor "
              "is proposed. To change only a target, renegotiate the metric.",
    )
