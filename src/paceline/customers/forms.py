"""Forms for the customer pages. They parse and present; the services validate the model and write.

Each model form hands its ``cleaned_data`` to a service. ``ServiceModelForm`` skips Django's
model validation step on purpose: it would mutate the instance before the service takes its
"before" snapshot (so the audit would see no change) and would duplicate rules the service owns.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from paceline.customers.models import (
    Account,
    Contact,
    ContactRole,
    Interaction,
    InteractionKind,
    LifecycleStage,
    Segment,
    Subscription,
    Task,
    Tier,
)
from paceline.customers.selectors import RENEWAL_WINDOWS
from paceline.users.models import Role, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_PAGE_SIZE = 100


def attach_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names.

    A service may name something the form does not show (``subscription``, ``outcome``); that
    message goes to the top of the form, prefixed with the name so it still says what is wrong.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        if name in form.fields:
            form.add_error(name, messages)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, messages)
        else:
            label = name.replace("_", " ").capitalize()
            form.add_error(None, [f"{label}: {message}" for message in messages])


def writers() -> Q:
    """People who can own accounts and tasks: active CS leaders and CSMs."""
    return Q(is_active=True, role__in=[Role.LEADER, Role.CSM])


class QuietLabels:
    """Labels without the trailing colon, which the page's layout makes redundant."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ServiceModelForm(QuietLabels, forms.ModelForm):
    def _post_clean(self) -> None:
        # The service runs full_clean on a fresh snapshot; see the module docstring.
        return None


# The book -------------------------------------------------------------------------------------


class BookFilterForm(QuietLabels, forms.Form):
    """Renders the book's filters. Validation is AccountFilters.from_query's job."""

    q = forms.CharField(label="Search", required=False, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "Name, domain or external id", "autocomplete": "off"}
    ))
    segment = forms.ChoiceField(label="Segment", required=False, choices=[("", "All segments"), *Segment.choices])
    tier = forms.ChoiceField(label="Tier", required=False, choices=[("", "All tiers"), *Tier.choices])
    stage = forms.ChoiceField(
        label="Stage", required=False, choices=[("", "All stages"), *LifecycleStage.choices]
    )
    owner = forms.ChoiceField(label="Owner", required=False)
    renewal = forms.ChoiceField(label="Renewal", required=False, choices=[
        ("", "Any time"),
        *[("overdue", "Overdue") if key == "overdue" else (key, f"Next {days} days") for key, days in RENEWAL_WINDOWS.items()],
    ])
    parent = forms.ChoiceField(label="Hierarchy", required=False)

    def __init__(self, *args, parent_account: Account | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        owners = User.objects.filter(writers()).only("id", "first_name", "last_name", "username")
        self.fields["owner"].choices = [
            ("me", "My accounts"),
            ("all", "All accounts"),
            ("none", "Unassigned"),
            ("People", [(str(u.pk), str(u)) for u in owners]),
        ]
        parent_choices = [("", "All accounts"), ("none", "Top-level only")]
        if parent_account is not None:
            parent_choices.append((str(parent_account.pk), f"Children of {parent_account.name}"))
        self.fields["parent"].choices = parent_choices


class BookPageForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)


# Accounts -------------------------------------------------------------------------------------


class AccountForm(ServiceModelForm):
    class Meta:
        model = Account
        fields = [
            "name", "external_id", "domain", "industry", "employees", "segment", "tier",
            "lifecycle_stage", "owner", "parent", "currency", "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"external_id": "External id", "parent": "Parent account"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owners = writers()
        if self.instance.owner_id:
            owners |= Q(pk=self.instance.owner_id)
        self.fields["owner"].queryset = User.objects.filter(owners)
        parents = Account.objects.only("id", "name").order_by(Lower("name"), "id")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].error_messages["invalid_choice"] = (
            "Choose another account: an account cannot be its own parent."
        )


# Contacts -------------------------------------------------------------------------------------


class ContactForm(ServiceModelForm):
    roles = forms.MultipleChoiceField(
        choices=ContactRole.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Contact
        fields = [
            "name", "email", "phone", "title", "level", "roles", "reports_to", "is_primary",
            "status", "left_on", "external_id",
        ]
        widgets = {"left_on": DATE}
        labels = {"is_primary": "Primary contact", "left_on": "Left on", "external_id": "External id"}

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        colleagues = Contact.objects.filter(account=account).order_by(Lower("name"), "id")
        if self.instance.pk:
            colleagues = colleagues.exclude(pk=self.instance.pk)
        field = self.fields["reports_to"]
        field.queryset = colleagues
        field.error_messages["invalid_choice"] = (
            "Choose a colleague at this account; a contact cannot report to themself."
        )


class ContactLeftForm(QuietLabels, forms.Form):
    left_on = forms.DateField(label="Left the company on", widget=DATE, initial=timezone.localdate)


# Subscriptions --------------------------------------------------------------------------------


class SubscriptionForm(ServiceModelForm):
    class Meta:
        model = Subscription
        fields = [
            "product", "seats", "arr", "currency", "start_date", "end_date", "renewal_date",
            "auto_renew", "notice_days", "status", "external_id",
        ]
        widgets = {"start_date": DATE, "end_date": DATE, "renewal_date": DATE}
        labels = {"arr": "ARR", "notice_days": "Notice period (days)", "external_id": "External id"}


class RenewalForm(QuietLabels, forms.Form):
    arr_after = forms.DecimalField(label="ARR after renewal", max_digits=14, decimal_places=2, min_value=0,
                                   help_text="0 records a churn; more than today an expansion, less a contraction.")
    decided_on = forms.DateField(label="Decided on", widget=DATE, initial=timezone.localdate)
    seats_after = forms.IntegerField(label="Seats after renewal", required=False, min_value=0)
    new_end_date = forms.DateField(label="New term ends", required=False, widget=DATE,
                                   help_text="Leave empty for a term as long as the last one.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


# Interactions ---------------------------------------------------------------------------------


class ParticipantChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        if isinstance(obj, Contact):
            details = [d for d in (obj.title, "left" if obj.has_left else "") if d]
            return f"{obj.name} ({', '.join(details)})" if details else obj.name
        return str(obj)


class InteractionForm(ServiceModelForm):
    contacts = ParticipantChoice(
        queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Customer participants",
    )
    users = ParticipantChoice(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Our participants",
    )

    class Meta:
        model = Interaction
        fields = ["kind", "occurred_at", "subject", "summary", "sentiment", "contacts", "users"]
        widgets = {"occurred_at": DATETIME, "summary": forms.Textarea(attrs={"rows": 4})}
        labels = {"occurred_at": "When"}

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = Contact.objects.filter(account=account).order_by(Lower("name"), "id")
        self.fields["contacts"].error_messages["invalid_choice"] = (
            "Only this account's contacts can take part (%(value)s is not one of them)."
        )
        self.fields["users"].queryset = User.objects.filter(is_active=True)
        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("kind", InteractionKind.CALL)


# Tasks ----------------------------------------------------------------------------------------


class TaskForm(ServiceModelForm):
    class Meta:
        model = Task
        fields = ["title", "description", "owner", "due_date", "priority", "status"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owners = writers()
        if self.instance.owner_id:
            owners |= Q(pk=self.instance.owner_id)
        self.fields["owner"].queryset = User.objects.filter(owners)


class TimelineForm(forms.Form):
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *InteractionKind.choices])
    before = forms.IntegerField(required=False, min_value=1)
