"""Back office for engagement: read-only. Plans, resources, touchpoints and needs are changed on
their pages and through the API, where the services validate, audit and announce each change."""

from __future__ import annotations

from django.contrib import admin

from paceline.core.admin import ReadOnly, ReadOnlyAdmin
from paceline.engagement.models import (
    Need,
    NeedArea,
    Resource,
    Touchpoint,
    TouchpointPlan,
    TouchpointStep,
)


class StepInline(ReadOnly, admin.TabularInline):
    model = TouchpointStep
    extra = 0
    fields = ("position", "name", "kind", "anchor", "offset_days", "window_days", "owner_role")


@admin.register(TouchpointPlan)
class TouchpointPlanAdmin(ReadOnlyAdmin):
    list_display = ("name", "segment", "auto_apply", "active")
    list_filter = ("segment", "auto_apply", "active")
    search_fields = ("name",)
    inlines = [StepInline]


@admin.register(Touchpoint)
class TouchpointAdmin(ReadOnlyAdmin):
    list_display = ("name", "account", "due_date", "status", "owner", "source")
    list_filter = ("status", "source", "kind")
    search_fields = ("name", "account__name")
    list_select_related = ("account", "owner")
    date_hierarchy = "due_date"


@admin.register(NeedArea)
class NeedAreaAdmin(ReadOnlyAdmin):
    list_display = ("name", "key")
    search_fields = ("name", "key")


@admin.register(Resource)
class ResourceAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "active")
    list_filter = ("kind", "active")
    search_fields = ("title",)


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ("area", "account", "status", "opened_on", "met_on")
    list_filter = ("status", "area")
    search_fields = ("account__name", "note")
    list_select_related = ("area", "account")
