"""/settings/: one's own profile, API tokens and password, for every signed-in role."""

from __future__ import annotations

import json
import re

import pytest

from paceline.core.models import AuditEntry
from paceline.users.models import ApiToken, Role
from paceline.users.services import token_authenticate

PASSWORD = "correct horse battery staple"


def _raw_from(response) -> str:
    match = re.search(r'<pre class="token">([^<]+)</pre>', response.content.decode())
    assert match, "the raw token is shown in a <pre class=token>"
    return match.group(1).strip()


# Who may see it


@pytest.mark.parametrize("url", ["/settings/", "/settings/password/"])
def test_it_sends_anonymous_visitors_to_log_in(anon_client, url):
    response = anon_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("persona", ["viewer", "csm", "leader"])
def test_every_role_sees_their_own_settings(request, persona):
    user = request.getfixturevalue(persona)
    client = request.getfixturevalue(f"{persona}_client")
    response = client.get("/settings/")
    assert response.status_code == 200
    assert user.username in response.content.decode()
    assert 'href="/settings/password/"' in response.content.decode()


def test_it_lists_only_ones_own_tokens(csm_client, csm, other_csm, api_token_for):
    api_token_for(other_csm)
    ApiToken.objects.filter(user=other_csm).update(name="olgas secret integration")
    api_token_for(csm)
    body = csm_client.get("/settings/").content.decode()
    assert "olgas secret integration" not in body
    assert ApiToken.objects.get(user=csm).prefix in body


# Profile


def test_a_user_edits_their_profile_but_not_their_role(csm_client, csm):
    response = csm_client.post(
        "/settings/",
        {
            "first_name": "Carla",
            "last_name": "Csm",
            "email": "carla@vendor.test",
            "title": "Senior CSM",
            "role": "leader",
        },
    )
    assert response.status_code == 302
    csm.refresh_from_db()
    assert (csm.first_name, csm.email, csm.title) == ("Carla", "carla@vendor.test", "Senior CSM")
    assert csm.role == Role.CSM and not csm.is_staff
    entry = AuditEntry.objects.get(target_type="users.user", target_id=str(csm.pk))
    assert entry.via == "web" and entry.actor == csm and entry.after["title"] == "Senior CSM"


def test_a_viewer_may_edit_their_own_profile(viewer_client, viewer):
    response = viewer_client.post("/settings/", {"first_name": "Victoria", "email": viewer.email})
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.first_name == "Victoria" and viewer.role == Role.VIEWER


def test_a_bad_email_is_named_and_nothing_changes(csm_client, csm):
    response = csm_client.post("/settings/", {"first_name": "X", "email": "not-an-email"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    csm.refresh_from_db()
    assert csm.first_name == "Carl"


def test_anonymous_cannot_post_a_profile(anon_client, csm):
    response = anon_client.post("/settings/", {"first_name": "Mallory"})
    assert response.status_code == 302
    csm.refresh_from_db()
    assert csm.first_name == "Carl"


# Tokens


@pytest.mark.parametrize("persona", ["viewer", "csm", "leader"])
def test_a_created_token_is_shown_once_and_authenticates(request, persona):
    user = request.getfixturevalue(persona)
    client = request.getfixturevalue(f"{persona}_client")
    response = client.post("/settings/tokens/", {"name": "CRM sync"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "it will not be shown again" in body
    assert "no-store" in response["Cache-Control"]
    raw = _raw_from(response)
    assert token_authenticate(raw) == user
    assert raw not in client.get("/settings/").content.decode()


def test_the_raw_token_is_stored_nowhere(csm_client):
    raw = _raw_from(csm_client.post("/settings/tokens/", {"name": "CRM sync"}))
    token = ApiToken.objects.get()
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert token.digest != raw and raw.startswith(token.prefix)
    audit = AuditEntry.objects.get(target_type="users.apitoken")
    assert raw not in json.dumps([audit.before, audit.after, audit.target_repr])


def test_a_token_needs_a_name(csm_client):
    response = csm_client.post("/settings/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_anonymous_cannot_create_a_token(db, anon_client):
    response = anon_client.post("/settings/tokens/", {"name": "sneaky"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not ApiToken.objects.exists()


def test_creating_a_token_needs_a_post(csm_client):
    assert csm_client.get("/settings/tokens/").status_code == 405
    assert not ApiToken.objects.exists()


def test_revoking_ones_token_stops_it(csm_client, csm, api_token_for):
    raw = api_token_for(csm)
    token = ApiToken.objects.get(user=csm)
    response = csm_client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token_authenticate(raw) is None
    assert "revoked" in csm_client.get("/settings/").content.decode()


@pytest.mark.parametrize("persona", ["other_csm", "viewer", "leader"])
def test_nobody_revokes_someone_elses_token(request, persona, csm, api_token_for):
    raw = api_token_for(csm)
    token = ApiToken.objects.get(user=csm)
    client = request.getfixturevalue(f"{persona}_client")
    response = client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token_authenticate(raw) == csm


def test_anonymous_cannot_revoke_a_token(anon_client, csm, api_token_for):
    api_token_for(csm)
    token = ApiToken.objects.get(user=csm)
    response = anon_client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_post(csm_client, csm, api_token_for):
    api_token_for(csm)
    token = ApiToken.objects.get(user=csm)
    assert csm_client.get(f"/settings/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


# Password


def test_a_user_changes_their_password(client, csm):
    assert client.login(username="carl", password=PASSWORD)
    response = client.post(
        "/settings/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a fresh long passphrase 9",
            "new_password2": "a fresh long passphrase 9",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/settings/"
    assert client.get("/settings/").status_code == 200, "the session survives the change"
    client.logout()
    assert not client.login(username="carl", password=PASSWORD)
    assert client.login(username="carl", password="a fresh long passphrase 9")
    entry = AuditEntry.objects.get(target_type="users.user", target_id=str(csm.pk))
    assert "a fresh long passphrase 9" not in json.dumps([entry.before, entry.after])


def test_a_wrong_old_password_changes_nothing(csm_client, csm):
    response = csm_client.post(
        "/settings/password/",
        {
            "old_password": "wrong",
            "new_password1": "a fresh long passphrase 9",
            "new_password2": "a fresh long passphrase 9",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    csm.refresh_from_db()
    assert csm.check_password(PASSWORD)
    assert not AuditEntry.objects.exists()
