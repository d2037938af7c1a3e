"""Back office for the customer record.

Saves and deletes made here go through the same services as the pages and the API, so a
back-office edit is validated, audited and announced like any other change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from paceline.core.services import Actor
from paceline.customers import services
from paceline.customers.models import (
    Account,
    Contact,
    ImportRun,
    Interaction,
    RenewalOutcome,
    Subscription,
    Task,
)


class ServiceAdmin(admin.ModelAdmin):
    """Routes saves and deletes to services. Subclasses say which fields (``service_fields``) and
    which services, by defining ``create(actor, form)``, ``update(actor, obj, form)`` and
    ``remove(actor, obj)``."""

    service_fields: frozenset[str] = frozenset()
    # Fixed once created: the services move nothing between accounts.
    fixed_on_change: tuple[str, ...] = ("account",)

    def get_readonly_fields(self, request, obj=None):
        fixed = self.fixed_on_change if obj is not None else ()
        return (*super().get_readonly_fields(request, obj), *fixed)

    def values(self, form) -> dict[str, Any]:
        return {name: value for name, value in form.cleaned_data.items() if name in self.service_fields}

    def save_model(self, request, obj, form, change):
        actor = Actor(user=request.user, via="admin")
        if change:
            # The admin form has already written onto ``obj``; the service needs the stored row
            # to audit what changed.
            saved = self.update(actor, type(obj).objects.get(pk=obj.pk), form)
        else:
            saved = self.create(actor, form)
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        self.remove(Actor(user=request.user, via="admin"), obj)

    def delete_queryset(self, request, queryset):
        actor = Actor(user=request.user, via="admin")
        for obj in queryset:
            self.remove(actor, obj)



@admin.register(Account)
class AccountAdmin(ServiceAdmin):
    service_fields = services.ACCOUNT_FIELDS
    fixed_on_change = ()
    list_display = ("name", "external_id", "segment", "tier", "lifecycle_stage", "owner", "arr", "currency",
                    "next_renewal_date")
    list_filter = ("segment", "tier", "lifecycle_stage", "currency", "owner")
    search_fields = ("name", "domain", "external_id")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner", "parent")
    fields = ("name", "external_id", "domain", "industry", "employees", "segment", "tier", "lifecycle_stage",
              "owner", "parent", "currency", "description", "arr", "mrr", "next_renewal_date")
    readonly_fields = ("arr", "mrr", "next_renewal_date")

    def create(self, actor, form):
        return services.account_create(actor=actor, **self.values(form))

    def update(self, actor, obj, form):
        return services.account_update(actor=actor, account=obj, **self.values(form))

    def remove(self, actor, obj):
        services.account_delete(actor=actor, account=obj)


@admin.register(Contact)
class ContactAdmin(ServiceAdmin):
    service_fields = services.CONTACT_FIELDS
    list_display = ("name", "account", "title", "level", "is_primary", "status", "left_on")
    list_filter = ("status", "level", "is_primary")
    search_fields = ("name", "email", "external_id", "account__name")
    list_select_related = ("account",)
    autocomplete_fields = ("account", "reports_to")
    fields = ("account", "name", "email", "phone", "title", "level", "roles", "reports_to", "is_primary",
              "status", "left_on", "external_id")

    def create(self, actor, form):
        return services.contact_create(actor=actor, account=form.cleaned_data["account"], **self.values(form))

    def update(self, actor, obj, form):
        return services.contact_update(actor=actor, contact=obj, **self.values(form))

    def remove(self, actor, obj):
        services.contact_delete(actor=actor, contact=obj)


@admin.register(Subscription)
class SubscriptionAdmin(ServiceAdmin):
    service_fields = services.SUBSCRIPTION_FIELDS
    list_display = ("product", "account", "arr", "currency", "start_date", "end_date", "renewal_date", "status",
                    "auto_renew")
    list_filter = ("status", "auto_renew", "currency")
    search_fields = ("product", "external_id", "account__name")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)
    date_hierarchy = "end_date"
    fields = ("account", "product", "seats", "arr", "currency", "start_date", "end_date", "renewal_date",
              "auto_renew", "notice_days", "status", "external_id")

    def create(self, actor, form):
        return services.subscription_create(actor=actor, account=form.cleaned_data["account"], **self.values(form))

    def update(self, actor, obj, form):
        return services.subscription_update(actor=actor, subscription=obj, **self.values(form))

    def remove(self, actor, obj):
        services.subscription_delete(actor=actor, subscription=obj)


@admin.register(RenewalOutcome)
class RenewalOutcomeAdmin(admin.ModelAdmin):
    """Read only: an outcome is recorded with its next term by services.renewal_record."""

    list_display = ("subscription", "account", "outcome", "decided_on", "arr_before", "arr_after")
    list_filter = ("outcome",)
    search_fields = ("account__name", "subscription__product", "note")
    list_select_related = ("account", "subscription")
    date_hierarchy = "decided_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Interaction)
class InteractionAdmin(ServiceAdmin):
    service_fields = services.INTERACTION_FIELDS
    list_display = ("subject", "account", "kind", "occurred_at", "sentiment", "created_by")
    list_filter = ("kind", "sentiment")
    search_fields = ("subject", "summary", "external_id", "account__name")
    list_select_related = ("account", "created_by")
    autocomplete_fields = ("account", "contacts", "users")
    date_hierarchy = "occurred_at"
    fields = ("account", "kind", "occurred_at", "subject", "summary", "sentiment", "contacts", "users",
              "external_id")

    def participants(self, form) -> dict[str, Any]:
        return {"contacts": form.cleaned_data["contacts"], "users": form.cleaned_data["users"]}

    def create(self, actor, form):
        return services.interaction_create(
            actor=actor, account=form.cleaned_data["account"], **self.participants(form), **self.values(form)
        )

    def update(self, actor, obj, form):
        return services.interaction_update(actor=actor, interaction=obj, **self.participants(form), **self.values(form))

    def save_related(self, request, form, formsets, change):
        # The service has set the participants; the admin's own m2m save would bypass its checks.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def remove(self, actor, obj):
        services.interaction_delete(actor=actor, interaction=obj)


@admin.register(Task)
class TaskAdmin(ServiceAdmin):
    service_fields = services.TASK_FIELDS
    list_display = ("title", "account", "owner", "due_date", "priority", "status", "source")
    list_filter = ("status", "priority", "source")
    search_fields = ("title", "description", "external_id", "account__name")
    list_select_related = ("account", "owner")
    autocomplete_fields = ("account", "owner")
    date_hierarchy = "due_date"
    fields = ("account", "title", "description", "owner", "due_date", "priority", "status", "source",
              "external_id", "completed_at")
    readonly_fields = ("completed_at",)

    def create(self, actor, form):
        return services.task_create(actor=actor, account=form.cleaned_data["account"], **self.values(form))

    def update(self, actor, obj, form):
        return services.task_update(actor=actor, task=obj, **self.values(form))

    def remove(self, actor, obj):
        services.task_delete(actor=actor, task=obj)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Import runs are made by the import page and command; the admin only looks."""

    list_display = ("created_at", "user", "kind", "filename", "status", "applied_at")
    list_filter = ("kind", "status")
    search_fields = ("filename", "user__username")
    exclude = ("content",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
