"""The metrics job: from the event store to the daily usage snapshots in OLTP.

``usage_compute()`` recomputes the days that changed (``DirtyDay``, marked by the compactor) and
the new days since the last snapshot, through today. A changed day moves the 30-day windows of the
29 days after it and the 30-day trend of the 30 after those, so the job recomputes from the
earliest dirty day to today. ``full=True`` recomputes everything from the first event.

It holds ``store.reading()`` from reading ``DirtyDay`` to clearing it: the compactor writes files
and marks days under ``store.writing()``, so a day marked while the job runs is never cleared
unseen. Snapshot rows are replaced (bulk delete + bulk insert) in one transaction. An account with
no activity has no rows: no zeros are invented.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import asdict, dataclass, field

import ibis.expr.types as ir
import pyarrow as pa
from django.db import connection, transaction

from paceline.customers.models import Account, Subscription, SubscriptionStatus
from paceline.usage import engines, metrics_plan, store
from paceline.usage.metrics import ACTIVITY_TYPES, METRICS, day_number
from paceline.usage.models import (
    AccountFeatureWeek,
    AccountUsageDay,
    AccountUserActivity,
    DirtyDay,
    KeyFeature,
    UnmatchedGroup,
)

logger = logging.getLogger("paceline.usage.compute")

EPOCH = dt.date(1970, 1, 1)
CHUNK = 5000


def to_dn(day: dt.date) -> int:
    return (day - EPOCH).days


def from_dn(dn: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(dn))


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass
class ComputeReport:
    engine: str = ""
    start: dt.date | None = None
    today: dt.date | None = None
    days: int = 0
    accounts: int = 0
    usage_days: int = 0
    feature_weeks: int = 0
    user_activity: int = 0
    unmatched_groups: int = 0
    dirty_days_cleared: int = 0
    read_from: dt.date | None = None  # events read from this day on (None: all of them)
    history_until: dt.date | None = None  # the user history was saved up to this day
    read_seconds: float = 0.0
    write_seconds: float = 0.0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.usage_days + self.feature_weeks + self.user_activity + self.unmatched_groups

    def as_dict(self) -> dict:
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["today"] = self.today.isoformat() if self.today else None
        for key in ("read_from", "history_until"):
            data[key] = data[key].isoformat() if data[key] else None
        data["rows"] = self.rows
        return data


class _Silent:
    def total(self, n: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


def _oltp_tables(con, *, lo_dn: int, today_dn: int) -> dict:
    """The OLTP side of the plan, put in the backend: account ids, key features, seats, calendar."""
    accounts = list(Account.objects.exclude(external_id__isnull=True).exclude(external_id="")
                    .values_list("external_id", "id"))
    features = [(f.key, name) for f in KeyFeature.objects.all() for name in dict.fromkeys(f.event_names or [])]
    subs = list(Subscription.objects.exclude(status=SubscriptionStatus.CANCELLED).filter(seats__gt=0)
                .values_list("account_id", "start_date", "end_date", "seats"))
    return {
        "accounts": engines.table(con, "accounts", pa.table({
            "external_id": pa.array([a[0] for a in accounts], pa.string()),
            "account_id": pa.array([a[1] for a in accounts], pa.int64()),
        })),
        "features": engines.table(con, "features", pa.table({
            "feature": pa.array([f[0] for f in features], pa.string()),
            "event": pa.array([f[1] for f in features], pa.string()),
        })),
        "seats": engines.table(con, "seats", pa.table({
            "account_id": pa.array([s[0] for s in subs], pa.int64()),
            "start_dn": pa.array([to_dn(s[1]) for s in subs], pa.int64()),
            "end_dn": pa.array([to_dn(s[2]) for s in subs], pa.int64()),
            "seats": pa.array([s[3] for s in subs], pa.int64()),
        })),
        "calendar": engines.table(con, "calendar", pa.table({"dn": pa.array(range(lo_dn, today_dn + 1), pa.int64())})),
        "key_features": len({f[0] for f in features}),
    }


def _first_activity_dn(con, events) -> int | None:
    act = events.filter(events.type.isin(ACTIVITY_TYPES))
    value = con.execute(day_number(act.ts.min()))
    return None if value is None or value != value else int(value)  # NaN from an empty table


def _incremental_start(dirty: list[dt.date]) -> int | None:
    """The first day an incremental run must compute: the day after the last snapshot, or the
    earliest changed day. None when there is no snapshot yet (the run starts at the first event)."""
    last = AccountUsageDay.objects.order_by("-day").values_list("day", flat=True).first()
    if last is None:
        return None
    return min([to_dn(last) + 1] + [to_dn(d) for d in dirty])


def _month_start_dn(dn: int) -> int:
    return to_dn(from_dn(dn).replace(day=1))


def _known_history(*, full: bool, lo_dn: int) -> store.History | None:
    """The saved user history, if this run may use it: it sums up only days before the run's
    first read day, and the months it covers still hold the events it was made from (a late
    event there marks a dirty day, which moves ``lo_dn`` before it; a file changed by hand
    changes the count)."""
    known = None if full else store.history_saved()
    if known is None or known.until_dn > lo_dn:
        return None
    if store.rows_before(store.month_of(from_dn(known.until_dn))) != known.rows_before:
        logger.info("the saved user history no longer matches the store: reading every month")
        return None
    return known


def _save_history(con, inputs: metrics_plan.Inputs, report: ComputeReport) -> None:
    """Keep the user history up to the first day the next nightly run will read (a month's first)."""
    until = _month_start_dn(inputs.today_dn + 1 - metrics_plan.LOOKBACK_DAYS)
    if inputs.known_until is not None and until <= inputs.known_until:
        return
    table = con.to_pyarrow(metrics_plan.history_before(inputs, until))
    store.history_save(table, until_dn=until, rows_before=store.rows_before(store.month_of(from_dn(until))))
    report.history_until = from_dn(until)


def _insert(model, fields: list[str], rows: ir.Table, columns: list[str], progress, **constant) -> int:
    """Insert the rows of a computed table with the driver's executemany, streamed from the backend
    ``CHUNK`` rows at a time: no model instances, no batches of a few dozen rows as ``bulk_create``
    must make on SQLite, and one chunk in memory at once (Arrow, then Python values). ``columns`` are
    the table's columns for ``fields`` in order (day numbers, ``*_dn``, become dates); ``constant``
    fields follow them."""
    meta = model._meta
    names = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in [*fields, *constant])
    placeholders = ", ".join(["%s"] * (len(fields) + len(constant)))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608
    n = 0
    with connection.cursor() as cursor:
        for part in rows.select(*columns).to_pyarrow_batches(chunk_size=CHUNK):
            if not part.num_rows:
                continue
            values = [_days(part.column(c).to_pylist()) if c == "dn" or c.endswith("_dn")
                      else part.column(c).to_pylist() for c in columns]
            values += [[v] * part.num_rows for v in constant.values()]
            cursor.executemany(sql, list(zip(*values, strict=True)))
            progress.advance(part.num_rows)
            n += part.num_rows
    return n


