from django.contrib import admin

from paceline.core.models import ActivityEvent, AuditEntry


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
