"""The catalogue of help: everyone reads it and its gaps report; CS leaders keep resources and
need areas."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paceline.engagement import selectors, services
from paceline.engagement.forms import NeedAreaForm, ResourceForm
from paceline.engagement.models import NeedArea, Resource
from paceline.engagement.views.common import form_page, get_or_404, posted, web_actor
from paceline.users.permissions import is_leader, leader_required

NAV = "resources"


def _list_url(*_) -> str:
    return reverse("engagement:resources")


def _crumbs() -> list[tuple[str, str]]:
    return [("Resources", _list_url())]


@login_required
@require_safe
def resource_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    return render(request, "engagement/resources.html", {
        "groups": selectors.resources_by_kind(include_inactive=show_all), "show_all": show_all,
        "areas": NeedArea.objects.order_by("name"), "is_leader": is_leader(request.user), "nav": NAV,
    })


@login_required
@require_safe
def gaps(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/gaps.html", {"report": selectors.gaps_report(), "nav": NAV})


@leader_required
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest) -> HttpResponse:
    return form_page(
        request, form=ResourceForm(posted(request)), title="New resource", submit="Add resource",
        save=lambda data: services.resource_create(actor=web_actor(request), **data),
        done=lambda r: f"Resource “{r.title}” added.", then=_list_url, crumbs=_crumbs(), nav=NAV,
    )


@leader_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = get_or_404(Resource.objects.all(), resource_id, "resource")
    return form_page(
        request, form=ResourceForm(posted(request), initial=ResourceForm.initial_for(resource)),
        title=f"Edit {resource.title}",
        save=lambda data: services.resource_update(actor=web_actor(request), resource=resource, **data),
        done=lambda r: f"Resource “{r.title}” saved.", then=_list_url, crumbs=_crumbs(), nav=NAV,
    )


@leader_required
@require_POST
def resource_deactivate(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = get_or_404(Resource.objects.all(), resource_id, "resource")
    services.resource_deactivate(actor=web_actor(request), resource=resource)
    messages.success(request, f"Resource “{resource.title}” is no longer offered.")
    return redirect(_list_url())


@leader_required
@require_http_methods(["GET", "POST"])
def area_new(request: HttpRequest) -> HttpResponse:
    return form_page(
        request, form=NeedAreaForm(posted(request)), title="New need area", submit="Add need area",
        save=lambda data: services.area_create(actor=web_actor(request), **data),
        done=lambda a: f"Need area “{a.name}” added.", then=_list_url, crumbs=_crumbs(), nav=NAV,
    )


@leader_required
@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, area_id: int) -> HttpResponse:
    area = get_or_404(NeedArea.objects.all(), area_id, "need area")

    def save(data):
        data["key"] = data.get("key") or area.key
        return services.area_update(actor=web_actor(request), area=area, **data)

    return form_page(
        request, form=NeedAreaForm(posted(request), initial=NeedAreaForm.initial_for(area)), title=f"Edit {area.name}",
        save=save, done=lambda a: f"Need area “{a.name}” saved.", then=_list_url, crumbs=_crumbs(), nav=NAV,
    )


@leader_required
@require_POST
def area_delete(request: HttpRequest, area_id: int) -> HttpResponse:
    area = get_or_404(NeedArea.objects.all(), area_id, "need area")
    try:
        services.area_delete(actor=web_actor(request), area=area)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Need area “{area.name}” deleted.")
    return redirect(_list_url())
