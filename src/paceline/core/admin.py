from django.contrib import admin

from paceline.core.models import ActivityEvent, AuditEntry, ScheduledRun
from paceline.core.services import Actor, audit_record, snapshot


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "via", "action", "target_type", "target_repr", "account_id")
    list_filter = ("action", "via", "target_type")
    search_fields = ("target_repr", "actor_label", "target_id")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "occurred_at", "account_id", "subject_type", "subject_id")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    """The scheduler's bookkeeping: read only (the worker claims runs with a conditional UPDATE)."""

    list_display = ("name", "last_slot", "last_enqueued_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AuditedModelAdmin(admin.ModelAdmin):
    """Back-office edits are changes like any other: each is recorded in the audit log."""

    audit_account_field: str | None = "account_id"
    audit_exclude: tuple[str, ...] = ()

    def _account_id(self, obj):
        if obj._meta.label_lower == "customers.account":
            return obj.pk
        return getattr(obj, self.audit_account_field, None) if self.audit_account_field else None

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk), exclude=self.audit_exclude) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=Actor(user=request.user, via="admin"),
            action=AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
            instance=obj,
            before=before,
            after=snapshot(obj, exclude=self.audit_exclude),
            account_id=self._account_id(obj),
        )

    def delete_model(self, request, obj):
        audit_record(
            actor=Actor(user=request.user, via="admin"),
            action=AuditEntry.Action.DELETE,
            instance=obj,
            before=snapshot(obj, exclude=self.audit_exclude),
            account_id=self._account_id(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnly:
    """For admins of records whose writes go through services only (validation, audit, events):
    the back office shows them and changes nothing. Mix into ModelAdmin or an inline."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass
