"""Actions from the account's Health panel: a CSM's manual assessment, and "score now".

Both answer an HTMX request with the panel itself (with the form's errors when refused, 400) and
a plain form post with a redirect back to the account page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from paceline.core.services import Actor
from paceline.customers.models import Account
from paceline.health import services
from paceline.health.forms import AssessmentForm
from paceline.health.panels import panel_context
from paceline.users.permissions import writer_required


def _account(pk: int) -> Account:
    account = Account.objects.select_related("owner").filter(pk=pk).first()
    if account is None:
        raise Http404("No such account.")
    return account


def _panel(request: HttpRequest, account: Account, *, form: AssessmentForm | None = None, status: int = 200) -> HttpResponse:
    context = {"account": account, "can_write": request.user.can_write,
               "panel": panel_context(request, account, form=form), "fragment": True}
    return render(request, "health/panel.html", context, status=status)


def _back(account: Account) -> HttpResponse:
    return redirect(reverse("customers:account", args=[account.pk]) + "#panel-health")


@writer_required
@require_POST
def assessment_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(pk)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_add(actor=Actor(user=request.user, via="web"), account=account,
                                    score=form.cleaned_data["score"], reason=form.cleaned_data["reason"],
                                    on=timezone.localdate())
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
    if not form.is_valid():
        if request.htmx:
            return _panel(request, account, form=form, status=400)
        return render(request, "health/assess.html", {"account": account, "form": form}, status=400)
    if request.htmx:
        return _panel(request, account)
    messages.success(request, "Your assessment is recorded.")
    return _back(account)


@writer_required
@require_POST
def score_now(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(pk)
    services.scores_compute(on=timezone.localdate(), account_ids=[account.pk], actor=Actor(user=request.user, via="web"))
    if request.htmx:
        return _panel(request, account)
    messages.success(request, "Scored.")
    return _back(account)
