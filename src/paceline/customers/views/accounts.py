"""Create, edit and delete accounts (writers only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from paceline.customers import services
from paceline.customers.forms import AccountForm
from paceline.customers.views.common import account_or_404, form_page, posted, web_actor
from paceline.users.models import Role
from paceline.users.permissions import writer_required


@writer_required
@require_http_methods(["GET", "POST"])
def account_new(request: HttpRequest) -> HttpResponse:
    initial = {"owner": request.user.pk} if request.user.role == Role.CSM else {}
    form = AccountForm(posted(request), initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda data: services.account_create(actor=web_actor(request), **data),
        success=lambda account: f"Account “{account.name}” created.",
        redirect_to=lambda account: reverse("customers:account", args=[account.pk]),
        account=None,
        title="New account",
        submit="Create account",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    form = AccountForm(posted(request), instance=account)
    return form_page(
        request,
        form=form,
        save=lambda data: services.account_update(actor=web_actor(request), account=account, **data),
        success=lambda account: f"Account “{account.name}” saved.",
        account=account,
        title=f"Edit {account.name}",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    if request.method == "POST":
        name = account.name
        services.account_delete(actor=web_actor(request), account=account)
        messages.success(request, f"Account “{name}” deleted.")
        return redirect("customers:book")
    return render(request, "customers/confirm_delete.html", {"account": account, "nav": "book"})
