"""Back office for automation: read-only. Rules, playbooks and channels are changed on their pages
and through the API, where the services validate, audit and keep channel secrets out of sight."""

from __future__ import annotations

from django.contrib import admin

from paceline.automation.models import (
    Channel,
    Delivery,
    DeliveryAttempt,
    Escalation,
    Firing,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    Rule,
    Snooze,
)
from paceline.core.admin import ReadOnly, ReadOnlyAdmin


class StepInline(ReadOnly, admin.TabularInline):
    model = PlaybookStep
    extra = 0
    fields = ("position", "kind", "title", "due_in_days", "owner_role", "priority", "touchpoint_kind")


class AttemptInline(ReadOnly, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    fields = ("at", "status_code", "error", "duration_ms")


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdmin):
    list_display = ("name", "trigger", "active", "cap_count", "cap_days", "updated_at")
    list_filter = ("active", "trigger")
    search_fields = ("name",)


@admin.register(Firing)
class FiringAdmin(ReadOnlyAdmin):
    list_display = ("rule", "account", "cause", "status", "fired_at")
    list_filter = ("status", "rule")
    list_select_related = ("rule", "account")
    raw_id_fields = ("account",)


@admin.register(Snooze)
class SnoozeAdmin(ReadOnlyAdmin):
    list_display = ("rule", "account", "until", "reason")
    list_select_related = ("rule", "account")


@admin.register(Playbook)
class PlaybookAdmin(ReadOnlyAdmin):
    list_display = ("name", "active", "updated_at")
    inlines = [StepInline]


@admin.register(PlaybookRun)
class PlaybookRunAdmin(ReadOnlyAdmin):
    list_display = ("playbook", "account", "started_on", "status", "completed_on")
    list_filter = ("status", "playbook")
    list_select_related = ("playbook", "account")


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("account", "reason", "from_contact", "to_contact", "created_at")
    list_select_related = ("account", "from_contact", "to_contact")


@admin.register(Channel)
class ChannelAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "target", "active")
    exclude = ("secret",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("channel", "subject", "status", "attempts", "last_status_code", "next_attempt_at")
    list_filter = ("status", "channel")
    list_select_related = ("channel",)
    inlines = [AttemptInline]
