"""The catalogue of help over REST: need areas and resources (CS leaders write), an account's
needs (CSMs and leaders open them and mark them met), and the gaps report."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import PatchDict, Query, Router, Status

from paceline.core.schemas import Id, PageParams, page_of, refuse_unknown_params
from paceline.customers.models import Account
from paceline.engagement import selectors, services
from paceline.engagement.api_input import actor, get_or_404, invalid, leader_only, ref, refused
from paceline.engagement.models import Need, NeedArea, Resource
from paceline.engagement.schemas import (
    AreaChange,
    AreaIn,
    AreaOut,
    AreaPage,
    GapsOut,
    NeedIn,
    NeedOut,
    NeedPage,
    ResourceFields,
    ResourceFilters,
    ResourceOut,
    ResourcePage,
)

router = Router(tags=["Engagement"])
CATALOGUE = "the resources catalogue"


# Need areas -------------------------------------------------------------------------------------


@router.get("/need-areas", response=AreaPage, summary="List need areas")
def area_list(request: HttpRequest, page: Query[PageParams]):
    refuse_unknown_params(request)
    return page_of(NeedArea.objects.order_by("name", "id"), page)


@router.post("/need-areas", response={201: AreaOut}, summary="Add a need area (CS leaders)")
def area_create(request: HttpRequest, payload: AreaIn):
    leader_only(request, CATALOGUE)
    with refused():
        return Status(201, services.area_create(actor=actor(request), **payload.model_dump()))


@router.patch("/need-areas/{int:area_id}", response=AreaOut, summary="Change a need area (CS leaders)")
def area_update(request: HttpRequest, area_id: Id, payload: PatchDict[AreaChange]):
    leader_only(request, CATALOGUE)
    area = get_or_404(NeedArea.objects.all(), area_id, "need area")
    with refused():
        return services.area_update(actor=actor(request), area=area, **{k: v for k, v in payload.items() if v is not None})


@router.delete("/need-areas/{int:area_id}", response={204: None},
               summary="Delete a need area no account has needed (CS leaders)")
def area_delete(request: HttpRequest, area_id: Id):
    leader_only(request, CATALOGUE)
    area = get_or_404(NeedArea.objects.all(), area_id, "need area")
    with refused():
        services.area_delete(actor=actor(request), area=area)
    return Status(204, None)


# Resources --------------------------------------------------------------------------------------


def _resources():
    return Resource.objects.prefetch_related(Prefetch("areas", queryset=NeedArea.objects.order_by("pk")))


def _areas(ids: list[int]) -> list[NeedArea]:
    areas = list(NeedArea.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {a.pk for a in areas})
    if missing:
        raise invalid("area_ids", f"No need area with id {', '.join(map(str, missing))}.")
    return areas


@router.get("/resources", response=ResourcePage, summary="List resources")
def resource_list(request: HttpRequest, filters: Query[ResourceFilters], page: Query[PageParams]):
    refuse_unknown_params(request, ResourceFilters)
    qs = _resources().order_by("kind", "title", "id")
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.area_id:
        qs = qs.filter(areas=filters.area_id)
    return page_of(qs, page)


@router.post("/resources", response={201: ResourceOut}, summary="Add a resource (CS leaders)")
def resource_create(request: HttpRequest, payload: ResourceFields):
    leader_only(request, CATALOGUE)
    data = payload.model_dump()
    data["areas"] = _areas(data.pop("area_ids"))
    with refused():
        resource = services.resource_create(actor=actor(request), **data)
    return Status(201, _resources().get(pk=resource.pk))


@router.get("/resources/gaps", response=GapsOut,
            summary="Need areas × lifecycle stages with the active resources serving each; open needs with none")
def gaps(request: HttpRequest):
    report = selectors.gaps_report()
    return {
        "matrix": [
            {"area_id": area.pk, "area": area.name,
             "stages": [{"stage": stage, "resources": n} for (stage, _), n in zip(report.stages, counts, strict=True)]}
            for area, counts in report.rows
        ],
        "open_needs_without_resource": [
            {"area_id": g.area.pk, "area": g.area.name, "stage": g.stage, "segment": g.segment, "accounts": g.accounts}
            for g in report.need_gaps
        ],
    }


@router.get("/resources/{int:resource_id}", response=ResourceOut, summary="Get a resource")
def resource_get(request: HttpRequest, resource_id: Id):
    return get_or_404(_resources(), resource_id, "resource")


@router.patch("/resources/{int:resource_id}", response=ResourceOut,
              summary="Change a resource (CS leaders); set active false to stop offering it")
def resource_update(request: HttpRequest, resource_id: Id, payload: PatchDict[ResourceFields]):
    leader_only(request, CATALOGUE)
    resource = get_or_404(Resource.objects.all(), resource_id, "resource")
    data = dict(payload)
    if "area_ids" in data:
        data["areas"] = _areas(data.pop("area_ids"))
    with refused():
        services.resource_update(actor=actor(request), resource=resource, **data)
    return _resources().get(pk=resource.pk)


# An account's needs -----------------------------------------------------------------------------


def _account(account_id: int) -> Account:
    return get_or_404(Account.objects.all(), account_id, "account")


@router.get("/accounts/{int:account_id}/needs", response=NeedPage, summary="List an account's needs, open first")
def need_list(request: HttpRequest, account_id: Id, page: Query[PageParams]):
    refuse_unknown_params(request)
    return page_of(selectors.needs_of(_account(account_id)), page)


@router.post("/accounts/{int:account_id}/needs", response={201: NeedOut}, summary="Open a need on an account")
def need_open(request: HttpRequest, account_id: Id, payload: NeedIn):
    account = _account(account_id)
    area = ref(NeedArea, "area_id", payload.area_id)
    contact = ref(account.contacts.all(), "contact_id", payload.contact_id)
    with refused():
        return Status(201, services.need_open(actor=actor(request), account=account, area=area, note=payload.note,
                                              contact=contact))


@router.post("/accounts/{int:account_id}/needs/{int:need_id}/met", response=NeedOut, summary="Mark a need met")
def need_met(request: HttpRequest, account_id: Id, need_id: Id):
    need = get_or_404(Need.objects.select_related("area").filter(account_id=_account(account_id).pk), need_id,
                      "need on this account")
    with refused():
        return services.need_meet(actor=actor(request), need=need)
