"""/team/: CS leaders administer users and roles; nobody else may."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paceline.core.models import AuditEntry
from paceline.users.models import Role, User
from paceline.users.services import token_authenticate
from tests.factories import AccountFactory, UserFactory

PASSWORD = "correct horse battery staple"
NEW_USER = {
    "username": "nina",
    "first_name": "Nina",
    "last_name": "New",
    "email": "nina@vendor.test",
    "role": "csm",
}


def _secret_from(response) -> str:
    match = re.search(r'<pre class="token">([^<]+)</pre>', response.content.decode())
    assert match, "the generated password is shown in a <pre class=token>"
    return match.group(1).strip()


# Who may see and do what


def test_it_sends_anonymous_visitors_to_log_in(anon_client):
    response = anon_client.get("/team/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/team/")


@pytest.mark.parametrize("persona", ["viewer", "csm"])
def test_it_refuses_csms_and_viewers(request, persona):
    assert request.getfixturevalue(f"{persona}_client").get("/team/").status_code == 403


def test_a_leader_sees_everyone_with_role_status_and_owned_accounts(
    leader_client, csm, other_csm, viewer
):
    AccountFactory.create_batch(2, owner=csm)
    AccountFactory(owner=other_csm)
    response = leader_client.get("/team/")
    assert response.status_code == 200
    counts = {member.username: member.owned_account_count for member in response.context["members"]}
    assert counts == {"lena": 0, "carl": 2, "olga": 1, "vic": 0}
    body = response.content.decode()
    assert "Viewer" in body and "vic" in body


def test_the_team_list_takes_the_same_queries_whatever_the_team_size(leader_client, csm):
    AccountFactory.create_batch(3, owner=csm)
    with CaptureQueriesContext(connection) as small:
        leader_client.get("/team/")
    for _ in range(8):
        AccountFactory(owner=UserFactory())
    with CaptureQueriesContext(connection) as large:
        response = leader_client.get("/team/")
    assert len(response.context["members"]) == 10
    assert len(large) == len(small)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/team/users/", NEW_USER),
        ("/team/{id}/role/", {"role": "leader"}),
        ("/team/{id}/active/", {"active": "0"}),
    ],
)
@pytest.mark.parametrize("persona", ["viewer", "csm", "other_csm"])
def test_csms_and_viewers_cannot_change_the_team(request, persona, url, data, csm, viewer):
    target = viewer if persona != "viewer" else csm
    before = (target.role, target.is_active, target.is_staff)
    response = request.getfixturevalue(f"{persona}_client").post(url.format(id=target.pk), data)
    assert response.status_code == 403
    target.refresh_from_db()
    assert (target.role, target.is_active, target.is_staff) == before
    assert not User.objects.filter(username="nina").exists()


@pytest.mark.parametrize("url", ["/team/users/", "/team/{id}/role/", "/team/{id}/active/"])
def test_anonymous_cannot_change_the_team(anon_client, csm, url):
    response = anon_client.post(
        url.format(id=csm.pk), {**NEW_USER, "role": "leader", "active": "0"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    csm.refresh_from_db()
    assert csm.role == Role.CSM and csm.is_active
    assert not User.objects.filter(username="nina").exists()


def test_changes_need_a_post(leader_client, csm):
    assert leader_client.get(f"/team/{csm.pk}/active/").status_code == 405
    csm.refresh_from_db()
    assert csm.is_active


# Creating users


def test_a_leader_creates_a_user_with_a_chosen_password(leader_client, leader, client):
    response = leader_client.post(
        "/team/users/", {**NEW_USER, "password": "an initial passphrase 4"}
    )
    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert (nina.role, nina.is_staff, nina.email) == (Role.CSM, False, "nina@vendor.test")
    assert client.login(username="nina", password="an initial passphrase 4")
    entry = AuditEntry.objects.get(target_type="users.user", target_id=str(nina.pk))
    assert entry.actor == leader and entry.via == "web"
    assert "an initial passphrase 4" not in json.dumps([entry.before, entry.after])
    assert "an initial passphrase 4" not in leader_client.get("/team/").content.decode()


def test_a_generated_password_is_shown_once(leader_client, client):
    response = leader_client.post("/team/users/", {**NEW_USER, "role": "leader", "password": ""})
    assert response.status_code == 200
    assert "it will not be shown again" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    password = _secret_from(response)
    assert client.login(username="nina", password=password)
    assert User.objects.get(username="nina").is_staff, "a leader is staff"
    assert password not in leader_client.get("/team/").content.decode()
    audit = list(AuditEntry.objects.values("before", "after", "target_repr"))
    assert password not in json.dumps(audit)


def test_a_bad_role_is_named_and_nobody_is_created(leader_client):
    response = leader_client.post("/team/users/", {**NEW_USER, "role": "admin"})
    assert response.status_code == 400
    assert (
        "Select a valid choice. admin is not one of the available choices."
        in response.content.decode()
    )
    assert not User.objects.filter(username="nina").exists()


def test_a_taken_username_is_named(leader_client, csm):
    response = leader_client.post("/team/users/", {**NEW_USER, "username": "Carl"})
    assert response.status_code == 400
    assert "A user named &#x27;Carl&#x27; already exists." in response.content.decode()
    assert User.objects.filter(username__iexact="carl").count() == 1


def test_a_weak_chosen_password_is_refused(leader_client):
    response = leader_client.post("/team/users/", {**NEW_USER, "password": "short"})
    assert response.status_code == 400
    assert "This password is too short." in response.content.decode()
    assert not User.objects.filter(username="nina").exists()


# Roles and admin access


def test_is_staff_and_admin_access_follow_the_role(leader_client, csm, csm_client):
    assert csm_client.get("/admin/").status_code == 302
    response = leader_client.post(f"/team/{csm.pk}/role/", {"role": "leader"})
    assert response.status_code == 302
    csm.refresh_from_db()
    assert csm.role == Role.LEADER and csm.is_staff
    assert csm_client.get("/admin/").status_code == 200
    assert csm_client.get("/team/").status_code == 200

    leader_client.post(f"/team/{csm.pk}/role/", {"role": "viewer"})
    csm.refresh_from_db()
    assert csm.role == Role.VIEWER and not csm.is_staff
    assert csm_client.get("/admin/").status_code == 302
    assert csm_client.get("/team/").status_code == 403


@pytest.mark.parametrize("persona", ["viewer", "csm"])
def test_csms_and_viewers_cannot_reach_the_admin(request, persona):
    response = request.getfixturevalue(f"{persona}_client").get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_leader_reaches_the_admin(leader_client):
    assert leader_client.get("/admin/").status_code == 200


def test_an_unknown_role_is_refused(leader_client, csm):
    response = leader_client.post(f"/team/{csm.pk}/role/", {"role": "owner"})
    assert response.status_code == 400
    assert "owner is not one of the available choices" in response.content.decode()
    csm.refresh_from_db()
    assert csm.role == Role.CSM


def test_an_unknown_user_is_404(leader_client):
    assert leader_client.post("/team/999999/role/", {"role": "csm"}).status_code == 404


def test_the_last_leader_cannot_demote_themself(leader_client, leader):
    response = leader_client.post(f"/team/{leader.pk}/role/", {"role": "csm"})
    assert response.status_code == 400
    assert (
        "lena is the last active CS leader; make someone else a leader first."
        in response.content.decode()
    )
    leader.refresh_from_db()
    assert leader.role == Role.LEADER and leader.is_staff


def test_a_leader_may_step_down_when_another_leader_remains(leader_client, leader):
    UserFactory(username="second", role=Role.LEADER, is_staff=True)
    response = leader_client.post(f"/team/{leader.pk}/role/", {"role": "csm"})
    assert response.status_code == 302 and response["Location"] == "/settings/"
    leader.refresh_from_db()
    assert leader.role == Role.CSM and not leader.is_staff
    assert leader_client.get("/team/").status_code == 403


# Deactivating and reactivating


def test_a_leader_cannot_deactivate_themself(leader_client, leader):
    UserFactory(username="second", role=Role.LEADER, is_staff=True)
    response = leader_client.post(f"/team/{leader.pk}/active/", {"active": "0"})
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in response.content.decode()
    leader.refresh_from_db()
    assert leader.is_active


def test_a_deactivated_user_cannot_log_in_nor_use_their_session_or_tokens(
    leader_client, csm, csm_client, client, api_token_for
):
    raw = api_token_for(csm)
    response = leader_client.post(f"/team/{csm.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    csm.refresh_from_db()
    assert not csm.is_active
    assert not client.login(username="carl", password=PASSWORD)
    assert csm_client.get("/settings/").status_code == 302, "their open session ends"
    assert token_authenticate(raw) is None
    assert "deactivated" in leader_client.get("/team/").content.decode()


def test_a_reactivated_user_can_log_in_again(leader_client, csm, client):
    leader_client.post(f"/team/{csm.pk}/active/", {"active": "0"})
    leader_client.post(f"/team/{csm.pk}/active/", {"active": "1"})
    csm.refresh_from_db()
    assert csm.is_active
    assert client.login(username="carl", password=PASSWORD)
    changes = AuditEntry.objects.filter(target_type="users.user", target_id=str(csm.pk)).order_by(
        "id"
    )
    assert [entry.after for entry in changes] == [{"is_active": False}, {"is_active": True}]


def test_deactivating_the_only_other_leader_is_allowed(leader_client):
    second = UserFactory(username="second", role=Role.LEADER, is_staff=True)
    assert leader_client.post(f"/team/{second.pk}/active/", {"active": "0"}).status_code == 302
    second.refresh_from_db()
    assert not second.is_active
