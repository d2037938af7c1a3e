"""Reads for the usage pages: an account's adoption from the daily snapshots the metrics job wrote,
the book's latest-snapshot columns, key features, write keys and unmatched groups.

The web process reads only these OLTP tables, never the event store. Each read is a fixed
number of queries whatever the history's length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from paceline.customers.models import Account
from paceline.usage.models import (
    AccountFeatureWeek,
    AccountUsageDay,
    AccountUserActivity,
    KeyFeature,
    UnmatchedGroup,
    WriteKey,
)

HISTORY_DAYS = 730  # two years of daily snapshots on the charts
STALE_AFTER_DAYS = 2  # the metrics job runs daily; older than this, it has stopped
USERS_SHOWN = 5
TREND_STEP = 0.05  # a change of active users below 5% reads as flat

_DAY_FIELDS = ("day", "active_1d", "active_7d", "active_30d", "stickiness", "seats", "utilisation",
               "trend_30d", "days_since_last", "breadth", "breadth_share", "events_30d")
SERIES_FIELDS = ("day", "active_1d", "active_7d", "active_30d", "stickiness")  # the charts' tuples
WEEK_FIELDS = ("feature", "week", "users", "share")


def trend_direction(trend: float | None) -> str:
    """"up", "down" or "flat" for the change of active users (30 days); empty without one."""
    if trend is None:
        return ""
    if trend >= TREND_STEP:
        return "up"
    if trend <= -TREND_STEP:
        return "down"
    return "flat"


@dataclass
class Adoption:
    """What the Adoption panel shows for one account."""

    account: Account
    today: dt.date
    days: list[tuple] = field(default_factory=list)  # SERIES_FIELDS
    latest: dict[str, Any] | None = None
    feature_weeks: list[tuple] = field(default_factory=list)  # WEEK_FIELDS
    feature_names: dict[str, str] = field(default_factory=dict)
    most_active: list[AccountUserActivity] = field(default_factory=list)
    least_active: list[AccountUserActivity] = field(default_factory=list)
    unmatched_groups: int = 0
    unmatched_events: int = 0

    @property
    def has_data(self) -> bool:
        return self.latest is not None

    @property
    def age_days(self) -> int | None:
        """Days between today and the latest snapshot."""
        return None if self.latest is None else (self.today - self.latest["day"]).days

    @property
    def stale(self) -> bool:
        return self.latest is not None and self.age_days > STALE_AFTER_DAYS

    @property
    def trend(self) -> str:
        return trend_direction(self.latest["trend_30d"]) if self.latest else ""

    @property
    def no_external_id(self) -> bool:
        return not (self.account.external_id or "").strip()


def adoption(account: Account, *, today: dt.date) -> Adoption:
    """The account's adoption: seven queries, whatever the number of days, weeks or users.

    The series are plain tuples (no model, no dict per row): two years of days stay cheap.
    """
    since = today - dt.timedelta(days=HISTORY_DAYS)
    result = Adoption(account=account, today=today)
    days = AccountUsageDay.objects.filter(account=account, day__lte=today)
    # The latest snapshot even when older than the charts: then it says "stale", not "no data".
    result.latest = days.order_by("-day").values(*_DAY_FIELDS).first()
    result.days = list(days.filter(day__gte=since).order_by("day").values_list(*SERIES_FIELDS))
    result.feature_weeks = list(
        AccountFeatureWeek.objects.filter(account=account, week__gte=since, week__lte=today)
        .order_by("week", "feature").values_list(*WEEK_FIELDS)
    )
    result.feature_names = dict(KeyFeature.objects.values_list("key", "name"))
    users = AccountUserActivity.objects.filter(account=account).only(
        "user_id", "as_of", "first_seen", "last_seen", "active_days_30d", "events_30d")
    most = list(users.order_by("-events_30d", "-active_days_30d", "user_id")[:USERS_SHOWN])
    least = list(users.order_by("events_30d", "active_days_30d", "-last_seen", "user_id")[:USERS_SHOWN])
    result.most_active, result.least_active = _split_users(most, least)
    totals = UnmatchedGroup.objects.aggregate(groups=Count("pk"), events=Sum("events"))
    result.unmatched_groups, result.unmatched_events = totals["groups"], totals["events"] or 0
    return result


def _split_users(most: list, least: list) -> tuple[list, list]:
    """The most and least active users, none in both lists.

    When the two lists overlap (or the first is short) they hold every user: the busier half is
    "most active", the rest "least active", least first.
    """
    shown = {u.pk for u in most}
    if len(most) == USERS_SHOWN and not any(u.pk in shown for u in least):
        return most, least
    everyone = most + [u for u in reversed(least) if u.pk not in shown]  # busiest first
    half = (len(everyone) + 1) // 2
    return everyone[:half], everyone[half:][::-1]


# The book -----------------------------------------------------------------------------------------

UTILISATION_BANDS: dict[str, tuple[str, Q]] = {
    "below50": ("Below 50%", Q(usage_utilisation__lt=0.5)),
    "50to80": ("50–80%", Q(usage_utilisation__gte=0.5, usage_utilisation__lte=0.8)),
    "above80": ("Above 80%", Q(usage_utilisation__gt=0.8)),
    "nodata": ("No data", Q(usage_utilisation__isnull=True)),
}


def annotate_latest_usage(qs: QuerySet[Account]) -> QuerySet[Account]:
    """The latest snapshot's utilisation, seats, active users (30 days) and trend: subqueries in the
    book's one list query (the unique (account, day) index finds each)."""
    latest = AccountUsageDay.objects.filter(account=OuterRef("pk")).order_by("-day")
    return qs.annotate(
        usage_day=Subquery(latest.values("day")[:1]),
        usage_utilisation=Subquery(latest.values("utilisation")[:1]),
        usage_seats=Subquery(latest.values("seats")[:1]),
        usage_active_30d=Subquery(latest.values("active_30d")[:1]),
        usage_trend_30d=Subquery(latest.values("trend_30d")[:1]),
    )


def filter_by_utilisation(qs: QuerySet[Account], choice: str) -> QuerySet[Account]:
    """Accounts whose latest utilisation is in the band; "nodata": no snapshot or no seats known."""
    return annotate_latest_usage(qs).filter(UTILISATION_BANDS[choice][1])


# Lowest utilisation first (those not using what they pay for), no data last.
UTILISATION_ORDER = (F("usage_utilisation").asc(nulls_last=True), "-arr", "id")
ACTIVE_ORDER = (F("usage_active_30d").desc(nulls_last=True), "id")


# CS ops pages -------------------------------------------------------------------------------------


def key_features() -> list[KeyFeature]:
    return list(KeyFeature.objects.order_by("name", "id"))


def key_feature(pk: int) -> KeyFeature | None:
    return KeyFeature.objects.filter(pk=pk).first()


def write_keys() -> list[WriteKey]:
    return list(WriteKey.objects.select_related("created_by").order_by("-created_at", "-id"))


def write_key(pk: int) -> WriteKey | None:
    return WriteKey.objects.filter(pk=pk).first()


def unmatched_groups() -> list[UnmatchedGroup]:
    return list(UnmatchedGroup.objects.order_by("-events", "group_id"))
