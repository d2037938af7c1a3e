"""The compactor: inbox -> event store, deduplicated, groups resolved, contacts updated, crash-safe."""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq
import pytest
from django.utils import timezone

from paceline.usage import compactor, ingest, store
from paceline.usage.models import DirtyDay, InboxBatch, UserLink
from paceline.usage.services import inbox_append
from tests.factories import AccountFactory, ContactFactory


@pytest.fixture(autouse=True)
def usage_dir(settings, tmp_path):
    settings.USAGE_DIR = tmp_path / "usage"
    return settings.USAGE_DIR


def _journal(*messages: dict) -> InboxBatch:
    rows = ingest.Rows()
    for message in messages:
        ingest.normalise(message, rows, kind=None, received_at=timezone.now())
    return inbox_append(payload=rows.pack(), count=len(rows), write_key=None)


def _events() -> list[dict]:
    files = store.event_files()
    if not files:
        return []
    rows = []
    for path in files:
        rows.extend(pq.read_table(path).to_pylist())
    return sorted(rows, key=lambda r: r["message_id"])


def track(mid: str, user: str = "u1", group: str | None = "acme", day: str = "2026-11-30") -> dict:
    message = {"type": "track", "userId": user, "event": "Report Viewed", "messageId": mid,
               "timestamp": f"{day}T10:00:00Z"}
    if group is not None:
        message["context"] = {"groupId": group}
    return message


def test_it_moves_batches_into_the_store_and_empties_the_inbox(db):
    _journal(track("m1"), track("m2", day="2026-10-31"))
    _journal(track("m3"))
    report = compactor.inbox_drain()
    assert (report.batches, report.received, report.stored, report.duplicates) == (2, 3, 3, 0)
    assert not InboxBatch.objects.exists()
    assert [e["message_id"] for e in _events()] == ["m1", "m2", "m3"]
    assert store.months() == ["2026-10", "2026-11"]
    assert set(DirtyDay.objects.values_list("day", flat=True)) == {dt.date(2026, 11, 30), dt.date(2026, 10, 31)}


def test_a_retried_message_is_stored_once_in_one_drain_and_across_drains(db):
    _journal(track("m1"), track("m2"))
    _journal(track("m2"), track("m3"))  # a retry of a half-acknowledged batch
    first = compactor.inbox_drain()
    assert (first.stored, first.duplicates) == (3, 1)
    _journal(track("m1"), track("m3"), track("m4"))  # retried again, later
    second = compactor.inbox_drain()
    assert (second.stored, second.duplicates) == (1, 2)
    assert [e["message_id"] for e in _events()] == ["m1", "m2", "m3", "m4"]


def test_a_message_older_than_the_window_is_not_remembered(db):
    _journal(track("m1"))
    compactor.inbox_drain()
    table = compactor.dedupe(compactor._load([_journal(track("m1"))]), window_hours=0)
    assert table.num_rows == 1


def test_group_calls_link_users_and_their_track_events_take_the_group(db):
    _journal({"type": "group", "userId": "u7", "groupId": "globex", "messageId": "g1",
              "timestamp": "2026-11-29T09:00:00Z"},
             track("m1", user="u7", group=None))
    compactor.inbox_drain()
    assert UserLink.objects.get(user_id="u7").group_id == "globex"
    assert {e["message_id"]: e["group_id"] for e in _events()} == {"g1": "globex", "m1": "globex"}
    _journal(track("m2", user="u7", group=None), track("m3", user="stranger", group=None))
    compactor.inbox_drain()
    groups = {e["message_id"]: e["group_id"] for e in _events()}
    assert groups["m2"] == "globex"
    assert groups["m3"] == ""  # kept, unmatched


def test_identify_updates_the_contact_found_by_email_at_the_users_account(db):
    account = AccountFactory(external_id="acme")
    contact = ContactFactory(account=account, name="J. Roe", email="jane@acme.test", title="")
    other = ContactFactory(account=AccountFactory(external_id="globex"), name="Jane Elsewhere",
                           email="jane@acme.test")
    _journal({"type": "identify", "userId": "user-42", "messageId": "i1", "context": {"groupId": "acme"},
              "traits": {"email": "JANE@acme.test", "firstName": "Jane", "lastName": "Roe", "title": "VP Ops"}})
    report = compactor.inbox_drain()
    contact.refresh_from_db()
    other.refresh_from_db()
    assert report.contacts_updated == 1
    assert (contact.name, contact.title, contact.external_id) == ("Jane Roe", "VP Ops", "user-42")
    assert other.name == "Jane Elsewhere"
    # Next time the contact is found by its external id, whatever the e-mail says.
    _journal({"type": "identify", "userId": "user-42", "messageId": "i2", "traits": {"title": "COO"}})
    compactor.inbox_drain()
    contact.refresh_from_db()
    assert contact.title == "COO"


def test_it_finishes_batches_written_before_a_crash_without_writing_them_twice(db):
    batch = _journal(track("m1"), track("m2"))
    # The process died after writing the file, before deleting the batch and marking its days.
    table = compactor._load([batch])
    with store.writing():
        store.write_events(table, stem=f"b{batch.id:012d}-{batch.id:012d}")
    assert InboxBatch.objects.count() == 1 and not DirtyDay.objects.exists()
    compactor.inbox_drain()
    assert not InboxBatch.objects.exists()
    assert [e["message_id"] for e in _events()] == ["m1", "m2"]
    assert DirtyDay.objects.filter(day=dt.date(2026, 11, 30)).exists()


def test_a_month_of_many_small_files_is_merged_into_one_with_nothing_lost(db):
    last = None
    for i in range(compactor.MERGE_FILES):
        last = _journal(track(f"m{i:03d}"))
        compactor.inbox_drain(max_events=1)
    files = store.event_files()
    assert len(files) == 1 and files[0].name.startswith("m")
    assert len(_events()) == compactor.MERGE_FILES
    # The merged batches are still known as written: a leftover batch is not stored again.
    assert store.last_batch_written() == last.id
    _journal(track("m000"))
    assert compactor.inbox_drain().stored == 0


def test_the_store_sorts_like_a_string_sort_whatever_the_ranks():
    import pyarrow as pa
    from hypothesis import given, settings
    from hypothesis import strategies as st

    texts = st.text(alphabet="ab-0é", max_size=3)

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.tuples(texts, texts, st.integers(0, 10**12)), min_size=0, max_size=40))
    def check(rows):
        table = pa.table({"group_id": [r[0] for r in rows], "user_id": [r[1] for r in rows],
                          "ts": pa.array([r[2] for r in rows], pa.int64()).cast(pa.timestamp("ms", tz="UTC"))})
        expected = table.sort_by(store.SORT_KEYS)
        assert store.sorted_events(table).equals(expected)

    check()