def _days(values: list) -> list[dt.date]:
    return [from_dn(v) for v in values]


def _read(inputs: metrics_plan.Inputs, cached: list) -> dict[str, ir.Table]:
    """Run the plan on the backend. The intermediate tables several outputs share and the outputs
    are cached there (DuckDB spills them to disk past its memory limit), to be written in chunks;
    ``cached`` collects them, for the caller to release."""

    def cache(table: ir.Table) -> ir.Table:
        cached.append(table.cache())
        return cached[-1]

    hist = cache(metrics_plan.history(inputs))
    aud = cache(metrics_plan.user_days(inputs))
    fud = cache(metrics_plan.feature_user_days(inputs))
    bounds = metrics_plan.account_bounds(inputs, hist)
    return {
        "usage": cache(metrics_plan.usage_days(inputs, aud=aud, fud=fud, bounds=bounds)),
        "weeks": cache(metrics_plan.feature_weeks(inputs, aud=aud, fud=fud)),
        "users": cache(metrics_plan.user_activity(inputs, hist, aud=aud)),
        "unmatched": cache(metrics_plan.unmatched_groups(inputs, hist)),
    }


def _write(result: dict[str, ir.Table], *, report: ComputeReport, full: bool, start: dt.date,
           today: dt.date, dirty: list[DirtyDay], progress) -> None:
    usage, weeks, users, unmatched = (result[k] for k in ("usage", "weeks", "users", "unmatched"))
    progress.total(sum(int(t.count().execute()) for t in (usage, weeks, users, unmatched)))
    first_week = start - dt.timedelta(days=start.weekday())
    with transaction.atomic():
        days = AccountUsageDay.objects.all() if full else AccountUsageDay.objects.filter(day__gte=start)
        days.filter(day__lte=today).delete()
        keys = [m.key for m in METRICS]
        report.usage_days = _insert(AccountUsageDay, ["account", "day", *keys], usage,
                                    ["account_id", "dn", *keys], progress)
        feature_weeks = AccountFeatureWeek.objects.all() if full else AccountFeatureWeek.objects.filter(week__gte=first_week)
        feature_weeks.delete()
        report.feature_weeks = _insert(AccountFeatureWeek, ["account", "feature", "week", "users", "share"], weeks,
                                       ["account_id", "feature", "week_dn", "users", "share"], progress)
        AccountUserActivity.objects.all().delete()
        report.user_activity = _insert(
            AccountUserActivity, ["account", "user_id", "first_seen", "last_seen", "active_days_30d", "events_30d"],
            users, ["account_id", "user_id", "first_dn", "last_dn", "days_30d", "events_30d"], progress, as_of=today)
        UnmatchedGroup.objects.all().delete()
        report.unmatched_groups = _insert(UnmatchedGroup, ["group_id", "events", "users", "first_seen", "last_seen"],
                                          unmatched, ["group_id", "events", "users", "first_dn", "last_dn"], progress)
        report.dirty_days_cleared, _ = DirtyDay.objects.filter(pk__in=[d.pk for d in dirty]).delete()
    report.accounts = int(usage.account_id.nunique().execute())


