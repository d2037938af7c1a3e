"""Segment's HTTP Tracking API messages, checked and normalised into event-store rows. Pure.

``parse_body`` turns a request body (gzip or not) into JSON, within Segment's size limits;
``normalise`` turns one message into a row of ``store.EVENT_SCHEMA`` or raises ``EventError``
naming the field; ``Rows`` collects rows column by column and packs them for the inbox.

Timestamps follow Segment: ``timestamp`` (or ``originalTimestamp``) is corrected for the
client's clock skew when ``sentAt`` is given (``timestamp + (receivedAt - sentAt)``); with no
timestamp the event happened when it was received. A message without ``messageId`` gets one,
so it is stored, but a retry of it cannot be recognised: every real client sends one.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson

MAX_EVENT_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MAX_ID = 200
TYPES = ("track", "page", "screen", "identify", "group")
ACTIVITY_TYPES = ("track", "page", "screen")
FUTURE_SLACK = dt.timedelta(days=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class BodyError(ValueError):
    """The request as a whole is unusable: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class EventError(ValueError):
    """One message is malformed: ``field`` names where (``event``, ``context.groupId``...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def parse_body(body: bytes, *, encoding: str = "", limit: int = MAX_BATCH_BYTES) -> Any:
    """The JSON in a request body, gunzipped if need be, refused past ``limit`` bytes (decoded)."""
    encoding = (encoding or "").strip().lower()
    if encoding in {"gzip", "x-gzip"}:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(body, limit + 1)
        except zlib.error as exc:
            raise BodyError(400, f"the body is not valid gzip ({exc})") from None
        if inflater.unconsumed_tail:
            body = body + b"x"  # past the limit: no need to inflate the rest
    elif encoding not in {"", "identity"}:
        raise BodyError(415, f"Content-Encoding {encoding!r} is not supported: send gzip or nothing")
    if len(body) > limit:
        raise BodyError(413, f"the body is larger than {limit // 1024} KB (Segment's limit for this endpoint)")
    if not body:
        raise BodyError(400, "the body is empty: send a JSON object")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BodyError(400, f"the body is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise BodyError(400, "the body must be a JSON object")
    return data


def _ms(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(milliseconds=1)


def _moment(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, str):
        raise EventError(name, "must be an ISO 8601 date-time string")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise EventError(name, f"{value[:40]!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _ident(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise EventError(name, "must be a string or a number")
    text = str(value).strip()
    if len(text) > MAX_ID:
        raise EventError(name, f"is longer than {MAX_ID} characters")
    return text


def _object(message: dict, name: str) -> dict:
    value = message.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise EventError(name, "must be a JSON object")
    return value


@dataclass
class Rows:
    """Normalised events, column by column (``store.EVENT_SCHEMA``; timestamps in ms)."""

    ts: list[int] = field(default_factory=list)
    group_id: list[str] = field(default_factory=list)
    user_id: list[str] = field(default_factory=list)
    event: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    message_id: list[str] = field(default_factory=list)
    received_at: list[int] = field(default_factory=list)
    properties: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ts)

    def columns(self) -> dict[str, list]:
        return {k: getattr(self, k) for k in ("ts", "group_id", "user_id", "event", "type", "message_id",
                                              "received_at", "properties")}

    def pack(self) -> bytes:
        return zlib.compress(orjson.dumps(self.columns()), 1)

    @staticmethod
    def unpack(payload: bytes) -> dict[str, list]:
        return orjson.loads(zlib.decompress(bytes(payload)))


# An inbox payload is either Rows.pack()'s zlib-compressed JSON columns (what a request brings:
# lists built in Python) or, for rows already in Arrow (a checked file), an Arrow IPC stream,
# which starts with this continuation marker and is stored without converting a value.
ARROW_STREAM = b"\xff\xff\xff\xff"


def pack_arrow(table) -> bytes:
    """Rows already in ``store.EVENT_SCHEMA`` as an inbox payload (an Arrow IPC stream, zstd)."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="zstd")
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _size(message: dict) -> int:
    try:
        return len(orjson.dumps(message))
    except (TypeError, orjson.JSONEncodeError):
        raise EventError("message", "holds a value JSON cannot carry (an integer past 64 bits?)") from None


def _dumps(value: dict, name: str) -> str:
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        raise EventError(name, "holds a value JSON cannot carry (an integer past 64 bits?)") from None


