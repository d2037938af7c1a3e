"""What the engagement pages share: records looked up under their parent, one form page shape,
and the account panels re-rendered after an HTMX action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from paceline.customers.forms import attach_service_errors
from paceline.customers.models import Account
from paceline.customers.views.common import account_or_404, posted, wants_fragment, web_actor
from paceline.engagement import panels

__all__ = ["account_or_404", "posted", "wants_fragment", "web_actor"]


def get_or_404(qs, pk: int, label: str) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No {label} with this id.")
    return obj


def account_url(account: Account, panel: str) -> str:
    return reverse("customers:account", args=[account.pk]) + f"#panel-{panel}"


def form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
    then: Callable[[Any], str],
    title: str,
    crumbs: list[tuple[str, str]],
    nav: str,
    submit: str = "Save",
    intro: str = "",
    cancel: str = "",
) -> HttpResponse:
    """Show a form; on a valid POST hand its data to ``save`` (one service call) and redirect.

    A service's refusal lands next to the fields it names, status 400; its transaction rolled
    back, so nothing was saved.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, done(result))
            return redirect(then(result))
    context = {"form": form, "title": title, "crumbs": crumbs, "nav": nav, "submit": submit, "intro": intro,
               "cancel": cancel or (crumbs[-1][1] if crumbs else "")}
    return render(request, "engagement/form.html", context, status=400 if request.method == "POST" else 200)


PANEL_CONTEXT = {"touchpoints": panels.touchpoints_context, "help": panels.help_context}
PANEL_TEMPLATE = {"touchpoints": "engagement/panel_touchpoints.html", "help": "engagement/panel_help.html"}


def panel_response(request: HttpRequest, account: Account, key: str, *, done: str = "",
                   error: ValidationError | None = None) -> HttpResponse:
    """After a one-click action: the panel itself for HTMX, else back to the account page."""
    problems = _messages(error) if error is not None else []
    if not wants_fragment(request):
        for problem in problems:
            messages.error(request, problem)
        if done and not problems:
            messages.success(request, done)
        return redirect(account_url(account, key))
    context = {"account": account, "can_write": True, "panel": PANEL_CONTEXT[key](request, account),
               "problems": problems, "done": "" if problems else done}
    response = render(request, PANEL_TEMPLATE[key], context, status=400 if problems else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    return [f"{name.replace('_', ' ').capitalize()}: {m}" if name != "__all__" else m
            for name, msgs in error.message_dict.items() for m in msgs]
