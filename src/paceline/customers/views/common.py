"""What every customer page shares: the two shapes of an HTMX page, the actor, form handling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from paceline.core.services import Actor
from paceline.customers import selectors
from paceline.customers.forms import attach_service_errors
from paceline.customers.models import Account


def wants_fragment(request: HttpRequest) -> bool:
    """An HTMX request gets the fragment, except when HTMX restores history and needs the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_two_shapes(
    request: HttpRequest, page: str, fragment: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """``fragment`` names a partial, e.g. ``customers/book.html#results``."""
    name = fragment if wants_fragment(request) else page
    response = render(request, name, context, status=status)
    # Caches must not hand the fragment to a full-page request for the same URL, or the reverse.
    patch_vary_headers(response, ["HX-Request"])
    return response


def web_actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, via="web")


def account_or_404(pk: int) -> Account:
    try:
        return selectors.account_get(pk=pk)
    except Account.DoesNotExist:
        raise Http404("No account with this id.") from None


def form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    success: Callable[[Any], str],
    account: Account | None,
    title: str,
    submit: str = "Save",
    intro: str = "",
    redirect_to: Callable[[Any], str] | None = None,
) -> HttpResponse:
    """Show a form; on a valid POST hand its data to ``save`` (a service call) and redirect.

    A service's ValidationError lands next to the fields it names, with status 400; the service's
    transaction has rolled back, so nothing was saved.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, success(result))
            if redirect_to is not None:
                return redirect(redirect_to(result))
            return redirect("customers:account", pk=account.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "account": account, "title": title, "submit": submit, "intro": intro, "nav": "book"}
    return render(request, "customers/form.html", context, status=status)


def posted(request: HttpRequest):
    """The POST data to bind a form to, or None on GET (an empty POST still binds and fails)."""
    return request.POST if request.method == "POST" else None
