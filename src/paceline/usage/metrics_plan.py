"""How the registry's windows and metrics become one relational plan (Ibis, any backend).

The shape, for the days ``[start, today]`` (events read from ``start - 59`` days, what the 30-day
windows and the 30-day trend of ``start`` need):

1. events -> activity (track/page/screen) per (account, user, day): ``user_days``;
2. a window of N days is, for each (account, user) active on days d1 < d2 < ..., "active" on
   ``[d_i, min(d_i + N, d_i+1))``: a +1 delta at the start and a -1 at the end. Deltas are summed
   per (account, day), laid on a calendar of days per account (from its first activity) and
   turned into counts by one running sum per account (a window function): no self-join per day;
3. the metrics of the registry are expressions over those running counts.

Every function takes Ibis table expressions and returns one, so the plan runs on DuckDB or Spark
and compiles for PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from paceline.usage.metrics import (
    ACTIVITY_TYPES,
    METRICS,
    WINDOWS,
    FeatureWindow,
    Metric,
    Total,
    UserWindow,
    day_number,
    week_number,
)

LOOKBACK_DAYS = 59  # a 30-day window 30 days back (the trend) starts 59 days before the day
HISTORY_DAYS = 30  # AccountUserActivity covers the 30 days ending on the compute day

ACCOUNTS_SCHEMA = {"external_id": "string", "account_id": "int64"}
FEATURES_SCHEMA = {"feature": "string", "event": "string"}
SEATS_SCHEMA = {"account_id": "int64", "start_dn": "int64", "end_dn": "int64", "seats": "int64"}
CALENDAR_SCHEMA = {"dn": "int64"}
HISTORY_SCHEMA = {"group_id": "string", "user_id": "string", "all_events": "int64", "all_first": "int64",
                  "all_last": "int64", "first_seen": "int64", "last_seen": "int64"}


@dataclass(frozen=True)
class Inputs:
    """The tables a plan reads (day numbers are days since 1970-01-01, UTC)."""

    events: ir.Table  # store.EVENT_SCHEMA
    accounts: ir.Table  # ACCOUNTS_SCHEMA: Account.external_id -> Account.id
    features: ir.Table  # FEATURES_SCHEMA: key feature -> one of its event names
    seats: ir.Table  # SEATS_SCHEMA: subscriptions in force [start_dn, end_dn] (not cancelled)
    calendar: ir.Table  # CALENDAR_SCHEMA: every day number of [start - LOOKBACK_DAYS, today]
    start_dn: int  # the first day to compute
    today_dn: int  # the last day to compute
    key_features: int  # how many key features are defined
    # The user history of the events before ``known_until`` (store.History, HISTORY_SCHEMA), when
    # the job has one that holds: ``events`` then needs only the days from ``known_until`` on.
    known: ir.Table | None = None
    known_until: int | None = None

    @property
    def lo_dn(self) -> int:
        return self.start_dn - LOOKBACK_DAYS


def _events_with_day(inputs: Inputs) -> ir.Table:
    ev = inputs.events
    return ev.mutate(dn=day_number(ev.ts))


def _activity(inputs: Inputs, lo_dn: int) -> ir.Table:
    ev = _events_with_day(inputs)
    return ev.filter(ev.type.isin(ACTIVITY_TYPES), ev.dn >= lo_dn, ev.dn <= inputs.today_dn)


def _to_accounts(table: ir.Table, accounts: ir.Table) -> ir.Table:
    """Group ids -> account ids; events of groups with no account drop out (see unmatched_groups)."""
    joined = table.join(accounts, table.group_id == accounts.external_id)
    return joined.drop("group_id", "external_id")


def user_days(inputs: Inputs) -> ir.Table:
    """(account_id, user_id, dn, events): activity per account, user and day, from ``lo_dn``."""
    act = _activity(inputs, inputs.lo_dn)
    per_day = act.group_by("group_id", "user_id", "dn").agg(events=act.count())
    return _to_accounts(per_day, inputs.accounts)


def feature_user_days(inputs: Inputs, lo_dn: int | None = None) -> ir.Table:
    """(account_id, feature, user_id, dn): who used which key feature on which day."""
    act = _activity(inputs, inputs.lo_dn if lo_dn is None else lo_dn)
    used = act.join(inputs.features, act.event == inputs.features.event)
    per_day = used.select("group_id", "feature", "user_id", "dn").distinct()
    return _to_accounts(per_day, inputs.accounts)


def _summed(ev: ir.Table, **more: ir.Value) -> ir.Table:
    """Per (group_id, user_id) of events with ``dn``: HISTORY_SCHEMA's columns (and ``more``)."""
    act = ev.type.isin(ACTIVITY_TYPES)
    return ev.group_by("group_id", "user_id").agg(
        all_events=ev.count().cast("int64"),
        all_first=ev.dn.min().cast("int64"),
        all_last=ev.dn.max().cast("int64"),
        first_seen=ev.dn.min(where=act).cast("int64"),
        last_seen=ev.dn.max(where=act).cast("int64"),
        **more,
    )


