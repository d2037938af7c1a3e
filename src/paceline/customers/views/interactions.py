"""Log and edit interactions on the timeline (writers only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from paceline.customers import services
from paceline.customers.forms import InteractionForm
from paceline.customers.models import Interaction
from paceline.customers.views.common import account_or_404, form_page, posted, web_actor
from paceline.users.permissions import writer_required


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = dict(data)
    return {"contacts": fields.pop("contacts"), "users": fields.pop("users")}, fields


@writer_required
@require_http_methods(["GET", "POST"])
def interaction_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    form = InteractionForm(posted(request), account=account, initial={"users": [request.user.pk]})

    def save(data):
        participants, fields = _split(data)
        return services.interaction_create(actor=web_actor(request), account=account, **participants, **fields)

    return form_page(
        request,
        form=form,
        save=save,
        success=lambda interaction: f"{interaction.get_kind_display()} “{interaction.subject}” logged.",
        account=account,
        title="Log an interaction",
        submit="Log interaction",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def interaction_edit(request: HttpRequest, pk: int, interaction_id: int) -> HttpResponse:
    account = account_or_404(pk)
    interaction = get_object_or_404(Interaction, pk=interaction_id, account=account)
    form = InteractionForm(posted(request), instance=interaction, account=account)

    def save(data):
        participants, fields = _split(data)
        return services.interaction_update(
            actor=web_actor(request), interaction=interaction, **participants, **fields
        )

    return form_page(
        request,
        form=form,
        save=save,
        success=lambda interaction: f"{interaction.get_kind_display()} “{interaction.subject}” saved.",
        account=account,
        title=f"Edit {interaction.get_kind_display().lower()}: {interaction.subject}",
    )
