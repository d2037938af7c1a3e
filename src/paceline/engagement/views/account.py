"""An account's touchpoints and needs: CSMs and leaders apply a plan, add touchpoints, record
results, cancel, reschedule, open needs and mark them met. Viewers read them on the account page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from paceline.customers.models import Account
from paceline.engagement import services
from paceline.engagement.forms import (
    ApplyPlanForm,
    NeedForm,
    RescheduleForm,
    ResultForm,
    TouchpointForm,
)
from paceline.engagement.models import Need, Touchpoint
from paceline.engagement.views.common import (
    account_or_404,
    account_url,
    form_page,
    get_or_404,
    panel_response,
    posted,
    web_actor,
)
from paceline.users.permissions import writer_required

NAV = "book"


def _touchpoint(account: Account, touchpoint_id: int) -> Touchpoint:
    tp = get_or_404(account.touchpoints.select_related("interaction"), touchpoint_id, "touchpoint on this account")
    tp.account = account
    return tp


def _crumbs(account: Account) -> list[tuple[str, str]]:
    return [("My book", "/book/"), (account.name, account_url(account, "touchpoints"))]


@writer_required
@require_POST
def plan_apply(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    form = ApplyPlanForm(request.POST)
    if not form.is_valid():
        return panel_response(request, account, "touchpoints", error=ValidationError(form.errors.as_data()))
    plan = form.cleaned_data["plan"]
    try:
        made = services.plan_apply(actor=web_actor(request), plan=plan, account=account)
    except ValidationError as error:
        return panel_response(request, account, "touchpoints", error=error)
    done = (f"Plan “{plan.name}” applied: {len(made)} touchpoint{'s' if len(made) != 1 else ''} planned."
            if made else f"Plan “{plan.name}” adds nothing: its touchpoints this term are planned or passed.")
    return panel_response(request, account, "touchpoints", done=done)


@writer_required
@require_http_methods(["GET", "POST"])
def touchpoint_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    form = TouchpointForm(posted(request))
    return form_page(
        request, form=form, title=f"New touchpoint with {account.name}", submit="Add touchpoint",
        save=lambda data: services.touchpoint_create(actor=web_actor(request), account=account,
                                                     **form.service_fields(account)),
        done=lambda tp: f"Touchpoint “{tp.name}” planned for {tp.due_date:%Y-%m-%d}.",
        then=lambda tp: account_url(account, "touchpoints"), crumbs=_crumbs(account), nav=NAV,
    )


@writer_required
@require_http_methods(["GET", "POST"])
def touchpoint_result(request: HttpRequest, pk: int, touchpoint_id: int) -> HttpResponse:
    account = account_or_404(pk)
    tp = _touchpoint(account, touchpoint_id)
    intro = f"Expected: {tp.expected_result}" if tp.expected_result else ""
    return form_page(
        request, form=ResultForm(posted(request), initial={"result": tp.result}), title=f"Record the result of {tp.name}",
        submit="Keep the touchpoint", intro=intro,
        save=lambda data: services.touchpoint_record_result(actor=web_actor(request), touchpoint=tp, **data),
        done=lambda t: f"Touchpoint “{t.name}” kept.", then=lambda t: account_url(account, "touchpoints"),
        crumbs=_crumbs(account), nav=NAV,
    )


@writer_required
@require_http_methods(["GET", "POST"])
def touchpoint_reschedule(request: HttpRequest, pk: int, touchpoint_id: int) -> HttpResponse:
    account = account_or_404(pk)
    tp = _touchpoint(account, touchpoint_id)
    def save(data):
        data["owner"] = data.get("owner") or tp.owner
        return services.touchpoint_update(actor=web_actor(request), touchpoint=tp, **data)

    form = RescheduleForm(posted(request), initial={"due_date": tp.due_date, "window_days": tp.window_days})
    return form_page(
        request, form=form, title=f"Reschedule {tp.name}", submit="Reschedule", save=save,
        done=lambda t: f"Touchpoint “{t.name}” moved to {t.due_date:%Y-%m-%d}.",
        then=lambda t: account_url(account, "touchpoints"), crumbs=_crumbs(account), nav=NAV,
    )


@writer_required
@require_POST
def touchpoint_cancel(request: HttpRequest, pk: int, touchpoint_id: int) -> HttpResponse:
    account = account_or_404(pk)
    tp = _touchpoint(account, touchpoint_id)
    try:
        services.touchpoint_cancel(actor=web_actor(request), touchpoint=tp)
    except ValidationError as error:
        return panel_response(request, account, "touchpoints", error=error)
    return panel_response(request, account, "touchpoints", done=f"Touchpoint “{tp.name}” cancelled.")


@writer_required
@require_http_methods(["GET", "POST"])
def need_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    return form_page(
        request, form=NeedForm(posted(request), account=account), title=f"Note a need of {account.name}",
        submit="Open need",
        save=lambda data: services.need_open(actor=web_actor(request), account=account, **data),
        done=lambda need: f"Need in {need.area.name} opened.", then=lambda need: account_url(account, "help"),
        crumbs=[("My book", "/book/"), (account.name, account_url(account, "help"))], nav=NAV,
    )


@writer_required
@require_POST
def need_met(request: HttpRequest, pk: int, need_id: int) -> HttpResponse:
    account = account_or_404(pk)
    need = get_or_404(Need.objects.select_related("area").filter(account=account), need_id, "need on this account")
    try:
        services.need_meet(actor=web_actor(request), need=need)
    except ValidationError as error:
        return panel_response(request, account, "help", error=error)
    return panel_response(request, account, "help", done=f"Need in {need.area.name} met.")
