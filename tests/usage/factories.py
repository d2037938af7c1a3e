"""Factories for the usage snapshots the metrics job writes, and for what CS ops define."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from paceline.usage.models import (
    AccountFeatureWeek,
    AccountUsageDay,
    AccountUserActivity,
    KeyFeature,
    UnmatchedGroup,
    WriteKey,
)
from paceline.usage.services import write_key_hash
from tests.factories import AccountFactory


class AccountUsageDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountUsageDay

    account = factory.SubFactory(AccountFactory)
    day = factory.LazyFunction(timezone.localdate)
    events = 40
    active_1d = 4
    active_7d = 9
    active_30d = 12
    events_30d = 900
    stickiness = 0.3
    events_per_user = 75.0
    breadth = 2
    breadth_share = 0.5
    seats = 20
    utilisation = factory.LazyAttribute(lambda d: d.active_30d / d.seats if d.seats else None)
    trend_30d = 0.1
    days_since_last = 0


class AccountFeatureWeekFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountFeatureWeek

    account = factory.SubFactory(AccountFactory)
    feature = "reports"
    week = factory.LazyFunction(lambda: (d := timezone.localdate()) - dt.timedelta(days=d.weekday()))
    users = 3
    share = 0.25


class AccountUserActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountUserActivity

    account = factory.SubFactory(AccountFactory)
    user_id = factory.Sequence(lambda n: f"user-{n}")
    as_of = factory.LazyFunction(timezone.localdate)
    first_seen = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=90))
    last_seen = factory.LazyFunction(timezone.localdate)
    active_days_30d = 10
    events_30d = 100


class KeyFeatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyFeature

    key = factory.Sequence(lambda n: f"feature-{n}")
    name = factory.Sequence(lambda n: f"Feature {n}")
    event_names = factory.LazyAttribute(lambda f: [f"{f.name} Used"])


class UnmatchedGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnmatchedGroup

    group_id = factory.Sequence(lambda n: f"unknown-{n}")
    events = 120
    users = 3
    first_seen = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    last_seen = factory.LazyFunction(timezone.localdate)


class WriteKeyFactory(factory.django.DjangoModelFactory):
    """A key whose raw value is ``raw`` (not stored, like the service)."""

    class Meta:
        model = WriteKey
        exclude = ("raw",)

    raw = factory.Sequence(lambda n: f"wk_factory-key-{n:04d}")
    name = factory.Sequence(lambda n: f"Source {n}")
    prefix = factory.LazyAttribute(lambda k: k.raw[:8])
    key_hash = factory.LazyAttribute(lambda k: write_key_hash(k.raw))


def usage_history(account, *, days: int, today: dt.date | None = None, seats: int = 20) -> list[AccountUsageDay]:
    """``days`` daily snapshots ending today, active users growing slowly (bulk-created: fast)."""
    today = today or timezone.localdate()
    rows = []
    for i in range(days):
        day = today - dt.timedelta(days=days - 1 - i)
        active_30d = min(seats, 5 + i // 30)
        rows.append(AccountUsageDay(
            account=account, day=day, events=30, active_1d=max(1, active_30d // 3), active_7d=max(1, active_30d // 2),
            active_30d=active_30d, events_30d=600, stickiness=0.25 + (i % 7) / 100, events_per_user=20.0,
            breadth=2, breadth_share=0.5, seats=seats, utilisation=active_30d / seats, trend_30d=0.05,
            days_since_last=0))
    return AccountUsageDay.objects.bulk_create(rows)


def feature_history(account, *, weeks: int, features: list[str], today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    AccountFeatureWeek.objects.bulk_create([
        AccountFeatureWeek(account=account, feature=feature, week=monday - dt.timedelta(weeks=w), users=2 + w % 3,
                           share=round(((w + n) % 10) / 10, 2))
        for w in range(weeks) for n, feature in enumerate(features)
    ])