def normalise(message: Any, rows: Rows, *, kind: str | None, received_at: dt.datetime,
              sent_at: Any = None, defaults: dict | None = None, group_property: str = "",
              size_checked: bool = False) -> None:
    """Check one message and append its row to ``rows``; raise ``EventError`` naming the field.

    ``kind`` is the endpoint's type (``track`` for ``/v1/track``), None in a batch where each
    message says its ``type``. ``defaults`` are the batch's own ``context``/``integrations``.
    """
    if not isinstance(message, dict):
        raise EventError("message", "must be a JSON object")
    if not size_checked and _size(message) > MAX_EVENT_BYTES:
        raise EventError("message", f"is larger than {MAX_EVENT_BYTES // 1024} KB (Segment's limit per event)")
    declared = message.get("type")
    if kind is None:
        if declared not in TYPES:
            raise EventError("type", f"must be one of {', '.join(TYPES)}")
        kind = declared
    elif declared is not None and declared != kind:
        raise EventError("type", f"is {declared!r} but this endpoint takes {kind} calls")

    user = message.get("userId")
    anonymous = message.get("anonymousId")
    if user not in (None, ""):
        user_id = _ident(user, "userId")
    elif anonymous not in (None, ""):
        user_id = "anon:" + _ident(anonymous, "anonymousId")
    else:
        raise EventError("userId", "give a userId or an anonymousId")
    if not user_id or user_id == "anon:":
        raise EventError("userId", "give a userId or an anonymousId")

    context = _object(message, "context")
    if defaults and isinstance(defaults.get("context"), dict) and not context:
        context = defaults["context"]
    properties = _object(message, "properties")
    traits = _object(message, "traits")

    if kind == "track":
        name = message.get("event")
        if not isinstance(name, str) or not name.strip():
            raise EventError("event", "a track call needs the event's name")
        event = name.strip()
        if len(event) > MAX_ID:
            raise EventError("event", f"is longer than {MAX_ID} characters")
    elif kind in ("page", "screen"):
        name = message.get("name")
        if name is not None and not isinstance(name, str):
            raise EventError("name", "must be a string")
        event = f"{kind}:{(name or '').strip()}"[:MAX_ID]
    else:
        event = kind

    group_id = ""
    if kind == "group":
        if message.get("groupId") in (None, ""):
            raise EventError("groupId", "a group call needs the groupId (the account's external id)")
        group_id = _ident(message["groupId"], "groupId")
    else:
        if context.get("groupId") not in (None, ""):
            group_id = _ident(context["groupId"], "context.groupId")
        elif group_property and properties.get(group_property) not in (None, ""):
            group_id = _ident(properties[group_property], f"properties.{group_property}")

    received_ms = _ms(received_at)
    stamp = message.get("timestamp", message.get("originalTimestamp"))
    if stamp in (None, ""):
        ts = received_ms
    else:
        ts = _ms(_moment(stamp, "timestamp"))
        sent = message.get("sentAt", sent_at)
        if sent not in (None, ""):
            ts += received_ms - _ms(_moment(sent, "sentAt"))
        if ts > received_ms + FUTURE_SLACK // dt.timedelta(milliseconds=1):
            raise EventError("timestamp", "is more than a day in the future")
        if ts < 0:
            raise EventError("timestamp", "is before 1970")

    given = message.get("messageId")
    message_id = uuid.uuid4().hex if given in (None, "") else _ident(given, "messageId")

    extra = traits if kind in ("identify", "group") else properties
    properties_text = _dumps(extra, "traits" if kind in ("identify", "group") else "properties") if extra else None
    # Checked in full above: from here on nothing raises, so a row is appended whole or not at all.
    rows.ts.append(ts)
    rows.group_id.append(group_id)
    rows.user_id.append(user_id)
    rows.event.append(event)
    rows.type.append(kind)
    rows.message_id.append(message_id)
    rows.received_at.append(received_ms)
    rows.properties.append(properties_text)


@dataclass
class Rejected:
    index: int
    field: str
    message: str
    message_id: str = ""

    def as_dict(self) -> dict:
        return {"index": self.index, "messageId": self.message_id, "field": self.field, "error": self.message}


def normalise_batch(data: dict, rows: Rows, *, received_at: dt.datetime, group_property: str = "",
                    body_bytes: int = 0) -> list[Rejected]:
    """Every message of a ``/v1/batch`` body into ``rows``; the malformed ones come back, named."""
    batch = data.get("batch")
    if not isinstance(batch, list):
        raise BodyError(400, "batch: the body needs a 'batch' list of messages")
    defaults = {"context": data.get("context")} if isinstance(data.get("context"), dict) else None
    sent_at = data.get("sentAt")
    small = body_bytes and body_bytes <= MAX_EVENT_BYTES  # no message can be over the limit
    rejected: list[Rejected] = []
    for index, message in enumerate(batch):
        try:
            normalise(message, rows, kind=None, received_at=received_at, sent_at=sent_at, defaults=defaults,
                      group_property=group_property, size_checked=bool(small))
        except EventError as exc:
            mid = message.get("messageId") if isinstance(message, dict) else None
            rejected.append(Rejected(index, exc.field, exc.message, str(mid) if isinstance(mid, str) else ""))
    return rejected