def _done(report: ComputeReport, began: float, note: str) -> ComputeReport:
    report.notes.append(note)
    report.seconds = round(time.perf_counter() - began, 3)
    return report


def usage_compute(*, engine: str | None = None, full: bool = False, today: dt.date | None = None,
                  progress=None) -> ComputeReport:
    """Bring the daily usage snapshots up to date through ``today`` (default: today, UTC)."""
    began = time.perf_counter()
    progress = progress or _Silent()
    today = today or utc_today()
    report = ComputeReport(engine=engines.engine_name(engine), today=today)
    with store.reading():
        dirty = list(DirtyDay.objects.filter(day__lte=today))
        if not store.has_events():
            return _done(report, began, "no events in the store")
        con = engines.connect(report.engine)
        cached: list = []
        try:
            today_dn = to_dn(today)
            start_dn = None if full else _incremental_start([d.day for d in dirty])
            if start_dn is None:
                first_dn = _first_activity_dn(con, engines.events(con))
                if first_dn is None or first_dn > today_dn:
                    return _done(report, began, "no activity up to today")
                start_dn = first_dn
            if start_dn > today_dn:
                return _done(report, began, "up to date")
            report.start, report.days = from_dn(start_dn), today_dn - start_dn + 1
            lo_dn = start_dn - metrics_plan.LOOKBACK_DAYS
            known = _known_history(full=full, lo_dn=lo_dn)
            since = store.month_of(from_dn(known.until_dn)) if known else None
            if since is not None and not store.globs_since(since):
                known, since = None, None  # nothing since: read everything, the history is rebuilt
            events = engines.events(con, since_month=since)
            oltp = _oltp_tables(con, lo_dn=lo_dn, today_dn=today_dn)
            inputs = metrics_plan.Inputs(
                events=events, start_dn=start_dn, today_dn=today_dn, **oltp,
                known=engines.read_parquet(con, str(known.path)) if known else None,
                known_until=known.until_dn if known else None,
            )
            report.read_from = from_dn(known.until_dn) if known else None
            result = _read(inputs, cached)
            _save_history(con, inputs, report)
            report.read_seconds = round(time.perf_counter() - began, 3)
            _write(result, report=report, full=full, start=report.start, today=today, dirty=dirty,
                   progress=progress)
        finally:
            for table in reversed(cached):  # now, not when garbage-collected after the disconnect
                table.release()
            if not engines.is_spark(con):
                con.disconnect()
    report.seconds = round(time.perf_counter() - began, 3)
    report.write_seconds = round(report.seconds - report.read_seconds, 3)
    logger.debug("usage computed: %s", report.as_dict())
    return report
