from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from paceline.core.admin import AuditedModelAdmin
from paceline.users.models import ApiToken, User


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    audit_account_field = None
    audit_exclude = ("password",)
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Paceline", {"fields": ("role", "title")}))


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are created where their raw value can be shown once: Settings or `paceline token`."""

    audit_account_field = None
    audit_exclude = ("digest",)
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    list_filter = ("revoked_at",)

    def has_add_permission(self, request):
        return False
