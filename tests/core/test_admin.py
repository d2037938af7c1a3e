from paceline.core.models import AuditEntry
from paceline.users.models import Role
from tests.factories import UserFactory


def test_a_leader_can_use_the_admin(leader_client):
    response = leader_client.get("/admin/users/user/")
    assert response.status_code == 200
    assert b"lena" in response.content


def test_a_csm_and_a_viewer_cannot_reach_the_admin(csm_client, viewer_client):
    for client in (csm_client, viewer_client):
        response = client.get("/admin/users/user/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_an_admin_edit_is_audited_without_the_password(leader, leader_client):
    target = UserFactory(username="sam", role=Role.CSM)
    response = leader_client.post(
        f"/admin/users/user/{target.pk}/change/",
        {
            "username": "sam", "first_name": "Sam", "last_name": "Smith", "email": "sam@vendor.test",
            "role": "viewer", "title": "", "is_active": "on",
            "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.get(target_type="users.user", target_id=str(target.pk), via="admin")
    assert entry.actor == leader
    assert entry.after["role"] == "viewer"
    assert "password" not in entry.before and "password" not in entry.after
