"""Plans: start one for an account, read it (the plan page), edit it, review it, delete it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paceline.customers.views.common import account_or_404
from paceline.success import selectors, services
from paceline.success.forms import PlanForm, PlanNewForm
from paceline.success.models import SuccessPlan
from paceline.success.views.cards import plan_context
from paceline.success.views.common import (
    form_page,
    plan_or_404,
    plan_url,
    posted,
    render_fragment,
    wants_fragment,
    web_actor,
)
from paceline.success.views.share import share_links_context
from paceline.users.permissions import can_write, writer_required


def tree_or_404(plan_id: int) -> selectors.PlanTree:
    try:
        return selectors.plan_tree(plan_id=plan_id)
    except SuccessPlan.DoesNotExist:
        raise Http404("No success plan with this id.") from None


@writer_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    form = PlanNewForm(posted(request), account=account, initial={"owner": account.owner_id or request.user.pk})

    def save(data):
        return services.plan_start(
            actor=web_actor(request), account=account, title=data["title"], template=data["template"],
            start=data["start"], summary=data["summary"], internal_notes=data["internal_notes"],
            owner=data["owner"], customer_owner=data["customer_owner"],
        )

    return form_page(
        request, form=form, save=save, plan=None, account=account,
        done=lambda plan: f"Plan “{plan.title}” created.", then=plan_url,
        title=f"New success plan for {account.name}", submit="Create plan", rename={"structure": "template"},
        intro="Start from a template of the library, or from scratch and add goals one by one.",
    )


@login_required
@require_safe
def account_plans(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    context = {"account": account, "plans": selectors.account_plans(account=account),
               "commitments": selectors.account_commitments(account=account),
               "can_write": can_write(request.user), "nav": "book"}
    return render(request, "success/account_plans.html", context)


@login_required
@require_safe
def account_plan(request: HttpRequest, pk: int, plan_id: int) -> HttpResponse:
    """A plan reached through its account's address; another account's plan is not here."""
    plan = plan_or_404(plan_id)
    if plan.account_id != pk:
        raise Http404("This account has no plan with this id.")
    return redirect(plan_url(plan))


@login_required
@require_safe
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    tree = tree_or_404(plan_id)
    writable = can_write(request.user)
    context = plan_context(tree, today=timezone.localdate(), writable=writable)
    if writable:
        context["share"] = share_links_context(tree.plan, request)
    return render(request, "success/plan.html", context)


@writer_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    form = PlanForm(posted(request), instance=plan, account=plan.account)
    return form_page(
        request, form=form, plan=plan,
        save=lambda data: services.plan_update(actor=web_actor(request), plan=plan, **data),
        done=lambda plan: f"Plan “{plan.title}” saved.", then=plan_url, title=f"Edit {plan.title}",
    )


@writer_required
@require_POST
def plan_reviewed(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Mark the plan reviewed with the customer today; HTMX gets the refreshed header."""
    plan = plan_or_404(plan_id)
    services.plan_mark_reviewed(actor=web_actor(request), plan=plan)
    if not wants_fragment(request):
        messages.success(request, f"Plan “{plan.title}” marked reviewed today.")
        return redirect(plan_url(plan))
    context = plan_context(tree_or_404(plan_id), today=timezone.localdate(), writable=True)
    return render_fragment(request, "success/plan.html#plan-header", context)


@writer_required
@require_http_methods(["GET", "POST"])
def plan_delete(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(plan_id)
    if request.method == "POST":
        services.plan_delete(actor=web_actor(request), plan=plan)
        messages.success(request, f"Plan “{plan.title}” deleted.")
        return redirect("customers:account", pk=plan.account_id)
    return render(request, "success/confirm_delete.html", {
        "plan": plan, "account": plan.account, "nav": "book", "what": f"the plan “{plan.title}”",
        "consequence": "Its goals, metrics with their measurements and history, commitments and share links go with it.",
        "cancel": plan_url(plan),
    })
