"""Bulk ingestion of files: Parquet, CSV and JSON lines, checked column by column.

``read`` streams a file as Arrow record batches; ``check`` turns one batch into event-store rows
and the errors of the rows it had to drop, each naming its line (CSV and JSON lines: the line in
the file; Parquet: the row, from 1) and field. Everything is vectorised: no Python per row unless
a timestamp column needs parsing text by text.

Columns (the first name found wins): ``ts``/``timestamp``, ``user_id``/``userId``,
``anonymous_id``/``anonymousId``, ``group_id``/``groupId``/``account_id``, ``event``/``name``,
``type`` (default ``track``), ``message_id``/``messageId``, ``properties`` (JSON text).
Without a message id column each row gets ``<file digest>:<row>``, so ingesting the same file
twice stores its events once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from paceline.usage import store
from paceline.usage.ingest import TYPES

ALIASES = {
    "ts": ("ts", "timestamp", "time", "occurred_at"),
    "user_id": ("user_id", "userId", "user"),
    "anonymous_id": ("anonymous_id", "anonymousId"),
    "group_id": ("group_id", "groupId", "account_id", "account"),
    "event": ("event", "event_name", "name"),
    "type": ("type",),
    "message_id": ("message_id", "messageId"),
    "properties": ("properties",),
}
BATCH_ROWS = 1_000_000
MAX_ERRORS = 1000


class FileError(ValueError):
    """The file as a whole cannot be read (format, missing columns)."""


@dataclass
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "error": self.message}


@dataclass
class Checked:
    table: pa.Table
    errors: list[RowError] = field(default_factory=list)
    rejected: int = 0


def file_format(path: Path, declared: str = "") -> str:
    name = (declared or path.suffix.lstrip(".")).lower()
    if name in {"parquet", "pq"}:
        return "parquet"
    if name == "csv":
        return "csv"
    if name in {"jsonl", "ndjson", "json"}:
        return "jsonl"
    raise FileError(f"{path.name}: unknown format {name!r}: use a .parquet, .csv or .jsonl file (or --format)")


def digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()[:16]


def read(path: Path, fmt: str) -> Iterator[tuple[pa.RecordBatch, int]]:
    """The file's record batches, each with the line (or row) number of its first row."""
    try:
        if fmt == "parquet":
            first = 1
            for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS):
                yield batch, first
                first += batch.num_rows
        elif fmt == "csv":
            reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=64 << 20),
                                    convert_options=pacsv.ConvertOptions(strings_can_be_null=True,
                                                                         column_types=_csv_types(path)))
            first = 2  # line 1 is the header
            for batch in reader:
                yield batch, first
                first += batch.num_rows
        else:
            table = pajson.read_json(path, parse_options=pajson.ParseOptions(newlines_in_values=False))
            first = 1
            for batch in table.to_batches(max_chunksize=BATCH_ROWS):
                yield batch, first
                first += batch.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileError(f"{path.name}: cannot read it as {fmt}: {exc}") from None


