"""Back office for usage: read-only. Write keys and key features change on their pages, where the
services hash, validate and audit; the snapshots are the metrics job's, recomputed, never edited."""

from __future__ import annotations

from django.contrib import admin

from paceline.core.admin import ReadOnlyAdmin
from paceline.usage.models import (
    AccountFeatureWeek,
    AccountUsageDay,
    AccountUserActivity,
    KeyFeature,
    UnmatchedGroup,
    WriteKey,
)


@admin.register(WriteKey)
class WriteKeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    search_fields = ("name", "prefix")
    list_select_related = ("created_by",)
    exclude = ("key_hash",)  # a hash, but still nothing anyone needs to read


@admin.register(KeyFeature)
class KeyFeatureAdmin(ReadOnlyAdmin):
    list_display = ("name", "key", "event_names")
    search_fields = ("name", "key")


@admin.register(AccountUsageDay)
class AccountUsageDayAdmin(ReadOnlyAdmin):
    list_display = ("account", "day", "active_1d", "active_7d", "active_30d", "utilisation", "trend_30d")
    search_fields = ("account__name",)
    list_select_related = ("account",)
    date_hierarchy = "day"


@admin.register(AccountFeatureWeek)
class AccountFeatureWeekAdmin(ReadOnlyAdmin):
    list_display = ("account", "feature", "week", "users", "share")
    search_fields = ("account__name", "feature")
    list_select_related = ("account",)


@admin.register(AccountUserActivity)
class AccountUserActivityAdmin(ReadOnlyAdmin):
    list_display = ("account", "user_id", "as_of", "last_seen", "active_days_30d", "events_30d")
    search_fields = ("account__name", "user_id")
    list_select_related = ("account",)


@admin.register(UnmatchedGroup)
class UnmatchedGroupAdmin(ReadOnlyAdmin):
    list_display = ("group_id", "events", "users", "first_seen", "last_seen")
    search_fields = ("group_id",)
