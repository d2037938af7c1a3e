"""Computed metric sources: a metric bound to one gets its values on its own, every day.

A source is a small declared object in a registry. Paceline's own record provides a few; the
usage-analytics capability registers the product-usage ones (active users, feature adoption...)
from its ``AppConfig.ready()`` with ``register_source``. The daily job asks each bound metric's
source for today's value and records it as a computed measurement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from paceline.core.services import SYSTEM
from paceline.customers.models import Account, ContactStatus, Interaction, Task, TaskStatus


@dataclass(frozen=True)
class MetricSource:
    """``compute(account, day, params)`` returns the value on that day, or None when unknown."""

    key: str
    label: str
    unit: str
    compute: Callable[[Account, dt.date, dict], Decimal | None]
    description: str = ""


_registry: dict[str, MetricSource] = {}


def register_source(source: MetricSource) -> None:
    _registry[source.key] = source


def get_source(key: str) -> MetricSource | None:
    return _registry.get(key)


def all_sources() -> list[MetricSource]:
    return sorted(_registry.values(), key=lambda s: s.label)


def _active_contacts(account: Account, day: dt.date, params: dict) -> Decimal:
    return Decimal(account.contacts.filter(status=ContactStatus.ACTIVE).count())


def _interactions(account: Account, day: dt.date, params: dict) -> Decimal:
    days = int(params.get("days", 90))
    since = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=days), dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    qs = Interaction.objects.filter(account=account, occurred_at__gte=since, occurred_at__lt=until)
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    return Decimal(qs.count())


def _open_tasks(account: Account, day: dt.date, params: dict) -> Decimal:
    return Decimal(Task.objects.filter(account=account, status=TaskStatus.OPEN, due_date__lt=day).count())


register_source(MetricSource("customers.active_contacts", "Active contacts", "count", _active_contacts,
                             "People at the customer we are in touch with."))
register_source(MetricSource("customers.interactions", "Interactions in the last N days", "count", _interactions,
                             'Params: {"days": 90, "kind": "meeting"} (kind optional).'))
register_source(MetricSource("customers.overdue_tasks", "Overdue tasks", "count", _open_tasks,
                             "Open tasks past their due date."))


def refresh_computed(*, today: dt.date | None = None) -> dict[str, int]:
    """Record today's value of every open metric bound to a source. Returns counts by outcome."""
    from paceline.success.models import OPEN_GOAL_STATUSES, MeasurementSource, SuccessMetric
    from paceline.success.services import measurement_record

    today = today or timezone.localdate()
    counts = {"recorded": 0, "unknown": 0, "unregistered": 0}
    metrics = SuccessMetric.objects.exclude(source="").filter(goal__status__in=OPEN_GOAL_STATUSES)
    for metric in metrics.select_related("goal__plan__account"):
        source = get_source(metric.source)
        if source is None:
            counts["unregistered"] += 1
            continue
        value = source.compute(metric.goal.plan.account, today, metric.source_params or {})
        if value is None:
            counts["unknown"] += 1
            continue
        with transaction.atomic():
            measurement_record(actor=SYSTEM, metric=metric, measured_on=today, value=value,
                               source=MeasurementSource.COMPUTED, note=f"computed by {source.key}")
        counts["recorded"] += 1
    return counts


# Product usage: the account's daily usage snapshot (written by the usage metrics job) -------------

USAGE_STALE_DAYS = 7


def _usage_day(account: Account, day: dt.date):
    from paceline.usage.models import AccountUsageDay

    return (AccountUsageDay.objects.filter(account=account, day__lte=day,
                                           day__gte=day - dt.timedelta(days=USAGE_STALE_DAYS))
            .order_by("-day").first())


def _usage_value(field: str, scale: int = 1) -> Callable[[Account, dt.date, dict], Decimal | None]:
    def compute(account: Account, day: dt.date, params: dict) -> Decimal | None:
        snapshot = _usage_day(account, day)
        value = getattr(snapshot, field) if snapshot is not None else None
        return None if value is None else Decimal(str(round(value * scale, 4)))

    return compute


def _feature_share(account: Account, day: dt.date, params: dict) -> Decimal | None:
    from paceline.usage.models import AccountFeatureWeek

    feature = params.get("feature", "")
    week = (AccountFeatureWeek.objects.filter(account=account, feature=feature, week__lte=day,
                                              week__gte=day - dt.timedelta(days=14))
            .order_by("-week").first())
    return None if week is None else Decimal(str(round(week.share * 100, 2)))


register_source(MetricSource("usage.active_users_30d", "Active users (30 days)", "users",
                             _usage_value("active_30d"), "Product users active in the 30 days to the day."))
register_source(MetricSource("usage.utilisation", "License utilisation", "%", _usage_value("utilisation", 100),
                             "Active users (30 days) as a share of the seats under contract."))
register_source(MetricSource("usage.stickiness", "Stickiness (DAU/MAU)", "%", _usage_value("stickiness", 100),
                             "Average daily active users over the monthly active users."))
register_source(MetricSource("usage.breadth", "Key features used (30 days)", "features", _usage_value("breadth"),
                             "How many of the key features the account used in 30 days."))
register_source(MetricSource("usage.feature_share", "Users of a key feature", "%", _feature_share,
                             'Share of the week\'s active users who used it. Params: {"feature": "reports"}.'))
