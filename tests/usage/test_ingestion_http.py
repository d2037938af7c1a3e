"""Segment's HTTP Tracking API: auth by write key, shapes, limits, malformed events, the inbox."""

from __future__ import annotations

import base64
import gzip

import orjson
import pytest

from paceline.core.services import Actor
from paceline.usage import ingest
from paceline.usage.models import InboxBatch
from paceline.usage.services import write_key_create, write_key_revoke


@pytest.fixture
def write_key(leader):
    _, raw = write_key_create(actor=Actor(user=leader, via="web"), name="web app")
    return raw


def _auth(raw: str) -> str:
    return "Basic " + base64.b64encode(f"{raw}:".encode()).decode()


def _post(client, path, body, *, key=None, gzip_it=False, raw_body=None):
    data = raw_body if raw_body is not None else orjson.dumps(body)
    headers = {}
    if gzip_it:
        data = gzip.compress(data)
        headers["HTTP_CONTENT_ENCODING"] = "gzip"
    if key:
        headers["HTTP_AUTHORIZATION"] = _auth(key)
    return client.post(path, data=data, content_type="application/json", **headers)


def _stored() -> dict[str, list]:
    columns: dict[str, list] = {}
    for batch in InboxBatch.objects.order_by("id"):
        for name, values in ingest.Rows.unpack(batch.payload).items():
            columns.setdefault(name, []).extend(values)
    return columns


TRACK = {"userId": "u1", "event": "Report Viewed", "messageId": "m-1", "context": {"groupId": "acme"},
         "timestamp": "2026-12-01T10:00:00Z", "properties": {"report": "pipeline"}}


def test_it_journals_a_track_call_and_answers_only_then(client, write_key):
    response = _post(client, "/v1/track", TRACK, key=write_key)
    assert response.status_code == 200, response.content
    assert response.json() == {"success": True, "accepted": 1}
    stored = _stored()
    assert stored["event"] == ["Report Viewed"]
    assert stored["group_id"] == ["acme"]
    assert stored["user_id"] == ["u1"]
    assert stored["message_id"] == ["m-1"]
    assert orjson.loads(stored["properties"][0]) == {"report": "pipeline"}


def test_it_accepts_gzip_batches_and_names_each_bad_message(client, write_key):
    batch = {"batch": [
        dict(TRACK, type="track"),
        {"type": "track", "userId": "u2", "messageId": "m-2"},  # no event name
        {"type": "page", "anonymousId": "a-9", "name": "Home", "messageId": "m-3"},
        {"type": "launch", "userId": "u3"},
        {"type": "group", "userId": "u1", "groupId": "acme", "traits": {"name": "Acme"}, "messageId": "m-5"},
    ]}
    response = _post(client, "/v1/batch", batch, key=write_key, gzip_it=True)
    assert response.status_code == 200
    answer = response.json()
    assert answer["accepted"] == 3
    assert answer["rejected"] == [
        {"index": 1, "messageId": "m-2", "field": "event", "error": "a track call needs the event's name"},
        {"index": 3, "messageId": "", "field": "type", "error": "must be one of track, page, screen, identify, group"},
    ]
    stored = _stored()
    assert stored["message_id"] == ["m-1", "m-3", "m-5"]
    assert stored["user_id"][1] == "anon:a-9"
    assert stored["event"][1] == "page:Home"
    assert stored["group_id"][2] == "acme"


@pytest.mark.parametrize("key", [None, "wk_not-a-key"])
def test_it_refuses_a_missing_or_unknown_write_key(client, key, db):
    response = _post(client, "/v1/track", TRACK, key=key)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert not InboxBatch.objects.exists()


def test_it_refuses_a_revoked_write_key(client, leader):
    key, raw = write_key_create(actor=Actor(user=leader), name="old")
    write_key_revoke(actor=Actor(user=leader), key=key)
    assert _post(client, "/v1/track", TRACK, key=raw).status_code == 401


def test_it_takes_the_write_key_from_the_body_as_segment_allows(client, write_key):
    response = _post(client, "/v1/batch", {"writeKey": write_key, "batch": [dict(TRACK, type="track")]})
    assert response.status_code == 200
    assert InboxBatch.objects.count() == 1


def test_it_refuses_an_event_over_32_kb(client, write_key):
    big = dict(TRACK, properties={"blob": "x" * (33 * 1024)})
    response = _post(client, "/v1/track", big, key=write_key)
    assert response.status_code == 413
    assert "32 KB" in response.json()["error"]
    assert not InboxBatch.objects.exists()


def test_it_rejects_only_the_oversized_event_of_a_batch(client, write_key):
    batch = {"batch": [dict(TRACK, type="track", properties={"blob": "x" * (33 * 1024)}),
                       dict(TRACK, type="track", messageId="m-ok")]}
    answer = _post(client, "/v1/batch", batch, key=write_key).json()
    assert answer["accepted"] == 1
    assert answer["rejected"][0]["index"] == 0 and answer["rejected"][0]["field"] == "message"
    assert _stored()["message_id"] == ["m-ok"]


def test_it_refuses_a_batch_over_500_kb_even_gzipped(client, write_key):
    batch = {"batch": [dict(TRACK, type="track", messageId=f"m-{i}", properties={"pad": "y" * 3000})
                       for i in range(200)]}
    response = _post(client, "/v1/batch", batch, key=write_key, gzip_it=True)
    assert response.status_code == 413
    assert "500 KB" in response.json()["error"]
    assert not InboxBatch.objects.exists()


@pytest.mark.parametrize(("raw_body", "status", "says"), [
    (b"{not json", 400, "not valid JSON"),
    (b"[1, 2]", 400, "JSON object"),
    (b"", 400, "empty"),
])
def test_it_names_what_is_wrong_with_the_body(client, write_key, raw_body, status, says):
    response = _post(client, "/v1/track", None, key=write_key, raw_body=raw_body)
    assert response.status_code == status
    assert says in response.json()["error"]


def test_it_refuses_a_corrupt_gzip_body(client, write_key):
    response = client.post("/v1/batch", data=b"\x1f\x8bnot gzip", content_type="application/json",
                           HTTP_CONTENT_ENCODING="gzip", HTTP_AUTHORIZATION=_auth(write_key))
    assert response.status_code == 400
    assert "gzip" in response.json()["error"]


def test_a_batch_with_no_valid_message_is_a_400_listing_them(client, write_key):
    response = _post(client, "/v1/batch", {"batch": [{"type": "track", "userId": "u"}]}, key=write_key)
    assert response.status_code == 400
    assert response.json()["rejected"][0]["field"] == "event"
    assert not InboxBatch.objects.exists()


def test_it_refuses_get(client, write_key):
    assert client.get("/v1/batch").status_code == 405


def test_it_corrects_the_clients_clock_skew_with_sent_at(client, write_key):
    # The client's clock is an hour behind: it says it sent at 09:00 what we received "now".
    message = dict(TRACK, timestamp="2026-12-01T08:59:00Z", sentAt="2026-12-01T09:00:00Z")
    _post(client, "/v1/track", message, key=write_key)
    stored = _stored()
    assert stored["received_at"][0] - stored["ts"][0] == 60_000


def test_the_group_property_names_the_account_when_configured(client, write_key, settings):
    settings.USAGE_GROUP_PROPERTY = "account_id"
    message = {"userId": "u1", "event": "Login", "properties": {"account_id": "globex"}}
    _post(client, "/v1/track", message, key=write_key)
    assert _stored()["group_id"] == ["globex"]
