"""The Ibis backends the metrics job runs on: DuckDB (embedded, the default) or Spark.

``connect()`` gives a backend; ``events(con)`` the event store as an Ibis table on it; ``table(con,
name, pyarrow_table)`` puts a small OLTP-side table (account ids, key features, seats, calendar) in
the backend. The caller holds ``store.reading()`` while the events are read.
"""

from __future__ import annotations

import logging
import os
import uuid

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from django.conf import settings

from paceline.usage import store

logger = logging.getLogger("paceline.usage.engines")

ENGINES = ("duckdb", "spark")
SPARK_LOCAL_SHUFFLE_PARTITIONS = 4

_spark_session = None


def engine_name(engine: str | None = None) -> str:
    name = engine or getattr(settings, "USAGE_ENGINE", "duckdb")
    if name not in ENGINES:
        raise ValueError(f"engine: {name!r} is not one of {', '.join(ENGINES)}")
    return name


def connect(engine: str | None = None):
    """An Ibis backend for the metrics job (``engine`` defaults to settings.USAGE_ENGINE)."""
    if engine_name(engine) == "spark":
        return ibis.pyspark.connect(spark_session())
    tmp = store.root() / "duckdb-tmp"
    con = ibis.duckdb.connect(
        threads=int(getattr(settings, "USAGE_DUCKDB_THREADS", os.cpu_count() or 2)),
        memory_limit=getattr(settings, "USAGE_DUCKDB_MEMORY", "1536MB"),
        temp_directory=str(tmp),
    )
    con.raw_sql("SET TimeZone = 'UTC'")  # day boundaries are UTC days
    return con


def spark_session():
    """The process's SparkSession (started once: starting Spark costs seconds)."""
    global _spark_session
    if _spark_session is None:
        from pyspark.sql import SparkSession

        master = getattr(settings, "USAGE_SPARK_MASTER", "local[2]")
        builder = (
            SparkSession.builder.master(master).appName("paceline-usage")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.ansi.enabled", "false")
            # Spark makes its warehouse folder where it runs unless told: keep it with the store.
            .config("spark.sql.warehouse.dir", str(store.root() / "spark-warehouse"))
        )
        if master.startswith("local"):
            builder = builder.config("spark.sql.shuffle.partitions", str(SPARK_LOCAL_SHUFFLE_PARTITIONS))
        _spark_session = builder.getOrCreate()
    return _spark_session


def is_spark(con) -> bool:
    return getattr(con, "name", "") == "pyspark"


def events(con, *, since_month: str | None = None) -> ir.Table:
    """The event store (``store.EVENT_SCHEMA``) as a table of ``con``: every event, or those of the
    months from ``since_month`` on (the older files are not opened at all)."""
    paths = [store.events_glob()] if since_month is None else store.globs_since(since_month)
    return read_parquet(con, paths).select(*store.EVENT_SCHEMA.names)


def read_parquet(con, paths: list[str] | str) -> ir.Table:
    """Parquet files (paths or globs) as a table of ``con``."""
    paths = [paths] if isinstance(paths, str) else list(paths)
    if is_spark(con):  # Ibis reads one path on Spark; Spark itself takes several
        name = f"paceline_parquet_{uuid.uuid4().hex[:12]}"
        spark_session().read.parquet(*paths).createOrReplaceTempView(name)
        return con.table(name)
    return con.read_parquet(paths, hive_partitioning=False)


def table(con, name: str, data: pa.Table) -> ir.Table:
    """A small in-memory table on the backend (replaced if it exists)."""
    name = f"paceline_{name}"
    if is_spark(con):  # Ibis' PySpark backend has no temporary tables: a session temp view
        frame = spark_session().createDataFrame(data.to_pandas(), schema=_spark_schema(data.schema))
        frame.createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, data, temp=True, overwrite=True)


def _spark_schema(schema: pa.Schema) -> str:
    types = {pa.string(): "string", pa.int64(): "bigint"}
    return ", ".join(f"{f.name} {types[f.type]}" for f in schema)
