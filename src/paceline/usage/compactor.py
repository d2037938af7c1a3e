"""The single compactor: acknowledged batches move from the OLTP inbox into the event store.

One drain, under the store's writer lock:

1. batches already in the store (a file named after their range exists: the process died
   before deleting them) are finished: their side effects re-applied, their days marked, deleted;
2. the next batches are read in id order; ``group`` calls link users to accounts (``UserLink``)
   and ``identify`` calls update the matching contacts (both idempotent);
3. events are deduplicated on ``messageId`` (within the drain, and against what the store
   received in the last ``USAGE_DEDUPE_HOURS``), track events without a group get their user's,
   and the rest is written as one file per month, named after the batch range, fsynced;
4. the days they fall in are marked for the metrics job and the batches deleted, in one transaction.

A crash anywhere loses nothing (the inbox keeps the batches until step 4) and duplicates nothing
(step 1 knows from the file names what was written; ``messageId`` dedupe catches the rest).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import asdict, dataclass

import orjson
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from paceline.core.services import Actor
from paceline.usage import store
from paceline.usage.ingest import ARROW_STREAM, Rows
from paceline.usage.models import DirtyDay, InboxBatch, UserLink

logger = logging.getLogger("paceline.usage.compactor")

INGEST = Actor(user=None, via="ingest")
DRAIN_EVENTS = 500_000  # events per file written: bounded memory, few files
MERGE_FILES = 32  # a month with this many small files is merged into one


@dataclass
class DrainReport:
    batches: int = 0
    received: int = 0
    duplicates: int = 0
    stored: int = 0
    linked_users: int = 0
    contacts_updated: int = 0
    merged_files: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def _table(columns: dict[str, list]) -> pa.Table:
    arrays = {
        "ts": pa.array(columns["ts"], pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
        "group_id": pa.array(columns["group_id"], pa.string()),
        "user_id": pa.array(columns["user_id"], pa.string()),
        "event": pa.array(columns["event"], pa.string()),
        "type": pa.array(columns["type"], pa.string()),
        "message_id": pa.array(columns["message_id"], pa.string()),
        "received_at": pa.array(columns["received_at"], pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
        "properties": pa.array(columns["properties"], pa.string()),
    }
    return pa.table(arrays, schema=store.EVENT_SCHEMA)


def _payload_table(payload: bytes) -> pa.Table:
    data = bytes(payload)
    if data.startswith(ARROW_STREAM):
        return pa.ipc.open_stream(data).read_all().select(store.EVENT_SCHEMA.names).cast(store.EVENT_SCHEMA)
    return _table(Rows.unpack(data))


def _load(batches: list[InboxBatch]) -> pa.Table:
    tables = [_payload_table(b.payload) for b in batches]
    return pa.concat_tables(tables) if tables else store.EVENT_SCHEMA.empty_table()


def dedupe(table: pa.Table, *, window_hours: int | None = None) -> pa.Table:
    """The rows whose ``message_id`` is new: first of its kind here, not stored within the window."""
    if table.num_rows == 0:
        return table
    if not store.has_events() and pc.count_distinct(table["message_id"]).as_py() == table.num_rows:
        return table  # nothing stored to repeat, nothing repeated here: the common first load
    hours = window_hours if window_hours is not None else settings.USAGE_DEDUPE_HOURS
    cutoff = timezone.now() - dt.timedelta(hours=hours)
    con = store.duckdb_connect()
    try:
        con.register("incoming", table)
        params: dict = {}
        seen = ""
        if store.has_events():
            seen = """AND NOT EXISTS (
                SELECT 1 FROM read_parquet($glob) s
                WHERE s.received_at >= $cutoff AND s.message_id = i.message_id)"""
            params = {"glob": store.events_glob(), "cutoff": cutoff}
        sql = """
            SELECT i.* FROM incoming i
            WHERE true {seen}
            QUALIFY row_number() OVER (PARTITION BY i.message_id ORDER BY i.received_at, i.ts) = 1
        """.replace("{seen}", seen)
        return store.query(sql, params, con=con).cast(store.EVENT_SCHEMA)
    finally:
        con.close()


def _link_users(table: pa.Table, report: DrainReport) -> None:
    """``group`` calls: each user's latest group wins."""
    groups = table.filter(pc.equal(table["type"], "group"))
    if groups.num_rows == 0:
        return
    latest: dict[str, tuple[int, str]] = {}
    for user, group, ts in zip(groups["user_id"].to_pylist(), groups["group_id"].to_pylist(),
                               groups["ts"].cast(pa.int64()).to_pylist(), strict=True):
        if user not in latest or ts >= latest[user][0]:
            latest[user] = (ts, group)
    now = timezone.now()
    existing = {u.user_id: u for u in UserLink.objects.filter(user_id__in=list(latest))}
    changed = []
    for user, (_, group) in latest.items():
        link = existing.get(user)
        if link is None:
            changed.append(UserLink(user_id=user, group_id=group, linked_at=now))
        elif link.group_id != group:
            link.group_id, link.linked_at = group, now
            changed.append(link)
    UserLink.objects.bulk_create([c for c in changed if c.pk is None], batch_size=1000)
    UserLink.objects.bulk_update([c for c in changed if c.pk is not None], ["group_id", "linked_at"], batch_size=1000)
    report.linked_users += len(changed)