def _merged(*parts: ir.Table) -> ir.Table:
    both = ibis.union(*parts, distinct=False)
    extra = {c: both[c].max() for c in both.columns if c not in HISTORY_SCHEMA}
    return both.group_by("group_id", "user_id").agg(
        all_events=both.all_events.sum(), all_first=both.all_first.min(), all_last=both.all_last.max(),
        first_seen=both.first_seen.min(), last_seen=both.last_seen.max(), **extra,
    )


def history(inputs: Inputs) -> ir.Table:
    """Per (group_id, user_id), over all events up to today: what needs the whole history.

    ``all_*`` count every event type (for unmatched groups); the rest only activity. With a known
    history, only the events from ``known_until`` on are read, and the known sums are added.
    """
    ev = _events_with_day(inputs)
    ev = ev.filter(ev.dn <= inputs.today_dn)
    if inputs.known is not None:
        ev = ev.filter(ev.dn >= inputs.known_until)
    act = ev.type.isin(ACTIVITY_TYPES)
    recent = _summed(ev, last_before=ev.dn.max(where=act & (ev.dn < inputs.lo_dn)).cast("int64"))
    if inputs.known is None:
        return recent
    # every known day is before known_until <= lo_dn: its last activity is a "last before"
    known = inputs.known.select(*HISTORY_SCHEMA, last_before=inputs.known.last_seen.cast("int64"))
    return _merged(recent.select(*known.columns), known)


def history_before(inputs: Inputs, until_dn: int) -> ir.Table:
    """The user history (HISTORY_SCHEMA) of the events before ``until_dn``: the known one, plus the
    events from ``known_until`` to ``until_dn``."""
    ev = _events_with_day(inputs)
    ev = ev.filter(ev.dn < until_dn)
    if inputs.known is None:
        return _summed(ev)
    ev = ev.filter(ev.dn >= inputs.known_until)
    return _merged(_summed(ev), inputs.known.select(*HISTORY_SCHEMA))


def account_bounds(inputs: Inputs, hist: ir.Table | None = None) -> ir.Table:
    """(account_id, first_dn, last_before): first activity ever, last activity before ``lo_dn``."""
    hist = history(inputs) if hist is None else hist
    mine = _to_accounts(hist, inputs.accounts)
    bounds = mine.group_by("account_id").agg(first_dn=mine.first_seen.min(), last_before=mine.last_before.max())
    return bounds.filter(bounds.first_dn.notnull())


def _zeros(**values: ir.Value) -> dict[str, ir.Value]:
    """A row of deltas: the given windows' values, 0 for every other window."""
    return {w.name: (values[w.name] if w.name in values else ibis.literal(0, "int64")).cast("int64")
            for w in WINDOWS}


def _with_next_day(table: ir.Table, keys: list[str]) -> ir.Table:
    """Each active day of an entity (``keys``) with the entity's next active day (null if none):
    one window for all the windows of that entity."""
    following = table.dn.lead().over(ibis.window(group_by=[table[k] for k in keys], order_by=table.dn))
    return table.select("account_id", "dn", next_dn=following)


