"""The usage pages: an account's Adoption (the panel's own URL), key features, write keys and
unmatched events.

Who may do what: everyone signed in reads an account's adoption (like the account page itself),
the key features and the unmatched events; CS leaders alone change key features and manage
write keys, whose page no one else opens.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paceline.core.services import Actor
from paceline.customers.views.common import account_or_404, render_two_shapes
from paceline.usage import charts, selectors, services
from paceline.usage.forms import KeyFeatureForm, WriteKeyForm, attach_value_error
from paceline.usage.models import KeyFeature, WriteKey
from paceline.users.permissions import leader_required


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, via="web")


# An account's adoption ------------------------------------------------------------------------------


@login_required
@require_safe
def account_adoption(request: HttpRequest, pk: int) -> HttpResponse:
    """The Adoption panel: its fragment for the account page (HTMX), or a page of its own."""
    account = account_or_404(pk)
    adoption = selectors.adoption(account, today=timezone.localdate())
    latest = adoption.latest or {}
    context = {
        "nav": "book",
        "account": account,
        "can_write": request.user.can_write,
        "adoption": adoption,
        "active_chart": charts.active_users_spec(adoption.days, seats=latest.get("seats"))
        if len(adoption.days) > 1 else None,
        "stickiness_chart": charts.stickiness_spec(adoption.days)
        if sum(1 for *_, stickiness in adoption.days if stickiness is not None) > 1 else None,
        "heatmap": charts.feature_heatmap_spec(adoption.feature_weeks, adoption.feature_names)
        if adoption.feature_weeks else None,
    }
    return render_two_shapes(request, "usage/adoption.html", "usage/adoption.html#body", context)


# Key features --------------------------------------------------------------------------------------


@login_required
@require_safe
def feature_list(request: HttpRequest) -> HttpResponse:
    return render(request, "usage/features.html", {
        "nav": "usage", "tab": "features", "features": selectors.key_features(), "can_edit": request.user.is_leader,
    })


def _feature(pk: int) -> KeyFeature:
    feature = selectors.key_feature(pk)
    if feature is None:
        raise Http404("No such key feature.")
    return feature


def _feature_form_page(request: HttpRequest, form: KeyFeatureForm, *, status: int = 200) -> HttpResponse:
    return render(request, "usage/feature_form.html", {"nav": "usage", "tab": "features", "form": form,
                                                        "feature": form.feature}, status=status)


@leader_required
@require_http_methods(["GET", "POST"])
def feature_new(request: HttpRequest) -> HttpResponse:
    form = KeyFeatureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            feature = services.key_feature_create(
                actor=_actor(request), key=form.cleaned_data["key"], name=form.cleaned_data["name"],
                event_names=form.event_name_list(), description=form.cleaned_data["description"])
        except ValueError as error:
            attach_value_error(form, error)
        else:
            messages.success(request, f"Key feature “{feature.name}” added. Feature adoption is recomputed "
                                      "with the next metrics run.")
            return redirect("usage:features")
    return _feature_form_page(request, form, status=400 if request.method == "POST" else 200)


@leader_required
@require_http_methods(["GET", "POST"])
def feature_edit(request: HttpRequest, pk: int) -> HttpResponse:
    feature = _feature(pk)
    form = KeyFeatureForm(request.POST if request.method == "POST" else None, feature=feature)
    if request.method == "POST" and form.is_valid():
        try:
            services.key_feature_update(
                actor=_actor(request), feature=feature, name=form.cleaned_data["name"],
                event_names=form.event_name_list(), description=form.cleaned_data["description"])
        except ValueError as error:
            attach_value_error(form, error)
        else:
            messages.success(request, f"Key feature “{feature.name}” saved.")
            return redirect("usage:features")
    return _feature_form_page(request, form, status=400 if request.method == "POST" else 200)


@leader_required
@require_http_methods(["GET", "POST"])
def feature_delete(request: HttpRequest, pk: int) -> HttpResponse:
    feature = _feature(pk)
    if request.method == "POST":
        name = feature.name
        services.key_feature_delete(actor=_actor(request), feature=feature)
        messages.success(request, f"Key feature “{name}” deleted.")
        return redirect("usage:features")
    return render(request, "usage/feature_delete.html", {"nav": "usage", "tab": "features", "feature": feature})


# Write keys ------------------------------------------------------------------------------------------


def _write_keys_page(request: HttpRequest, *, form: WriteKeyForm | None = None, created=None,
                     status: int = 200) -> HttpResponse:
    response = render(request, "usage/write_keys.html", {
        "nav": "usage", "tab": "write_keys", "form": form or WriteKeyForm(), "keys": selectors.write_keys(),
        "created": created, "ingest_url": f"{settings.PACELINE_BASE_URL}/v1/batch",
        "base_url": settings.PACELINE_BASE_URL,
    }, status=status)
    if created is not None:
        # This response carries a secret that exists nowhere else: keep it out of every cache.
        add_never_cache_headers(response)
    return response


@leader_required
@require_safe
def write_keys(request: HttpRequest) -> HttpResponse:
    return _write_keys_page(request)


@leader_required
@require_POST
def write_key_create(request: HttpRequest) -> HttpResponse:
    form = WriteKeyForm(request.POST)
    if form.is_valid():
        try:
            key, raw = services.write_key_create(actor=_actor(request), name=form.cleaned_data["name"])
        except ValueError as error:
            attach_value_error(form, error)
        else:
            # Rendered, not redirected: the raw key must not travel through the session or messages.
            return _write_keys_page(request, created={"key": key, "raw": raw})
    return _write_keys_page(request, form=form, status=400)


@leader_required
@require_POST
def write_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key: WriteKey | None = selectors.write_key(pk)
    if key is None:
        raise Http404("No such write key.")
    services.write_key_revoke(actor=_actor(request), key=key)
    messages.success(request, f"Write key “{key.name}” ({key.prefix}…) is revoked: events sent with it are refused.")
    return redirect("usage:write_keys")


# Unmatched events ----------------------------------------------------------------------------------


@login_required
@require_safe
def unmatched(request: HttpRequest) -> HttpResponse:
    return render(request, "usage/unmatched.html", {
        "nav": "usage", "tab": "unmatched", "groups": selectors.unmatched_groups(),
        "can_write": request.user.can_write,
    })