def _contact_fields(traits: dict) -> dict:
    fields: dict = {}
    name = traits.get("name") or " ".join(str(traits.get(k) or "").strip() for k in ("firstName", "lastName")).strip()
    if isinstance(name, str) and name.strip():
        fields["name"] = name.strip()[:200]
    for trait, field in (("title", "title"), ("phone", "phone")):
        value = traits.get(trait)
        if isinstance(value, str) and value.strip():
            fields[field] = value.strip()[:50 if field == "phone" else 200]
    return fields


def _identify_contacts(table: pa.Table, report: DrainReport) -> None:
    """``identify`` calls: the contact with this external id, or this e-mail at the user's account,
    takes the traits' name, title and phone (and the user id as its external id)."""
    from paceline.customers.models import Account, Contact
    from paceline.customers.services import contact_update

    calls = table.filter(pc.equal(table["type"], "identify"))
    if calls.num_rows == 0:
        return
    latest: dict[str, tuple[str, dict]] = {}
    for user, group, props in zip(calls["user_id"].to_pylist(), calls["group_id"].to_pylist(),
                                  calls["properties"].to_pylist(), strict=True):
        if user.startswith("anon:"):
            continue
        traits = orjson.loads(props) if props else {}
        latest[user] = (group, traits if isinstance(traits, dict) else {})
    links = dict(UserLink.objects.filter(user_id__in=list(latest)).values_list("user_id", "group_id"))
    by_external = {c.external_id: c for c in Contact.objects.filter(external_id__in=list(latest))}
    groups = {g or links.get(u, "") for u, (g, _) in latest.items() if u not in by_external}
    accounts = {a.external_id: a for a in Account.objects.filter(external_id__in=groups - {""})}
    for user, (group, traits) in latest.items():
        contact = by_external.get(user)
        fields = _contact_fields(traits)
        if contact is None:
            email = traits.get("email")
            group = group or links.get(user, "")
            if not (isinstance(email, str) and email.strip() and group):
                continue
            account = accounts.get(group)
            contact = account and Contact.objects.filter(account=account, email__iexact=email.strip()).first()
            if contact is None:
                continue
            if not contact.external_id and not Contact.objects.filter(external_id=user).exists():
                fields["external_id"] = user
        changes = {k: v for k, v in fields.items() if getattr(contact, k) != v}
        if changes:
            contact_update(actor=INGEST, contact=contact, **changes)
            report.contacts_updated += 1


