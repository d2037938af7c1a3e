"""``paceline ingest FILE``: Parquet, CSV and JSON lines; bad rows named by line and field; no duplicates."""

from __future__ import annotations

import datetime as dt

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from paceline.usage import bulk, store
from paceline.usage.models import DirtyDay


@pytest.fixture(autouse=True)
def usage_dir(settings, tmp_path):
    settings.USAGE_DIR = tmp_path / "usage"


def _stored() -> list[dict]:
    rows = [r for f in store.event_files() for r in pq.read_table(f).to_pylist()]
    return sorted(rows, key=lambda r: (r["ts"], r["message_id"]))


def test_a_parquet_file_is_stored_with_its_days_marked(db, tmp_path):
    path = tmp_path / "events.parquet"
    pq.write_table(pa.table({
        "timestamp": pa.array([dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)]),
        "user_id": ["u1", "u2"], "group_id": ["acme", "acme"], "event": ["Login", "Report Viewed"],
        "message_id": ["a", "b"],
    }), path)
    report = bulk.ingest_file(path)
    assert (report.rows, report.stored, report.rejected) == (2, 2, 0)
    assert [(r["user_id"], r["event"], r["type"]) for r in _stored()] == [("u1", "Login", "track"),
                                                                            ("u2", "Report Viewed", "track")]
    assert store.months() == ["2026-11", "2026-12"]
    assert set(DirtyDay.objects.values_list("day", flat=True)) == {dt.date(2026, 11, 2), dt.date(2026, 12, 1)}


def test_bad_csv_rows_are_named_by_line_and_field_and_the_good_ones_kept(db, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "timestamp,userId,groupId,event,messageId\n"
        "2026-11-01T10:00:00Z,u1,acme,Report Viewed,m1\n"
        "2026-11-01T11:00:00Z,u2,acme,,m2\n"
        "yesterday,u3,acme,Login,m3\n"
        "2026-11-02T11:00:00Z,,acme,Login,m4\n"
        "2026-11-03T11:00:00Z,u5,00123,Login,\n")
    report = bulk.ingest_file(path)
    assert [str(e) for e in report.errors] == [
        "line 3: event: a track event needs its name",
        "line 4: timestamp: 'yesterday' is not an ISO 8601 date-time",
        "line 5: user_id: is empty: give a user id or an anonymous id",
    ]
    stored = _stored()
    assert [r["message_id"] for r in stored][0] == "m1"
    assert stored[1]["group_id"] == "00123"  # an id keeps its leading zeros
    assert stored[1]["message_id"].startswith("file-")


def test_the_same_file_twice_stores_its_events_once(db, tmp_path):
    path = tmp_path / "events.jsonl"
    lines = [{"timestamp": "2026-11-01T10:00:00Z", "userId": f"u{i}", "groupId": "acme", "event": "Login",
              "properties": orjson.dumps({"i": i}).decode()} for i in range(5)]
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    assert bulk.ingest_file(path).stored == 5
    again = bulk.ingest_file(path)
    assert (again.stored, again.duplicates) == (0, 5)
    assert len(_stored()) == 5


def test_pages_and_anonymous_users_are_normalised_like_the_http_api(db, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("ts,anonymous_id,type,name,group_id\n2026-11-01T10:00:00Z,a-1,page,Home,acme\n")
    bulk.ingest_file(path)
    assert [(r["user_id"], r["event"], r["type"]) for r in _stored()] == [("anon:a-1", "page:Home", "page")]


def test_a_file_without_a_timestamp_column_is_refused_whole(db, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("userId,event\nu1,Login\n")
    with pytest.raises(bulk.FileError, match="no timestamp column"):
        bulk.ingest_file(path)
    assert store.event_files() == []


def test_the_command_names_an_unknown_format_and_a_missing_file(db, tmp_path):
    path = tmp_path / "events.xlsx"
    path.write_text("x")
    with pytest.raises(CommandError, match="unknown format 'xlsx'"):
        call_command("ingest", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest", str(tmp_path / "missing.csv"))


def test_the_command_reports_rejected_rows_and_fails(db, tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text("timestamp,userId,event\n2026-11-01T10:00:00Z,u1,Login\n2026-11-01T10:00:00Z,u2,\n")
    with pytest.raises(CommandError, match="rejected"):
        call_command("ingest", str(path))
    out = capsys.readouterr()
    assert "1 events stored" in out.out
    assert "line 3: event" in out.err
