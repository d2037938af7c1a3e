"""The engagement API: touchpoint plans and their steps, an account's touchpoints, resources,
need areas and needs, and my work.

Everyone signed in reads; CS leaders write plans and the catalogue; CSMs and leaders write on
accounts (viewers are refused writes by the API's authentication). Lists take ``limit`` and
``offset`` and cost a fixed number of queries.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import PatchDict, Query, Router, Status

from paceline.core.schemas import Id, PageParams, page_of, refuse_unknown_params
from paceline.customers.models import Account, Interaction
from paceline.engagement import services
from paceline.engagement.api_cockpit import router as cockpit_router
from paceline.engagement.api_input import actor, get_or_404, leader_only, ref, refused
from paceline.engagement.api_resources import router as resources_router
from paceline.engagement.models import Touchpoint, TouchpointPlan, TouchpointStep
from paceline.engagement.schemas import (
    AppliedOut,
    ApplyIn,
    PlanFields,
    PlanOut,
    PlanPage,
    ResultIn,
    StepFields,
    StepOut,
    TouchpointChange,
    TouchpointFilters,
    TouchpointIn,
    TouchpointOut,
    TouchpointPage,
)
from paceline.users.models import User

router = Router(tags=["Engagement"])
router.add_router("/", cockpit_router)
router.add_router("/", resources_router)

PLANS = "the touchpoint plans"


def _plans():
    return TouchpointPlan.objects.prefetch_related(Prefetch("steps", queryset=TouchpointStep.objects.order_by("position", "id")))


# Touchpoint plans and steps ---------------------------------------------------------------------------


@router.get("/touchpoint-plans", response=PlanPage, summary="List touchpoint plans with their steps")
def plan_list(request: HttpRequest, page: Query[PageParams]):
    refuse_unknown_params(request)
    return page_of(_plans().order_by("name", "id"), page)


@router.post("/touchpoint-plans", response={201: PlanOut}, summary="Create a touchpoint plan (CS leaders)")
def plan_create(request: HttpRequest, payload: PlanFields):
    leader_only(request, PLANS)
    with refused():
        plan = services.plan_create(actor=actor(request), **payload.model_dump())
    return Status(201, _plans().get(pk=plan.pk))


@router.get("/touchpoint-plans/{int:plan_id}", response=PlanOut, summary="Get a touchpoint plan")
def plan_get(request: HttpRequest, plan_id: Id):
    return get_or_404(_plans(), plan_id, "touchpoint plan")


@router.patch("/touchpoint-plans/{int:plan_id}", response=PlanOut, summary="Change a touchpoint plan (CS leaders)")
def plan_update(request: HttpRequest, plan_id: Id, payload: PatchDict[PlanFields]):
    leader_only(request, PLANS)
    plan = get_or_404(TouchpointPlan.objects.all(), plan_id, "touchpoint plan")
    with refused():
        services.plan_update(actor=actor(request), plan=plan, **payload)
    return _plans().get(pk=plan.pk)


@router.delete("/touchpoint-plans/{int:plan_id}", response={204: None},
               summary="Delete a touchpoint plan (CS leaders); touchpoints made from it stay")
def plan_delete(request: HttpRequest, plan_id: Id):
    leader_only(request, PLANS)
    services.plan_delete(actor=actor(request), plan=get_or_404(TouchpointPlan.objects.all(), plan_id, "touchpoint plan"))
    return Status(204, None)


def _step(plan_id: int, step_id: int) -> TouchpointStep:
    return get_or_404(TouchpointStep.objects.filter(plan_id=plan_id), step_id, "step of this plan")


@router.post("/touchpoint-plans/{int:plan_id}/steps", response={201: StepOut}, summary="Add a step (CS leaders)")
def step_create(request: HttpRequest, plan_id: Id, payload: StepFields):
    leader_only(request, PLANS)
    plan = get_or_404(TouchpointPlan.objects.all(), plan_id, "touchpoint plan")
    with refused():
        return Status(201, services.step_create(actor=actor(request), plan=plan, **payload.model_dump()))


@router.patch("/touchpoint-plans/{int:plan_id}/steps/{int:step_id}", response=StepOut,
              summary="Change a step (CS leaders); touchpoints already made keep their dates")
def step_update(request: HttpRequest, plan_id: Id, step_id: Id, payload: PatchDict[StepFields]):
    leader_only(request, PLANS)
    step = _step(plan_id, step_id)
    with refused():
        return services.step_update(actor=actor(request), step=step, **payload)


@router.delete("/touchpoint-plans/{int:plan_id}/steps/{int:step_id}", response={204: None},
               summary="Delete a step (CS leaders); touchpoints made from it stay")
def step_delete(request: HttpRequest, plan_id: Id, step_id: Id):
    leader_only(request, PLANS)
    services.step_delete(actor=actor(request), step=_step(plan_id, step_id))
    return Status(204, None)


# An account's touchpoints --------------------------------------------------------------------------


def _account(account_id: int) -> Account:
    return get_or_404(Account.objects.select_related("owner"), account_id, "account")


def _touchpoint(account: Account, touchpoint_id: int) -> Touchpoint:
    tp = get_or_404(account.touchpoints.all(), touchpoint_id, "touchpoint on this account")
    tp.account = account
    return tp


@router.get("/accounts/{int:account_id}/touchpoints", response=TouchpointPage,
            summary="List an account's touchpoints, by date")
def touchpoint_list(request: HttpRequest, account_id: Id, filters: Query[TouchpointFilters], page: Query[PageParams]):
    refuse_unknown_params(request, TouchpointFilters)
    qs = _account(account_id).touchpoints.order_by("due_date", "id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.due_from:
        qs = qs.filter(due_date__gte=filters.due_from)
    if filters.due_to:
        qs = qs.filter(due_date__lte=filters.due_to)
    return page_of(qs, page)


@router.post("/accounts/{int:account_id}/touchpoints", response={201: TouchpointOut},
             summary="Plan a touchpoint with an account")
def touchpoint_create(request: HttpRequest, account_id: Id, payload: TouchpointIn):
    account = _account(account_id)
    data = payload.model_dump()
    data["owner"] = ref(User.objects.filter(is_active=True), "owner_id", data.pop("owner_id")) or account.owner
    with refused():
        return Status(201, services.touchpoint_create(actor=actor(request), account=account, source="api", **data))


@router.patch("/accounts/{int:account_id}/touchpoints/{int:touchpoint_id}", response=TouchpointOut,
              summary="Reschedule, reassign or rename an open touchpoint")
def touchpoint_update(request: HttpRequest, account_id: Id, touchpoint_id: Id, payload: PatchDict[TouchpointChange]):
    tp = _touchpoint(_account(account_id), touchpoint_id)
    data = {k: v for k, v in payload.items() if v is not None}
    if "owner_id" in data:
        data["owner"] = ref(User.objects.filter(is_active=True), "owner_id", data.pop("owner_id"))
    with refused():
        return services.touchpoint_update(actor=actor(request), touchpoint=tp, **data)


@router.post("/accounts/{int:account_id}/touchpoints/{int:touchpoint_id}/result", response=TouchpointOut,
             summary="Record what came of a touchpoint: it is kept")
def touchpoint_result(request: HttpRequest, account_id: Id, touchpoint_id: Id, payload: ResultIn):
    tp = _touchpoint(_account(account_id), touchpoint_id)
    interaction = ref(Interaction, "interaction_id", payload.interaction_id)
    with refused():
        return services.touchpoint_record_result(actor=actor(request), touchpoint=tp, result=payload.result,
                                                 interaction=interaction)


@router.post("/accounts/{int:account_id}/touchpoints/{int:touchpoint_id}/cancel", response=TouchpointOut,
             summary="Cancel an open touchpoint")
def touchpoint_cancel(request: HttpRequest, account_id: Id, touchpoint_id: Id):
    tp = _touchpoint(_account(account_id), touchpoint_id)
    with refused():
        return services.touchpoint_cancel(actor=actor(request), touchpoint=tp)


@router.post("/accounts/{int:account_id}/touchpoint-plan", response=AppliedOut,
             summary="Apply a touchpoint plan to the account's current term (adds only what is not planned yet)")
def plan_apply(request: HttpRequest, account_id: Id, payload: ApplyIn):
    account = _account(account_id)
    plan = ref(_plans().filter(active=True), "plan_id", payload.plan_id)
    with refused():
        created = services.plan_apply(actor=actor(request), plan=plan, account=account)
    return {"plan_id": plan.pk, "account_id": account.pk, "created": created}
