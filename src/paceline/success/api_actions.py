"""Commitments (action items) of both sides over REST."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import PatchDict, Query, Router, Status

from paceline.core.schemas import PageParams, page_of, refuse_unknown_params
from paceline.customers.models import Contact
from paceline.success import services
from paceline.success.api_input import (
    actor,
    get_or_404,
    ref,
    refused,
    resolve,
)
from paceline.success.models import (
    ActionItem,
    Goal,
    Side,
)
from paceline.success.schemas import (
    ActionFields,
    ActionFilters,
    ActionIn,
    ActionOut,
    ActionPage,
    CompleteIn,
)
from paceline.users.models import User

actions = Router(tags=["action items"])


# Action items -----------------------------------------------------------------------------------


def _actions() -> QuerySet[ActionItem]:
    return ActionItem.objects.select_related("goal__plan")


def _action_fields(data: dict[str, Any]) -> dict[str, Any]:
    resolve(data, "owner_user_id", "owner_user", User)
    resolve(data, "owner_contact_id", "owner_contact", Contact)
    return data


@actions.get("", response=ActionPage, summary="List commitments (action items), soonest due first")
def action_list(request: HttpRequest, filters: Query[ActionFilters], page: Query[PageParams]):
    refuse_unknown_params(request, ActionFilters)
    return page_of(filters.filter(_actions()), page)


@actions.post("", response={201: ActionOut}, summary="Create a commitment of our team or of the customer")
def action_create(request: HttpRequest, payload: ActionIn):
    data = payload.model_dump(exclude_unset=True)
    goal = ref(Goal.objects.select_related("plan"), "goal_id", data.pop("goal_id"))
    if data["side"] == Side.VENDOR and not ({"owner_user_id", "owner_contact_id"} & set(data)):
        data["owner_user_id"] = request.auth.pk  # our commitment, made by the caller
    with refused():
        action = services.action_create(actor=actor(request), goal=goal, **_action_fields(data))
    return Status(201, action)


@actions.get("/{int:action_id}", response=ActionOut, summary="Get a commitment")
def action_get(request: HttpRequest, action_id: int):
    return get_or_404(_actions(), action_id, "action item")


@actions.patch("/{int:action_id}", response=ActionOut, summary="Change some of a commitment's fields")
def action_update(request: HttpRequest, action_id: int, payload: PatchDict[ActionFields]):
    action = get_or_404(_actions(), action_id, "action item")
    with refused():
        return services.action_update(actor=actor(request), action=action, **_action_fields(payload))


@actions.post("/{int:action_id}/complete", response=ActionOut, summary="Mark a commitment done (kept, or late)")
def action_complete(request: HttpRequest, action_id: int, payload: CompleteIn):
    action = get_or_404(_actions(), action_id, "action item")
    with refused():
        return services.action_complete(actor=actor(request), action=action, done_on=payload.done_on)


@actions.post("/{int:action_id}/cancel", response=ActionOut, summary="Cancel a commitment")
def action_cancel(request: HttpRequest, action_id: int):
    action = get_or_404(_actions(), action_id, "action item")
    with refused():
        return services.action_cancel(actor=actor(request), action=action)


@actions.delete("/{int:action_id}", response={204: None}, summary="Delete a commitment")
def action_delete(request: HttpRequest, action_id: int):
    services.action_delete(actor=actor(request), action=get_or_404(_actions(), action_id, "action item"))
    return Status(204, None)
