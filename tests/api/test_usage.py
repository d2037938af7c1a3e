"""The usage API: write keys and key features (leaders only write), an account's usage, file uploads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from paceline.core.models import AuditEntry
from paceline.usage import compactor, store
from paceline.usage.ingest import ARROW_STREAM
from paceline.usage.models import AccountUsageDay, InboxBatch, KeyFeature, WriteKey
from tests.api.conftest import BASE, error_fields


def test_a_leader_creates_a_write_key_seen_once_and_revokes_it(leader_api):
    created = leader_api.post("/usage/write-keys", {"name": "web app"})
    assert created.status_code == 201
    raw = created.json()["key"]
    assert raw.startswith("wk_")
    stored = WriteKey.objects.get()
    assert raw not in stored.key_hash and stored.prefix == raw[:8]
    listing = leader_api.get("/usage/write-keys").json()
    assert listing["count"] == 1 and "key" not in listing["items"][0]
    assert raw not in str(listing)
    revoked = leader_api.post(f"/usage/write-keys/{stored.pk}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert AuditEntry.objects.filter(target_type="usage.writekey").count() == 2


@pytest.mark.parametrize("persona", ["csm_api", "viewer_api"])
def test_only_leaders_see_or_make_write_keys(request, persona):
    api = request.getfixturevalue(persona)
    assert api.get("/usage/write-keys").status_code == 403
    assert api.post("/usage/write-keys", {"name": "x"}).status_code == 403
    assert not WriteKey.objects.exists()


def test_anonymous_is_refused(anon_api):
    assert anon_api.get("/usage/features").status_code == 401
    assert anon_api.post("/usage/write-keys", {"name": "x"}).status_code == 401


def test_key_features_are_defined_by_leaders_and_read_by_all(leader_api, csm_api, viewer_api):
    body = {"key": "reports", "name": "Reports", "event_names": ["Report Viewed", "Report Exported"]}
    assert leader_api.post("/usage/features", body).status_code == 201
    assert csm_api.post("/usage/features", dict(body, key="other")).status_code == 403
    assert [f["key"] for f in viewer_api.get("/usage/features").json()] == ["reports"]
    feature = KeyFeature.objects.get()
    changed = leader_api.put(f"/usage/features/{feature.pk}", {"name": "Reporting", "event_names": ["Report Viewed"]})
    assert changed.json()["event_names"] == ["Report Viewed"]
    assert viewer_api.delete(f"/usage/features/{feature.pk}").status_code == 403
    assert leader_api.delete(f"/usage/features/{feature.pk}").status_code == 204
    assert not KeyFeature.objects.exists()


def test_a_bad_feature_is_named_and_nothing_stored(leader_api):
    response = leader_api.post("/usage/features", {"key": "Bad Key!", "name": "x", "event_names": ["e"]})
    assert response.status_code == 422
    assert error_fields(response) == {"key"}
    blank = leader_api.post("/usage/features", {"key": "ok", "name": "x", "event_names": ["  "]})
    assert error_fields(blank) == {"event_names"}
    assert not KeyFeature.objects.exists()


def test_an_accounts_usage_window(csm_api, account):
    for offset in range(10):
        AccountUsageDay.objects.create(account=account, day=dt.date(2026, 11, 1) + dt.timedelta(days=offset),
                                       active_30d=offset)
    days = csm_api.get(f"/accounts/{account.pk}/usage", {"since": "2026-11-03", "until": "2026-11-05"}).json()
    assert [(d["day"], d["active_30d"]) for d in days] == [("2026-11-03", 2), ("2026-11-04", 3), ("2026-11-05", 4)]
    assert csm_api.get("/accounts/999999/usage").status_code == 404
    bad = csm_api.get(f"/accounts/{account.pk}/usage", {"since": "2026-11-05", "until": "2026-11-01"})
    assert bad.status_code == 422


def _upload(user_token: str, name: str, content: bytes):
    client = Client(headers={"Authorization": f"Bearer {user_token}"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(BASE + "/usage/events/file", {"file": SimpleUploadedFile(name, content)})


def test_an_uploaded_file_is_journaled_with_its_bad_rows_named(leader, api_token_for, settings, tmp_path):
    settings.USAGE_DIR = tmp_path / "usage"
    content = (b"timestamp,userId,groupId,event\n2026-11-01T10:00:00Z,u1,acme,Login\n"
               b"2026-11-01T10:00:00Z,u2,acme,\n")
    response = _upload(api_token_for(leader), "events.csv", content)
    assert response.status_code == 200, response.content
    assert response.json() == {"rows": 2, "accepted": 1, "rejected": 1,
                               "errors": [{"line": 3, "field": "event", "error": "a track event needs its name"}]}
    batch = InboxBatch.objects.get()
    assert batch.source == "api-file"
    assert bytes(batch.payload).startswith(ARROW_STREAM)  # the checked rows as Arrow, not re-packed as JSON
    assert compactor.inbox_drain().stored == 1
    assert len(store.event_files()) == 1
    stored = store.query("SELECT ts, group_id, user_id, event, type FROM read_parquet(?)", [store.events_glob()])
    assert stored.to_pylist() == [{"ts": dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC), "group_id": "acme",
                                   "user_id": "u1", "event": "Login", "type": "track"}]


def test_an_unreadable_upload_is_refused_whole(leader, csm, api_token_for):
    response = _upload(api_token_for(leader), "events.csv", b"user,event\nu1,Login\n")
    assert response.status_code == 422
    assert "timestamp" in response.json()["detail"]
    assert not InboxBatch.objects.exists()
    assert _upload(api_token_for(csm), "events.csv", b"timestamp,userId,event\n").status_code == 403
