"""Synthetic events for the metrics tests: a few lines per event, written to the store."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pyarrow as pa

from paceline.usage import store


@dataclass(frozen=True)
class Ev:
    day: dt.date
    group: str
    user: str
    event: str = "Report Viewed"
    type: str = "track"
    hour: int = 12


def table(events: list[Ev]) -> pa.Table:
    ts = [dt.datetime.combine(e.day, dt.time(e.hour), tzinfo=dt.UTC) for e in events]
    return pa.table({
        "ts": pa.array(ts, pa.timestamp("ms", tz="UTC")),
        "group_id": [e.group for e in events],
        "user_id": [e.user for e in events],
        "event": [e.event for e in events],
        "type": [e.type for e in events],
        "message_id": [uuid.uuid4().hex for _ in events],
        "received_at": pa.array(ts, pa.timestamp("ms", tz="UTC")),
    }, schema=pa.schema([f for f in store.EVENT_SCHEMA if f.name != "properties"]))


def write(events: list[Ev]) -> set[dt.date]:
    """Write the events as one new file; returns the days they fall on."""
    with store.writing():
        return store.write_events(table(events))


def days(start: dt.date, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]