def _resolve_groups(table: pa.Table) -> pa.Table:
    """Track, page and screen events without a group take their user's (from ``group`` calls)."""
    missing = pc.equal(table["group_id"], "")
    if not pc.any(missing).as_py():
        return table
    users = pc.unique(table.filter(missing)["user_id"]).to_pylist()
    links = dict(UserLink.objects.filter(user_id__in=users).values_list("user_id", "group_id"))
    if not links:
        return table
    mapped = pa.array([links.get(u, "") for u in table["user_id"].to_pylist()], pa.string())
    group = pc.if_else(missing, mapped, table["group_id"])
    return table.set_column(table.schema.get_field_index("group_id"), "group_id", group)


def _side_effects(table: pa.Table, report: DrainReport) -> None:
    with transaction.atomic():
        _link_users(table, report)
        _identify_contacts(table, report)


def prepare(table: pa.Table, report: DrainReport, *, deduplicate: bool = True,
            window_hours: int | None = None) -> pa.Table:
    """What every way into the store does before writing (the inbox here, files in ``bulk``):
    links and contacts from group and identify calls, duplicates dropped (by messageId, within
    ``window_hours``), and track/page/screen events without a group given their user's group."""
    _side_effects(table, report)
    fresh = dedupe(table, window_hours=window_hours) if deduplicate else table
    return _resolve_groups(fresh)


def mark_days(days: set[dt.date] | list[dt.date]) -> None:
    """Tell the metrics job these days of events changed."""
    days = set(days)
    if not days:
        return
    known = set(DirtyDay.objects.filter(day__in=days).values_list("day", flat=True))
    DirtyDay.objects.bulk_create([DirtyDay(day=d) for d in sorted(days - known)], batch_size=1000)


def _days(table: pa.Table) -> set[dt.date]:
    return set(pc.unique(pc.cast(table["ts"], pa.date32())).to_pylist()) if table.num_rows else set()


def _finish(batches: list[InboxBatch], table: pa.Table) -> None:
    with transaction.atomic():
        mark_days(_days(table))
        InboxBatch.objects.filter(id__in=[b.id for b in batches]).delete()


def _next_batches(after: int, limit: int) -> list[InboxBatch]:
    """Batches after ``after`` in id order, up to about ``limit`` events (at least one batch)."""
    chosen: list[InboxBatch] = []
    total = 0
    for batch in InboxBatch.objects.filter(id__gt=after).order_by("id").only("id", "count")[:2000]:
        if chosen and total + batch.count > limit:
            break
        chosen.append(batch)
        total += batch.count
    if not chosen:
        return []
    return list(InboxBatch.objects.filter(id__in=[b.id for b in chosen]).order_by("id"))


def inbox_drain(*, max_events: int = DRAIN_EVENTS, max_rounds: int | None = None) -> DrainReport:
    """Move everything the inbox holds into the event store (see the module's docstring)."""
    began = time.perf_counter()
    report = DrainReport()
    with store.writing():
        done = store.last_batch_written()
        leftovers = list(InboxBatch.objects.filter(id__lte=done).order_by("id"))
        if leftovers:
            logger.warning("finishing %d inbox batches already written before a stop", len(leftovers))
            table = _load(leftovers)
            _side_effects(table, report)
            _finish(leftovers, table)
        rounds = 0
        while max_rounds is None or rounds < max_rounds:
            batches = _next_batches(done, max_events)
            if not batches:
                break
            rounds += 1
            table = _load(batches)
            report.batches += len(batches)
            report.received += table.num_rows
            fresh = prepare(table, report)
            report.duplicates += table.num_rows - fresh.num_rows
            report.stored += fresh.num_rows
            first, last = batches[0].id, batches[-1].id
            store.write_events(fresh, stem=f"b{first:012d}-{last:012d}")
            store.note_last_batch(last)
            _finish(batches, table)
            done = last
        for month in store.months():
            report.merged_files += store.merge_month(month, min_files=MERGE_FILES)
    report.seconds = round(time.perf_counter() - began, 3)
    if report.batches:
        logger.info("inbox drained: %s", report.as_dict())
    return report
