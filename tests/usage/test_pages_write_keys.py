"""Write keys: CS leaders only. A new key's raw value is shown once, with where and how to send,
and never again; revoking is a POST."""

from __future__ import annotations

import pytest
from django.test import override_settings

from paceline.usage.models import WriteKey
from paceline.usage.services import write_key_authenticate
from tests.usage.factories import WriteKeyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(db):
    return WriteKeyFactory(name="Web app", raw="wk_existing-secret-value")


PATHS = ["/usage/write-keys/", "/usage/write-keys/new/", "/usage/write-keys/{k}/revoke/"]


@pytest.mark.parametrize("path", PATHS)
def test_anonymous_is_sent_to_log_in(anon_client, key, path):
    for response in (anon_client.get(path.format(k=key.pk)), anon_client.post(path.format(k=key.pk), {"name": "x"})):
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("persona", ["csm_client", "other_csm_client", "viewer_client"])
@pytest.mark.parametrize("path", PATHS)
def test_everyone_but_a_leader_is_refused_and_changes_nothing(request, persona, key, path):
    client = request.getfixturevalue(persona)
    assert client.get(path.format(k=key.pk)).status_code == 403
    assert client.post(path.format(k=key.pk), {"name": "Sneaky"}).status_code == 403
    assert list(WriteKey.objects.values_list("name", "revoked_at")) == [("Web app", None)]


def test_only_leaders_see_the_write_keys_tab(leader_client, csm_client, viewer_client):
    assert 'href="/usage/write-keys/"' in leader_client.get("/usage/features/").content.decode()
    for client in (csm_client, viewer_client):
        assert 'href="/usage/write-keys/"' not in client.get("/usage/features/").content.decode()


def test_a_leader_lists_keys_without_any_secret(leader_client, key, leader):
    key.created_by = leader
    key.save()
    html = leader_client.get("/usage/write-keys/").content.decode()
    row = html[html.index(f'id="write-key-{key.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "Web app" in row and "<code>wk_exist…</code>" in row and "by Lena Leader" in row
    assert "never" in row and "active" in row and "Revoke" in row
    assert "wk_existing-secret-value" not in html and key.key_hash not in html


@override_settings(PACELINE_BASE_URL="https://cs.example.com")
def test_a_new_key_is_shown_once_with_the_ingestion_url_and_snippets(leader_client):
    response = leader_client.post("/usage/write-keys/new/", {"name": "Mobile app"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    key = WriteKey.objects.get()
    raw = html[html.index('id="raw-write-key">') + len('id="raw-write-key">'):]
    raw = raw[:raw.index("</pre>")]
    assert raw.startswith("wk_") and raw[:8] == key.prefix and key.key_hash != raw
    assert write_key_authenticate(raw) == key
    assert "Copy it now, it will not be shown again" in html
    assert "https://cs.example.com/v1/batch" in html
    assert f"curl https://cs.example.com/v1/batch \\\n  -u '{raw}:'" in html
    assert f'analytics.write_key = "{raw}"' in html and 'analytics.host = "https://cs.example.com"' in html
    # Never again: not on the list, not in a message carried to the next page.
    later = leader_client.get("/usage/write-keys/").content.decode()
    assert raw not in later and "Mobile app" in later
    assert raw not in leader_client.get("/usage/features/").content.decode()


def test_a_key_without_a_name_is_refused_on_the_name_and_not_created(leader_client):
    response = leader_client.post("/usage/write-keys/new/", {"name": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field field-name has-error' in html and "name the write key after the source" in html
    assert 'id="raw-write-key"' not in html
    assert not WriteKey.objects.exists()


def test_creating_needs_a_post(leader_client):
    assert leader_client.get("/usage/write-keys/new/").status_code == 405
    assert not WriteKey.objects.exists()


def test_a_leader_revokes_a_key_and_it_stops_working(leader_client, key):
    assert write_key_authenticate("wk_existing-secret-value") == key
    response = leader_client.post(f"/usage/write-keys/{key.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/usage/write-keys/"
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert write_key_authenticate("wk_existing-secret-value") is None
    html = leader_client.get("/usage/write-keys/").content.decode()
    row = html[html.index(f'id="write-key-{key.pk}"'):]
    assert "revoked" in row[:row.index("</tr>")] and "Revoke</button>" not in row[:row.index("</tr>")]


def test_revoking_is_a_post_and_an_unknown_key_is_not_found(leader_client, key):
    assert leader_client.get(f"/usage/write-keys/{key.pk}/revoke/").status_code == 405
    assert leader_client.post("/usage/write-keys/999/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