def _csv_types(path: Path) -> dict:
    """Every identifier column read as text (an id like 00123 must keep its zeros)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        header = handle.readline().strip().split(",")
    text = {name for names in ALIASES.values() for name in names} - set(ALIASES["ts"])
    return {name.strip().strip('"'): pa.string() for name in header if name.strip().strip('"') in text}


def _column(batch: pa.RecordBatch, key: str) -> pa.Array | None:
    for name in ALIASES[key]:
        if name in batch.schema.names:
            return batch.column(name)
    return None


def _text(array: pa.Array) -> pa.Array:
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return pc.utf8_trim_whitespace(array.cast(pa.string()))
    if pa.types.is_dictionary(array.type):
        return _text(array.dictionary_decode())
    return array.cast(pa.string())


def _timestamps(array: pa.Array, first: int, errors: list[RowError]) -> tuple[pa.Array, pa.Array]:
    """Timestamps in UTC ms, and a mask of the rows whose timestamp is missing or unreadable."""
    target = pa.timestamp("ms", tz="UTC")
    if pa.types.is_timestamp(array.type):
        if array.type.tz is None:
            array = pc.assume_timezone(array, "UTC")
        out = array.cast(target, safe=False)
        return out, pc.is_null(out)
    if pa.types.is_integer(array.type):  # epoch milliseconds
        out = array.cast(pa.int64()).cast(target)
        return out, pc.is_null(out)
    values = _text(array).to_pylist()
    parsed = []
    for i, value in enumerate(values):
        moment = None
        if value:
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                if len(errors) < MAX_ERRORS:
                    errors.append(RowError(first + i, "timestamp", f"{value[:40]!r} is not an ISO 8601 date-time"))
            else:
                moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        parsed.append(moment)
    out = pa.array(parsed, target)
    return out, pc.is_null(out)


def check(batch: pa.RecordBatch, *, first: int, id_prefix: str, received_at: dt.datetime) -> Checked:
    """One batch as event-store rows; rows with a problem are dropped and named in ``errors``."""
    n = batch.num_rows
    errors: list[RowError] = []
    bad = pa.array([False] * n)

    def reject(mask: pa.Array, field: str, message: str) -> None:
        nonlocal bad
        mask = pc.and_(pc.fill_null(mask, True), pc.invert(bad))
        if pc.any(mask).as_py():
            for index in pc.indices_nonzero(mask).to_pylist()[: max(0, MAX_ERRORS - len(errors))]:
                errors.append(RowError(first + index, field, message))
            bad = pc.or_(bad, mask)

    ts_col = _column(batch, "ts")
    if ts_col is None:
        raise FileError("the file has no timestamp column (ts or timestamp)")
    parse_errors: list[RowError] = []
    ts, ts_bad = _timestamps(ts_col, first, parse_errors)
    errors.extend(parse_errors)
    already = {e.line - first for e in parse_errors}
    if already:
        bad = pc.or_(bad, pa.array([i in already for i in range(n)]))
    reject(ts_bad, "timestamp", "is missing")

    users = _column(batch, "user_id")
    anonymous = _column(batch, "anonymous_id")
    if users is None and anonymous is None:
        raise FileError("the file has no user column (user_id, userId or anonymous_id)")
    user = _text(users) if users is not None else pa.nulls(n, pa.string())
    if anonymous is not None:
        anon = pc.binary_join_element_wise("anon:", _text(anonymous), "")
        user = pc.if_else(pc.or_kleene(pc.is_null(user), pc.equal(user, "")), anon, user)
    reject(pc.or_kleene(pc.is_null(user), pc.equal(user, "")), "user_id", "is empty: give a user id or an anonymous id")
    reject(pc.greater(pc.utf8_length(user), 200), "user_id", "is longer than 200 characters")

    types_col = _column(batch, "type")
    kind = pc.fill_null(_text(types_col), "track") if types_col is not None else pa.array(["track"] * n)
    reject(pc.invert(pc.is_in(kind, pa.array(TYPES))), "type", f"must be one of {', '.join(TYPES)}")

    names = _column(batch, "event")
    event = _text(names) if names is not None else pa.nulls(n, pa.string())
    event = pc.fill_null(event, "")
    is_track = pc.equal(kind, "track")
    reject(pc.and_(is_track, pc.equal(event, "")), "event", "a track event needs its name")
    reject(pc.greater(pc.utf8_length(event), 200), "event", "is longer than 200 characters")
    paged = pc.or_(pc.equal(kind, "page"), pc.equal(kind, "screen"))
    event = pc.if_else(paged, pc.binary_join_element_wise(kind, event, ":"),
                       pc.if_else(is_track, event, kind))

    groups = _column(batch, "group_id")
    group = pc.fill_null(_text(groups), "") if groups is not None else pa.array([""] * n)
    reject(pc.and_(pc.equal(kind, "group"), pc.equal(group, "")), "group_id", "a group row needs the group id")

    ids = _column(batch, "message_id")
    generated = pc.binary_join_element_wise(id_prefix, pa.array(range(first, first + n)).cast(pa.string()), ":")
    if ids is not None:
        given = _text(ids)
        message_id = pc.if_else(pc.or_kleene(pc.is_null(given), pc.equal(given, "")), generated, given)
    else:
        message_id = generated

    props = _column(batch, "properties")
    properties = _text(props) if props is not None else pa.nulls(n, pa.string())

    table = pa.table({
        "ts": ts, "group_id": group, "user_id": user, "event": event, "type": kind, "message_id": message_id,
        "received_at": pa.array([received_at] * n, pa.timestamp("ms", tz="UTC")) if n else
        pa.array([], pa.timestamp("ms", tz="UTC")),
        "properties": properties,
    })
    keep = pc.invert(bad)
    rejected = n - pc.sum(keep.cast(pa.int64())).as_py() if n else 0
    return Checked(store.conform(table.filter(keep)), sorted(errors, key=lambda e: e.line), rejected)


@dataclass
class IngestReport:
    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"rows": self.rows, "stored": self.stored, "duplicates": self.duplicates, "rejected": self.rejected,
                "errors": [e.as_dict() for e in self.errors], "seconds": self.seconds}


def ingest_file(path: Path, *, fmt: str = "", progress=None, dedupe: bool = True) -> IngestReport:
    """Check a file and add its valid rows to the event store (this process is the writer meanwhile).

    Bad rows are reported and skipped; the good ones are stored. ``progress`` (``total``/``advance``)
    counts bytes of Parquet or rows. Duplicates of stored events (same message id) are skipped.
    """
    import time

    from django.utils import timezone

    from paceline.usage import compactor

    began = time.perf_counter()
    path = Path(path)
    fmt = file_format(path, fmt)
    prefix = f"file-{digest(path)}"
    report = IngestReport()
    received_at = timezone.now()
    if progress is not None:
        total = pq.ParquetFile(path).metadata.num_rows if fmt == "parquet" else None
        progress.total(total or path.stat().st_size)
    with store.writing():
        for batch, first in read(path, fmt):
            checked = check(batch, first=first, id_prefix=prefix, received_at=received_at)
            report.rows += batch.num_rows
            report.rejected += checked.rejected
            report.errors.extend(checked.errors[: max(0, MAX_ERRORS - len(report.errors))])
            table = checked.table
            fresh = compactor.prepare(table, compactor.DrainReport(), deduplicate=dedupe,
                                      window_hours=24 * 365 * 100)
            report.duplicates += table.num_rows - fresh.num_rows
            days = store.write_events(fresh)
            compactor.mark_days(days)
            report.stored += fresh.num_rows
            if progress is not None:
                progress.advance(batch.num_rows if fmt == "parquet" else batch.nbytes)
    report.seconds = round(time.perf_counter() - began, 3)
    return report
