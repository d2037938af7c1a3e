"""Add and edit contract terms, and record how a renewal went (writers only)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from paceline.customers import services
from paceline.customers.forms import RenewalForm, SubscriptionForm
from paceline.customers.models import Subscription
from paceline.customers.views.common import account_or_404, form_page, posted, web_actor
from paceline.users.permissions import writer_required


@writer_required
@require_http_methods(["GET", "POST"])
def subscription_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    today = timezone.localdate()
    initial = {"currency": account.currency, "start_date": today, "end_date": today + dt.timedelta(days=365)}
    form = SubscriptionForm(posted(request), initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda data: services.subscription_create(actor=web_actor(request), account=account, **data),
        success=lambda sub: f"Subscription “{sub.product}” added.",
        account=account,
        title="New subscription",
        submit="Add subscription",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, pk: int, subscription_id: int) -> HttpResponse:
    account = account_or_404(pk)
    subscription = get_object_or_404(Subscription, pk=subscription_id, account=account)
    subscription.account = account
    form = SubscriptionForm(posted(request), instance=subscription)
    return form_page(
        request,
        form=form,
        save=lambda data: services.subscription_update(
            actor=web_actor(request), subscription=subscription, **data
        ),
        success=lambda sub: f"Subscription “{sub.product}” saved.",
        account=account,
        title=f"Edit {subscription}",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def subscription_renewal(request: HttpRequest, pk: int, subscription_id: int) -> HttpResponse:
    account = account_or_404(pk)
    subscription = get_object_or_404(
        Subscription.objects.select_related("renewal_outcome"), pk=subscription_id, account=account
    )
    subscription.account = account
    form = RenewalForm(posted(request), initial={"arr_after": subscription.arr, "seats_after": subscription.seats})
    return form_page(
        request,
        form=form,
        save=lambda data: services.renewal_record(actor=web_actor(request), subscription=subscription, **data),
        success=lambda outcome: (
            f"Renewal of “{subscription.product}” recorded: {outcome.get_outcome_display()}, "
            f"ARR {outcome.arr_before:,} → {outcome.arr_after:,} {subscription.currency}."
        ),
        account=account,
        title=f"Record the renewal of {subscription.product}",
        submit="Record renewal",
        intro=(
            f"This term has ARR {subscription.arr:,} {subscription.currency} and renews on "
            f"{subscription.effective_renewal_date:%Y-%m-%d}."
        ),
    )
