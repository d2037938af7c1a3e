"""Forms of the engagement pages. They parse and present; the services validate and write.

Plain forms rather than model forms, so the instance is untouched until the service takes its
"before" snapshot for the audit.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import model_to_dict

from paceline.customers.forms import DATE, QuietLabels, writers
from paceline.customers.models import Account, LifecycleStage, Segment
from paceline.engagement.models import (
    TOUCHPOINT_KINDS,
    Anchor,
    NeedArea,
    OwnerRole,
    Resource,
    ResourceKind,
    TouchpointPlan,
    TouchpointStep,
)
from paceline.users.models import User


class PlanForm(QuietLabels, forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    segment = forms.ChoiceField(choices=[("", "Any segment")] + Segment.choices, required=False)
    auto_apply = forms.BooleanField(required=False, initial=True, label="Apply automatically",
                                    help_text="To every account of the segment, on its current contract term.")
    active = forms.BooleanField(required=False, initial=True)

    @classmethod
    def initial_for(cls, plan: TouchpointPlan) -> dict[str, Any]:
        return model_to_dict(plan, fields=list(cls.base_fields))


class StepForm(QuietLabels, forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=TOUCHPOINT_KINDS, help_text="Which logged interaction keeps it.")
    anchor = forms.ChoiceField(choices=Anchor.choices, label="Counted from")
    offset_days = forms.IntegerField(min_value=0, max_value=3650, label="Days",
                                     help_text="After the contract starts, or before the renewal.")
    window_days = forms.IntegerField(min_value=0, max_value=180, initial=14, label="Window (days either side)")
    purpose = forms.CharField(max_length=300)
    expected_result = forms.CharField(max_length=300)
    owner_role = forms.ChoiceField(choices=OwnerRole.choices, label="Owner")
    position = forms.IntegerField(min_value=0, required=False, label="Order",
                                  help_text="Blank: after the other steps.")

    @classmethod
    def initial_for(cls, step: TouchpointStep) -> dict[str, Any]:
        return model_to_dict(step, fields=list(cls.base_fields))


class ApplyPlanForm(QuietLabels, forms.Form):
    plan = forms.ModelChoiceField(queryset=TouchpointPlan.objects.filter(active=True).order_by("name"))


def _owners():
    return forms.ModelChoiceField(queryset=User.objects.filter(writers()).order_by("first_name", "last_name", "username"),
                                  required=False, help_text="Blank: the account's CSM.")


class TouchpointForm(QuietLabels, forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=TOUCHPOINT_KINDS, help_text="Which logged interaction keeps it.")
    due_date = forms.DateField(widget=DATE, label="Date")
    window_days = forms.IntegerField(min_value=0, max_value=180, initial=14, label="Window (days either side)")
    purpose = forms.CharField(max_length=300, required=False)
    expected_result = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owners()

    def service_fields(self, account: Account) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["owner"] = data.get("owner") or account.owner
        return data


class ResultForm(QuietLabels, forms.Form):
    result = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What came of it",
                             help_text="Compare with the expected result.")


class RescheduleForm(QuietLabels, forms.Form):
    due_date = forms.DateField(widget=DATE, label="New date")
    window_days = forms.IntegerField(min_value=0, max_value=180, label="Window (days either side)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owners()
        self.fields["owner"].help_text = "Blank: unchanged."


class NeedAreaForm(QuietLabels, forms.Form):
    name = forms.CharField(max_length=120)
    key = forms.SlugField(max_length=50, required=False, help_text="Blank: made from the name.")
    description = forms.CharField(max_length=300, required=False)

    @classmethod
    def initial_for(cls, area: NeedArea) -> dict[str, Any]:
        return model_to_dict(area, fields=list(cls.base_fields))


class ResourceForm(QuietLabels, forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ResourceKind.choices)
    url = forms.URLField(required=False, label="Link", assume_scheme="https")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    areas = forms.ModelMultipleChoiceField(queryset=NeedArea.objects.order_by("name"), label="Need areas",
                                           widget=forms.CheckboxSelectMultiple)
    stages = forms.MultipleChoiceField(choices=LifecycleStage.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text="None ticked: every stage.")
    segments = forms.MultipleChoiceField(choices=Segment.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text="None ticked: every segment.")
    active = forms.BooleanField(required=False, initial=True)

    @classmethod
    def initial_for(cls, resource: Resource) -> dict[str, Any]:
        initial = model_to_dict(resource, fields=[f for f in cls.base_fields if f != "areas"])
        initial["areas"] = list(resource.areas.all())
        return initial


class NeedForm(QuietLabels, forms.Form):
    area = forms.ModelChoiceField(queryset=NeedArea.objects.order_by("name"), label="Need area")
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"] = forms.ModelChoiceField(
            queryset=account.contacts.order_by("name"), required=False, help_text="Who needs it (optional).")
