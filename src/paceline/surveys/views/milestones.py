"""Relationship milestones: added, changed and deleted from the account page, counted per CSM on
the "Relationship outcomes" page."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from paceline.customers.forms import DATE
from paceline.customers.models import Account, Contact
from paceline.customers.views.common import account_or_404, form_page, posted, web_actor
from paceline.surveys import milestones
from paceline.surveys.models import MilestoneKind, RelationshipMilestone
from paceline.users.models import Role, User
from paceline.users.permissions import writer_required

DEFAULT_DAYS = 365
LONGEST_DAYS = 10 * 366


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(choices=MilestoneKind.choices)
    occurred_on = forms.DateField(label="Date", widget=DATE)
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False, label="Customer contact")
    credited_to = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Credited to",
        help_text="The CSM who earned it; left empty, the account's owner.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = account.contacts.order_by("name")
        self.fields["credited_to"].queryset = User.objects.filter(
            is_active=True, role__in=[Role.CSM, Role.LEADER]).order_by("first_name", "last_name", "username")
        self.fields["credited_to"].label_from_instance = lambda u: u.get_full_name() or u.username


def _panel_url(account: Account) -> str:
    return reverse("customers:account", args=[account.pk]) + "#panel-milestones"


def _milestone_or_404(account: Account, milestone_id: int) -> RelationshipMilestone:
    try:
        return milestones.milestone_get(account=account, pk=milestone_id)
    except RelationshipMilestone.DoesNotExist:
        raise Http404("This account has no milestone with this id.") from None


@writer_required
def milestone_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    form = MilestoneForm(posted(request), account=account,
                         initial={"occurred_on": timezone.localdate(), "credited_to": account.owner_id})
    return form_page(
        request, form=form, account=account, title=f"Record a relationship milestone for {account.name}",
        intro="A reference given, a case study, a public review, access to an executive, or a seat at "
              "their budget planning.",
        save=lambda data: milestones.milestone_create(actor=web_actor(request), account=account, **data),
        success=lambda m: f"Recorded: {m.get_kind_display()} on {m.occurred_on:%Y-%m-%d}.",
        redirect_to=lambda m: _panel_url(account),
    )


@writer_required
def milestone_edit(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    account = account_or_404(pk)
    milestone = _milestone_or_404(account, milestone_id)
    initial = {"kind": milestone.kind, "occurred_on": milestone.occurred_on, "contact": milestone.contact_id,
               "credited_to": milestone.credited_to_id, "note": milestone.note}
    form = MilestoneForm(posted(request), account=account, initial=initial)
    return form_page(
        request, form=form, account=account, title=f"Edit the milestone of {account.name}",
        save=lambda data: milestones.milestone_update(
            actor=web_actor(request), milestone=milestone, **{**data, "credited_to": data["credited_to"] or account.owner}
        ),
        success=lambda m: f"Saved: {m.get_kind_display()} on {m.occurred_on:%Y-%m-%d}.",
        redirect_to=lambda m: _panel_url(account),
    )


@writer_required
def milestone_delete(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    account = account_or_404(pk)
    milestone = _milestone_or_404(account, milestone_id)
    if request.method == "POST":
        milestones.milestone_delete(actor=web_actor(request), milestone=milestone)
        messages.success(request, f"Deleted: {milestone.get_kind_display()} on {milestone.occurred_on:%Y-%m-%d}.")
        return redirect(_panel_url(account))
    return render(request, "surveys/milestones_delete.html",
                  {"account": account, "milestone": milestone, "nav": "book"})


class PeriodForm(forms.Form):
    start = forms.DateField(required=False, widget=DATE, label="From")
    end = forms.DateField(required=False, widget=DATE, label="To")

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS)
        if "start" in self.errors or "end" in self.errors:
            return data
        if start > end:
            self.add_error("start", "The period must start on or before its end.")
        elif (end - start).days > LONGEST_DAYS:
            self.add_error("start", "Choose a period of at most ten years.")
        data["start"], data["end"] = start, end
        return data


@login_required
@require_safe
def outcomes(request: HttpRequest) -> HttpResponse:
    """Milestones per CSM and per kind over a period: what CS earned while NPS and retention move slowly."""
    form = PeriodForm(request.GET)
    context = {"nav": "outcomes", "form": form}
    if not form.is_valid():
        return render(request, "surveys/milestones_outcomes.html", context, status=400)
    counts = milestones.outcome_counts(start=form.cleaned_data["start"], end=form.cleaned_data["end"])
    context.update({
        "counts": counts,
        "by_csm": milestones.outcomes_chart(counts),
        "by_month": milestones.months_chart(counts),
    })
    return render(request, "surveys/milestones_outcomes.html", context)
