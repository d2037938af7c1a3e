"""Whatever a client sends, a message is either a well-formed row or an error naming a field."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from paceline.usage import ingest

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)
keys = st.sampled_from(["type", "userId", "anonymousId", "event", "name", "groupId", "context", "properties",
                        "traits", "timestamp", "sentAt", "messageId"])
messages = st.dictionaries(keys, json_values | st.sampled_from(
    ["track", "page", "group", "identify", "screen", "2026-11-30T10:00:00Z", "u-1"]), max_size=8)


@settings(max_examples=400, deadline=None)
@given(message=messages | json_values)
def test_a_message_is_a_row_or_a_named_error(message):
    rows = ingest.Rows()
    try:
        ingest.normalise(message, rows, kind=None, received_at=NOW)
    except ingest.EventError as exc:
        assert exc.field and exc.message
        assert len(rows) == 0  # nothing half-appended
        return
    assert len(rows) == 1
    assert rows.type[0] in ingest.TYPES
    assert rows.user_id[0] and len(rows.user_id[0]) <= 205
    assert rows.ts[0] <= int(NOW.timestamp() * 1000) + 86_400_000
    if rows.type[0] == "track":
        assert rows.event[0].strip()
    if rows.type[0] == "group":
        assert rows.group_id[0]
    columns = ingest.Rows.unpack(rows.pack())
    assert columns["message_id"] == rows.message_id
