"""What the automation pages share: the actor, lookups that 404, and a service's refusal shown."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from paceline.core.services import Actor


def web_actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, via="web")


def get_or_404(qs: QuerySet | type[Model], pk: int, label: str) -> Any:
    qs = qs.objects.all() if isinstance(qs, type) else qs
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No {label} with this id.")
    return obj


def error_messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return error.messages
    return [m if name == "__all__" else f"{name.replace('_', ' ').capitalize()}: {m}"
            for name, msgs in error.message_dict.items() for m in msgs]


def flash_refusal(request: HttpRequest, error: ValidationError) -> None:
    """A one-click action the services refused: say why on the next page; nothing changed."""
    for message in error_messages(error):
        messages.error(request, message)
