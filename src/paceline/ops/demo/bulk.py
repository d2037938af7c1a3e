"""Fast inserts for the high-volume rows (interactions, their participants, tasks).

Building a model instance per row costs more than the insert itself at these volumes, so rows go
in as tuples: ``executemany`` on SQLite, ``COPY`` on PostgreSQL. Interactions take ids reserved
up front (so their participants can be written without reading the ids back); the sequence is
moved past them afterwards. The caller holds the load's transaction, and the demo is only loaded
into a database nobody else is writing to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max


def db_datetime(value: dt.datetime | None):
    """An aware datetime as the backend stores it (SQLite: naive UTC text)."""
    if value is None or connection.vendor == "postgresql":
        return value
    if value.tzinfo is dt.UTC and connection.timezone_name == "UTC":
        return str(value.replace(tzinfo=None))  # what the adapter would produce, without its lookups
    return connection.ops.adapt_datetimefield_value(value)


def db_date(value: dt.date | None):
    if value is None or connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datefield_value(value)


def reserve_ids(model: type[models.Model]) -> int:
    """The first of the free primary keys above every existing one; the caller takes them in order."""
    highest = model.objects.aggregate(highest=Max("pk"))["highest"] or 0
    return highest + 1


def reset_sequence(model: type[models.Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert ready-made rows (values already in the backend's form) into the model's table."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(columns))
            batch: list[tuple] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 10_000:
                    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)  # noqa: S608
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)  # noqa: S608
                count += len(batch)
    return count
