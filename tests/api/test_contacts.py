from __future__ import annotations

import datetime as dt

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.customers.models import Contact
from tests.api.conftest import error_fields
from tests.factories import AccountFactory, ContactFactory


def test_create_by_account_external_id_with_roles_and_a_manager(csm_api, account):
    boss = ContactFactory(account=account, name="Bea Boss", external_id="c-boss")
    response = csm_api.post(
        "/contacts",
        {
            "account_external_id": "acme",
            "name": "Ann Champion",
            "email": "ann@acme.test",
            "title": "Head of Ops",
            "level": "director",
            "roles": ["champion", "decision_maker"],
            "reports_to_external_id": "c-boss",
            "is_primary": True,
        },
    )
    assert response.status_code == 201
    body = response.json()
    contact = Contact.objects.get(pk=body["id"])
    assert (contact.account, contact.reports_to, contact.roles) == (account, boss, ["champion", "decision_maker"])
    assert body["roles"] == ["champion", "decision_maker"]
    assert body["reports_to_id"] == boss.pk
    assert body["level"] == "director"
    assert AuditEntry.objects.get(target_type="customers.contact", via="api").account_id == account.pk


def test_create_needs_an_account(csm_api):
    response = csm_api.post("/contacts", {"name": "Orphan"})
    assert response.status_code == 422
    assert error_fields(response) == {"account_id"}


def test_an_unknown_account_external_id_is_named(csm_api):
    response = csm_api.post("/contacts", {"name": "Ann", "account_external_id": "nope"})
    assert response.status_code == 422
    assert error_fields(response) == {"account_external_id"}
    assert "nope" in response.json()["detail"][0]["msg"]


def test_the_list_filters_by_account_and_status(csm_api, account):
    other = AccountFactory(external_id="other")
    ContactFactory(account=account, name="Active Ann")
    ContactFactory(account=account, name="Gone Gus", status="left", left_on=dt.date(2025, 1, 31))
    ContactFactory(account=other, name="Elsewhere Eve")

    def names(**params):
        return [c["name"] for c in csm_api.get("/contacts", params).json()["items"]]

    assert names(account_id=account.pk) == ["Active Ann", "Gone Gus"]
    assert names(account_external_id="other") == ["Elsewhere Eve"]
    assert names(account_id=account.pk, status="left") == ["Gone Gus"]
    assert names(q="eve") == ["Elsewhere Eve"]


def test_patch_marks_a_champion_as_departed(csm_api, account):
    contact = ContactFactory(account=account, roles=["champion"])
    response = csm_api.patch(f"/contacts/{contact.pk}", {"status": "left", "left_on": "2025-05-01"})
    assert response.status_code == 200
    assert response.json()["is_departed_champion"] is True
    contact.refresh_from_db()
    assert contact.left_on == dt.date(2025, 5, 1)
    assert ActivityEvent.objects.filter(kind="contact.departed", subject_id=str(contact.pk)).exists()


def test_bad_contact_input_is_named_by_field(csm_api, account):
    stranger = ContactFactory(account=AccountFactory())
    unknown_role = csm_api.post("/contacts", {"name": "A", "account_id": account.pk, "roles": ["overlord"]})
    assert unknown_role.status_code == 422
    assert error_fields(unknown_role) == {"0"}  # the first role in the list
    assert unknown_role.json()["detail"][0]["loc"][-2] == "roles"

    left_without_date = csm_api.post("/contacts", {"name": "A", "account_id": account.pk, "status": "left"})
    assert left_without_date.status_code == 422
    assert error_fields(left_without_date) == {"left_on"}

    foreign_manager = csm_api.post("/contacts", {"name": "A", "account_id": account.pk, "reports_to_id": stranger.pk})
    assert foreign_manager.status_code == 422
    assert error_fields(foreign_manager) == {"reports_to_id"}
    assert Contact.objects.count() == 1


def test_upsert_is_idempotent_and_keeps_the_account(csm_api, account):
    payload = {"account_external_id": "acme", "name": "Ann", "roles": ["admin"]}
    first = csm_api.put("/contacts/by-external-id/hs-1", payload)
    second = csm_api.put("/contacts/by-external-id/hs-1", payload | {"title": "CTO"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert Contact.objects.get().title == "CTO"
    moved = csm_api.put("/contacts/by-external-id/hs-1", payload | {"account_external_id": AccountFactory().external_id})
    assert moved.status_code == 422
    assert error_fields(moved) == {"external_id"}
    assert Contact.objects.get().account == account


def test_get_and_delete(csm_api, account):
    contact = ContactFactory(account=account, external_id="hs-9")
    assert csm_api.get(f"/contacts/{contact.pk}").json()["name"] == contact.name
    assert csm_api.get("/contacts/by-external-id/hs-9").json()["id"] == contact.pk
    assert csm_api.delete(f"/contacts/{contact.pk}").status_code == 204
    assert not Contact.objects.exists()
    assert AuditEntry.objects.filter(action="delete", target_type="customers.contact").exists()