def deltas(inputs: Inputs, aud: ir.Table, fud: ir.Table) -> ir.Table:
    """(account_id, dn, <window>...): the summed +/- deltas of every window per account and day."""
    per_day = aud.group_by("account_id", "dn").agg(users=aud.count(), events=aud.events.sum())
    feature_days = fud.select("account_id", "feature", "dn").distinct()
    per_day_features = feature_days.group_by("account_id", "dn").agg(features=feature_days.count())
    runs = {UserWindow: _with_next_day(aud, ["account_id", "user_id"]),
            FeatureWindow: _with_next_day(feature_days, ["account_id", "feature"])}
    starts = {UserWindow: (per_day, "users"), FeatureWindow: (per_day_features, "features")}
    # Deltas landing on the same (table, day column, shift) share one piece: fewer rows to union.
    pieces: dict[tuple[int, str, int], tuple[ir.Table, str, int, dict[str, ir.Value]]] = {}

    def piece(table: ir.Table, column: str, shift: int, name: str, value: ir.Value) -> None:
        _, _, _, values = pieces.setdefault((id(table), column, shift), (table, column, shift, {}))
        values[name] = values[name] + value if name in values else value

    for window in WINDOWS:
        if isinstance(window, Total):
            amount = per_day[window.of]
            piece(per_day, "dn", 0, window.name, amount)
            piece(per_day, "dn", window.days, window.name, -amount)
            continue
        if type(window) not in runs:  # pragma: no cover - a new kind of window needs its deltas here
            raise TypeError(f"unknown window {window!r}")
        lag = getattr(window, "lag", 0)
        first, count = starts[type(window)]
        piece(first, "dn", lag, window.name, first[count])
        run = runs[type(window)]
        # active on [d, min(d + N, next active day)): the run of this day ends there
        end = ibis.least(run.dn + window.days, run.next_dn.fill_null(run.dn + window.days)) + lag
        ends = run.select("account_id", end=end)
        ended = ends.group_by("account_id", "end").agg(n=ends.count())
        piece(ended, "end", 0, window.name, -ended.n)

    union = ibis.union(*[
        table.select(account_id=table.account_id, dn=table[column] + shift, **_zeros(**values))
        for table, column, shift, values in pieces.values()
    ], distinct=False)
    union = union.filter(union.dn <= inputs.today_dn)
    return union.group_by("account_id", "dn").agg(**{w.name: union[w.name].sum() for w in WINDOWS})


def daily_series(inputs: Inputs, *, aud: ir.Table | None = None, fud: ir.Table | None = None,
                 bounds: ir.Table | None = None) -> ir.Table:
    """One row per account and day of ``[start, today]`` from its first activity, with every window
    as a running count and ``seats``, ``first_dn``, ``last_active``, ``key_features``: what metrics
    read."""
    aud = user_days(inputs) if aud is None else aud
    fud = feature_user_days(inputs) if fud is None else fud
    bounds = account_bounds(inputs) if bounds is None else bounds
    summed = deltas(inputs, aud, fud)
    cal = inputs.calendar
    grid = bounds.join(cal, cal.dn >= bounds.first_dn).select("account_id", "dn", "first_dn", "last_before")
    dense = grid.left_join(summed, ["account_id", "dn"]).select(
        "account_id", "dn", "first_dn", "last_before", *[ibis._[w.name].fill_null(0).name(w.name) for w in WINDOWS]
    )
    running = ibis.cumulative_window(group_by=dense.account_id, order_by=dense.dn)
    summed_up = dense.select(
        "account_id", "dn", "first_dn", "last_before", **{w.name: dense[w.name].sum().over(running) for w in WINDOWS}
    )
    # The last active day needs the running count (a day's delta can be 0 on an active day).
    again = ibis.cumulative_window(group_by=summed_up.account_id, order_by=summed_up.dn)
    active_day = ibis.ifelse(summed_up.users_1d > 0, summed_up.dn, ibis.null("int64"))
    series = summed_up.mutate(
        last_active=ibis.coalesce(active_day.max().over(again), summed_up.last_before)
    ).drop("last_before")
    series = series.filter(series.dn >= inputs.start_dn)
    subs = inputs.seats
    covered = series.select("account_id", "dn").join(
        subs, [series.account_id == subs.account_id, series.dn >= subs.start_dn, series.dn <= subs.end_dn]
    )
    seats = covered.group_by("account_id", "dn").agg(seats=covered.seats.sum())
    seats = seats.filter(seats.seats > 0)
    with_seats = series.left_join(seats, ["account_id", "dn"]).drop("account_id_right", "dn_right")
    return with_seats.mutate(key_features=ibis.literal(inputs.key_features, "int64"))


