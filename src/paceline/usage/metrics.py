"""The registry of usage metrics: each one a small declared object, written once in Ibis.

Two kinds of declarations:

- **windows** (``UserWindow``, ``FeatureWindow``, ``Total``): a per-account, per-day running
  quantity over the N days ending on the day (inclusive). ``metrics_plan`` turns every window into
  +/- deltas and one running sum per account, so a 30-day distinct count never needs a self-join;
- **metrics** (``Metric``): a column of ``AccountUsageDay``, an Ibis expression over the windows
  of the day (plus ``seats``, ``first_dn``, ``last_active`` and ``key_features``).

Adding a metric is adding one object here (and its column). The expressions use only operations
that compile on DuckDB, PostgreSQL and Spark (a test compiles each one for PostgreSQL). Days are
integer day numbers (days since 1970-01-01, UTC) so that date arithmetic is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import ibis
import ibis.expr.types as ir

ACTIVITY_TYPES = ("track", "page", "screen")
STICKINESS_DAYS = 30


@dataclass(frozen=True)
class UserWindow:
    """Distinct users active in the ``days`` days ending ``lag`` days before the day."""

    name: str
    days: int
    lag: int = 0


@dataclass(frozen=True)
class FeatureWindow:
    """Distinct key features used in the ``days`` days ending on the day."""

    name: str
    days: int


@dataclass(frozen=True)
class Total:
    """The sum of a daily quantity (events, or daily active users) over ``days`` days."""

    name: str
    of: Literal["events", "users"]
    days: int


Window = UserWindow | FeatureWindow | Total

WINDOWS: tuple[Window, ...] = (
    UserWindow("users_1d", 1),
    UserWindow("users_7d", 7),
    UserWindow("users_30d", 30),
    UserWindow("users_30d_before", 30, lag=30),
    FeatureWindow("features_30d", 30),
    Total("events_1d", "events", 1),
    Total("events_30d", "events", 30),
    Total("user_days_30d", "users", STICKINESS_DAYS),
)


def _ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """numerator / denominator, null when the denominator is 0 or null (never a made-up 0)."""
    return ibis.ifelse(denominator > 0, numerator.cast("float64") / denominator.cast("float64"),
                       ibis.null("float64"))


@dataclass(frozen=True)
class Metric:
    key: str  # the column of AccountUsageDay
    label: str
    expr: Callable[[ir.Table], ir.Value]  # over the day's windows (see metrics_plan.daily_series)


METRICS: tuple[Metric, ...] = (
    Metric("events", "Events on the day", lambda s: s.events_1d),
    Metric("active_1d", "Active users on the day", lambda s: s.users_1d),
    Metric("active_7d", "Active users, 7 days", lambda s: s.users_7d),
    Metric("active_30d", "Active users, 30 days", lambda s: s.users_30d),
    Metric("events_30d", "Events, 30 days", lambda s: s.events_30d),
    Metric("stickiness", "DAU / MAU (mean daily active users over 30 days, or over the days since the "
                         "first activity when fewer, / active users, 30 days)",
           lambda s: _ratio(s.user_days_30d, s.users_30d * ibis.least(s.dn - s.first_dn + 1, STICKINESS_DAYS))),
    Metric("events_per_user", "Events per active user, 30 days", lambda s: _ratio(s.events_30d, s.users_30d)),
    Metric("breadth", "Key features used, 30 days", lambda s: s.features_30d),
    Metric("breadth_share", "Key features used / key features defined",
           lambda s: _ratio(s.features_30d, s.key_features)),
    Metric("seats", "Seats of the subscriptions in force", lambda s: s.seats),
    Metric("utilisation", "License utilisation (active users, 30 days / seats)",
           lambda s: _ratio(s.users_30d, s.seats)),
    Metric("trend_30d", "Active users (30 days) against the 30 days before",
           lambda s: _ratio(s.users_30d - s.users_30d_before, s.users_30d_before)),
    Metric("days_since_last", "Days since the last activity", lambda s: s.dn - s.last_active),
)

METRICS_BY_KEY = {m.key: m for m in METRICS}


def day_number(ts: ir.TimestampValue) -> ir.IntegerValue:
    """The UTC day of a timestamp as days since 1970-01-01 (portable integer arithmetic)."""
    return (ts.epoch_seconds() // 86400).cast("int64")


def week_number(dn: ir.IntegerValue) -> ir.IntegerValue:
    """The Monday (as a day number) of the ISO week of a day number (1970-01-01 was a Thursday)."""
    return dn - (dn + 3) % 7
