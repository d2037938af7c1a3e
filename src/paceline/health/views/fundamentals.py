"""The fundamentals of the whole book (seed 001): accounts × the five, with filters and counts."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from paceline.customers.models import Account, Segment
from paceline.health import fundamentals
from paceline.users.models import Role


class FundamentalsFilterForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False, empty_label="Anyone")
    segment = forms.ChoiceField(choices=[("", "Any")] + Segment.choices, required=False)
    failing = forms.ChoiceField(label="Failing", required=False,
                                choices=[("", "Any or none")] + [(k, fundamentals.LABELS[k]) for k in fundamentals.KEYS])
    page = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.filter(
            is_active=True, role__in=[Role.CSM, Role.LEADER]).order_by("first_name", "last_name", "id")


def _accounts(data: dict):
    accounts = Account.objects.order_by("name", "id")
    if data["owner"] is not None:
        accounts = accounts.filter(owner=data["owner"])
    if data["segment"]:
        accounts = accounts.filter(segment=data["segment"])
    return accounts


@login_required
@require_safe
def book(request: HttpRequest) -> HttpResponse:
    form = FundamentalsFilterForm(request.GET)
    context = {"nav": "health", "form": form, "keys": fundamentals.KEYS, "labels": fundamentals.LABELS}
    if not form.is_valid():
        return render(request, "health/fundamentals.html", context, status=400)
    view = fundamentals.book_view(_accounts(form.cleaned_data), as_of=timezone.localdate(),
                                  failing=form.cleaned_data["failing"])
    page = Paginator(view.ids, settings.PACELINE_PAGE_SIZE).get_page(form.cleaned_data["page"] or 1)
    names = Account.objects.select_related("owner").in_bulk(list(page.object_list))
    context.update(
        view=view,
        page=page,
        rows=[(names[pk], view.results[pk]) for pk in page.object_list],
        counts=[(key, fundamentals.LABELS[key], view.failing[key]) for key in fundamentals.KEYS],
    )
    return render(request, "health/fundamentals.html", context)