def usage_days(inputs: Inputs, metrics: tuple[Metric, ...] = METRICS, **parts: ir.Table) -> ir.Table:
    """(account_id, dn, <metric>...): the AccountUsageDay rows of ``[start, today]``."""
    series = daily_series(inputs, **parts)
    return series.select("account_id", "dn", **{m.key: m.expr(series) for m in metrics})


def metric_expr(inputs: Inputs, metric: Metric) -> ir.Table:
    """One metric alone (what the PostgreSQL compile test checks)."""
    return usage_days(inputs, (metric,))


def feature_weeks(inputs: Inputs, *, aud: ir.Table | None = None, fud: ir.Table | None = None) -> ir.Table:
    """(account_id, feature, week_dn, users, share) for the ISO weeks from the start's week."""
    first_week = inputs.start_dn - (inputs.start_dn + 3) % 7
    aud = user_days(inputs) if aud is None else aud
    fud = feature_user_days(inputs) if fud is None else fud
    aud = aud.filter(aud.dn >= first_week).mutate(week_dn=week_number(aud.dn))
    fud = fud.filter(fud.dn >= first_week).mutate(week_dn=week_number(fud.dn))
    active = aud.group_by("account_id", "week_dn").agg(active=aud.user_id.nunique())
    used = fud.group_by("account_id", "feature", "week_dn").agg(users=fud.user_id.nunique())
    joined = used.join(active, ["account_id", "week_dn"])
    return joined.select("account_id", "feature", "week_dn", "users",
                         share=joined.users.cast("float64") / joined.active.cast("float64"))


def user_activity(inputs: Inputs, hist: ir.Table | None = None, *, aud: ir.Table | None = None) -> ir.Table:
    """(account_id, user_id, first_dn, last_dn, days_30d, events_30d): users active in the 30 days
    ending today (first and last seen over the whole history)."""
    hist = history(inputs) if hist is None else hist
    aud = user_days(inputs) if aud is None else aud
    recent = aud.filter(aud.dn > inputs.today_dn - HISTORY_DAYS)
    recent = recent.group_by("account_id", "user_id").agg(days_30d=recent.count(), events_30d=recent.events.sum())
    seen = _to_accounts(hist, inputs.accounts)
    joined = recent.join(seen, ["account_id", "user_id"])
    return joined.select("account_id", "user_id", first_dn=joined.first_seen, last_dn=joined.last_seen,
                         days_30d=joined.days_30d, events_30d=joined.events_30d)


def unmatched_groups(inputs: Inputs, hist: ir.Table | None = None) -> ir.Table:
    """(group_id, events, users, first_dn, last_dn): groups with events and no account ("" = none)."""
    hist = history(inputs) if hist is None else hist
    orphan = hist.anti_join(inputs.accounts, hist.group_id == inputs.accounts.external_id)
    return orphan.group_by("group_id").agg(
        events=orphan.all_events.sum(), users=orphan.count(),
        first_dn=orphan.all_first.min(), last_dn=orphan.all_last.max(),
    )


def unbound_inputs(*, start_dn: int = 20_000, today_dn: int = 20_030, key_features: int = 3) -> Inputs:
    """Inputs over unbound tables: to compile the plan to SQL without a backend."""
    from paceline.usage.store import EVENT_SCHEMA

    return Inputs(
        events=ibis.table(ibis.Schema.from_pyarrow(EVENT_SCHEMA), name="events"),
        accounts=ibis.table(ACCOUNTS_SCHEMA, name="accounts"),
        features=ibis.table(FEATURES_SCHEMA, name="features"),
        seats=ibis.table(SEATS_SCHEMA, name="seats"),
        calendar=ibis.table(CALENDAR_SCHEMA, name="calendar"),
        start_dn=start_dn, today_dn=today_dn, key_features=key_features,
    )
