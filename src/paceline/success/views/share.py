"""Sharing a plan with the customer: the links our team manages, and the page a link opens.

The page behind a link needs no login, so it answers as little as it can: an unknown or tampered
token and a link that is gone each get one fixed page, whatever plan (if any) was behind it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paceline.customers.forms import attach_service_errors
from paceline.customers.views.common import render_two_shapes, wants_fragment, web_actor
from paceline.success import selectors, sharing
from paceline.success.models import ShareLink, SuccessPlan
from paceline.success.report import person_name, plan_report
from paceline.users.permissions import can_write, writer_required

# The page a customer opens: never cached, never indexed, and the token in its URL is never sent
# on as a referrer. The policy also keeps the page from reaching anything but our own server.
PUBLIC_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
}


class ShareLinkForm(forms.Form):
    label = forms.CharField(
        max_length=200, label="Who it is for", help_text="The person or team you send it to, e.g. “Jane Roe, VP Ops”.",
    )
    days = forms.IntegerField(
        min_value=1, max_value=sharing.MAX_DAYS, initial=sharing.DEFAULT_DAYS, label="Valid for (days)",
        help_text=f"From 1 to {sharing.MAX_DAYS} days.",
    )


def share_links_context(plan: SuccessPlan, request: HttpRequest, *, form: ShareLinkForm | None = None,
                        created: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``success/_share_links.html`` needs; pass it to the template as ``share``."""
    writer = can_write(request.user)
    links = list(plan.share_links.select_related("created_by").order_by("-created_at", "-id")) if writer else []
    return {"plan": plan, "links": links, "form": form or ShareLinkForm(), "created": created, "can_write": writer}


def _plan_or_404(plan_id: int) -> SuccessPlan:
    return get_object_or_404(SuccessPlan.objects.select_related("account"), pk=plan_id)


def _render_links(request: HttpRequest, plan: SuccessPlan, *, status: int = 200, **share: Any) -> HttpResponse:
    context = {"nav": "book", "plan": plan, "account": plan.account,
               "share": share_links_context(plan, request, **share)}
    return render_two_shapes(request, "success/share_links.html", "success/_share_links.html", context, status=status)


@writer_required
@require_http_methods(["GET", "POST"])
def share_links(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's links and the form to make one; a new link's URL is shown in this response only."""
    plan = _plan_or_404(plan_id)
    if request.method == "GET":
        return _render_links(request, plan)
    form = ShareLinkForm(request.POST)
    if form.is_valid():
        try:
            link, raw = sharing.share_link_create(actor=web_actor(request), plan=plan, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            url = request.build_absolute_uri(reverse("sharing:shared", args=[raw]))
            # Rendered, not redirected: the token must not travel through the session or a cache.
            response = _render_links(request, plan, created={"link": link, "url": url})
            add_never_cache_headers(response)
            return response
    return _render_links(request, plan, form=form, status=400)


@writer_required
@require_POST
def share_link_revoke(request: HttpRequest, plan_id: int, link_id: int) -> HttpResponse:
    plan = _plan_or_404(plan_id)
    link = get_object_or_404(ShareLink.objects.select_related("plan"), pk=link_id, plan=plan)
    sharing.share_link_revoke(actor=web_actor(request), link=link)
    if wants_fragment(request):
        return _render_links(request, plan)
    messages.success(request, f"The link for “{link.label or link.prefix}” is revoked; it no longer opens the plan.")
    return redirect("sharing:links", plan_id=plan.pk)


def _public(response: HttpResponse) -> HttpResponse:
    for name, value in PUBLIC_HEADERS.items():
        response[name] = value
    return response


def _unavailable(request: HttpRequest, *, gone: bool) -> HttpResponse:
    # No token, plan or account in the context: the body is the same for every bad link of a kind.
    return _public(render(request, "success/share_unavailable.html", {"gone": gone}, status=410 if gone else 404))


@require_safe
def shared_plan(request: HttpRequest, token: str) -> HttpResponse:
    """The plan as the customer sees it, for whoever holds a usable link."""
    try:
        link = sharing.share_link_resolve(token)
    except ShareLink.DoesNotExist:
        return _unavailable(request, gone=False)
    except sharing.LinkGone:
        return _unavailable(request, gone=True)
    report = plan_report(selectors.plan_tree(plan_id=link.plan_id))
    context = {"report": report, "link": link, "shared_by": person_name(link.created_by) or report.csm}
    return _public(render(request, "success/share.html", context))
