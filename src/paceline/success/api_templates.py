"""The plan-template library over REST: everyone reads, CS leaders write."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import PatchDict, Query, Router, Status
from ninja.errors import AuthorizationError

from paceline.core.schemas import PageParams, page_of, refuse_unknown_params
from paceline.success import services
from paceline.success.api_input import (
    actor,
    get_or_404,
    refused,
)
from paceline.success.models import (
    PlanTemplate,
)
from paceline.success.schemas import (
    TemplateFields,
    TemplateFilters,
    TemplateOut,
    TemplatePage,
)
from paceline.users.permissions import is_leader

templates = Router(tags=["plan templates"])


# Plan templates ---------------------------------------------------------------------------------


def _leader_only(request: HttpRequest) -> None:
    if not is_leader(request.auth):
        raise AuthorizationError(message="Only a CS leader may change the template library.")


@templates.get("", response=TemplatePage, summary="List plan templates (active ones unless asked)")
def template_list(request: HttpRequest, filters: Query[TemplateFilters], page: Query[PageParams]):
    refuse_unknown_params(request, TemplateFilters)
    return page_of(filters.filter(PlanTemplate.objects.all()), page)


@templates.post("", response={201: TemplateOut}, summary="Add a plan template (CS leaders)")
def template_create(request: HttpRequest, payload: TemplateFields):
    _leader_only(request)
    with refused():
        template = services.template_create(actor=actor(request), **payload.model_dump(exclude_unset=True))
    return Status(201, template)


@templates.get("/{int:template_id}", response=TemplateOut, summary="Get a plan template")
def template_get(request: HttpRequest, template_id: int):
    return get_or_404(PlanTemplate.objects.all(), template_id, "plan template")


@templates.patch("/{int:template_id}", response=TemplateOut, summary="Change a plan template (CS leaders)")
def template_update(request: HttpRequest, template_id: int, payload: PatchDict[TemplateFields]):
    _leader_only(request)
    template = get_or_404(PlanTemplate.objects.all(), template_id, "plan template")
    with refused():
        return services.template_update(actor=actor(request), template=template, **payload)


@templates.post(
    "/{int:template_id}/deactivate", response=TemplateOut,
    summary="Take a template out of the library (CS leaders); plans made from it are untouched",
)
def template_deactivate(request: HttpRequest, template_id: int):
    _leader_only(request)
    template = get_or_404(PlanTemplate.objects.all(), template_id, "plan template")
    return services.template_deactivate(actor=actor(request), template=template)
