"""Channels and the delivery log: CS leaders only (webhook targets and payloads are configuration).

A webhook's signing secret is shown once, on the page right after the channel is created, and
never again; editing may replace it without ever showing the old one.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paceline.automation import selectors, services
from paceline.automation.forms import ChannelForm
from paceline.automation.models import Channel, Delivery, DeliveryStatus
from paceline.automation.views.common import flash_refusal, get_or_404, web_actor
from paceline.customers.forms import attach_service_errors
from paceline.users.permissions import leader_required

DELIVERIES_PER_PAGE = 50


@leader_required
@require_safe
def channel_list(request: HttpRequest) -> HttpResponse:
    return render(request, "automation/channels.html", {"channels": selectors.channels_list(), "nav": "automation"})


def _form(request: HttpRequest, *, channel: Channel | None) -> HttpResponse:
    form = ChannelForm(request.POST if request.method == "POST" else None, instance=channel)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("name", "kind", "target", "active")}
        secret = form.cleaned_data["secret"]
        try:
            if channel is None:
                saved, shown = services.channel_create(actor=web_actor(request), secret=secret, **fields)
            else:
                saved, shown = services.channel_update(actor=web_actor(request), channel=channel, secret=secret,
                                                       **fields), ""
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            if shown:
                return render(request, "automation/channel_secret.html", {"channel": saved, "secret": shown,
                                                                         "nav": "automation"})
            messages.success(request, f"Channel “{saved.name}” saved.")
            return redirect("automation:channels")
    context = {"form": form, "channel": channel, "nav": "automation",
               "title": f"Edit {channel.name}" if channel else "New channel"}
    return render(request, "automation/channel_form.html", context, status=400 if request.method == "POST" else 200)


@leader_required
@require_http_methods(["GET", "POST"])
def channel_new(request: HttpRequest) -> HttpResponse:
    return _form(request, channel=None)


@leader_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, channel_id: int) -> HttpResponse:
    return _form(request, channel=get_or_404(Channel, channel_id, "channel"))


@leader_required
@require_POST
def channel_deactivate(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = get_or_404(Channel, channel_id, "channel")
    services.channel_deactivate(actor=web_actor(request), channel=channel)
    messages.success(request, f"Channel “{channel.name}” switched off.")
    return redirect("automation:channels")


@leader_required
@require_POST
def channel_test(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = get_or_404(Channel, channel_id, "channel")
    try:
        delivery = services.channel_test(actor=web_actor(request), channel=channel)
    except ValidationError as error:
        flash_refusal(request, error)
        return redirect("automation:channels")
    messages.success(request, f"Test queued to “{channel.name}”: its result shows here in a moment.")
    return redirect("automation:delivery", delivery.pk)


@leader_required
@require_safe
def delivery_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in DeliveryStatus.values else ""
    page = Paginator(selectors.deliveries(status=status), DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "automation/deliveries.html", {"page": page, "status": status,
                                                          "statuses": DeliveryStatus.choices, "nav": "automation"})


@leader_required
@require_safe
def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_or_404(selectors.deliveries(), delivery_id, "delivery")
    return render(request, "automation/delivery.html", {"delivery": delivery, "attempts": list(delivery.log.all()),
                                                        "nav": "automation"})


@leader_required
@require_POST
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_or_404(Delivery, delivery_id, "delivery")
    if delivery.status != DeliveryStatus.FAILED:
        messages.error(request, "Only a failed delivery can be retried; this one is "
                                f"{delivery.get_status_display().lower()}.")
    else:
        services.delivery_retry(delivery=delivery)
        messages.success(request, "Retrying now.")
    return redirect(reverse("automation:delivery", args=[delivery.pk]))
