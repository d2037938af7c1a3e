from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.customers.models import Account
from tests.api.conftest import error_fields
from tests.factories import AccountFactory, SubscriptionFactory


def test_the_list_pages_with_count_and_items(csm_api):
    for n in range(5):
        AccountFactory(name=f"Account {n}")
    first = csm_api.get("/accounts", {"limit": 2}).json()
    second = csm_api.get("/accounts", {"limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == 5
    assert [a["name"] for a in first["items"]] == ["Account 0", "Account 1"]
    assert [a["name"] for a in second["items"]] == ["Account 2", "Account 3"]
    assert (second["limit"], second["offset"]) == (2, 2)


def test_the_list_takes_the_books_filters(csm_api, csm, other_csm):
    mine = AccountFactory(name="Mine", owner=csm, segment="enterprise", tier="1")
    AccountFactory(name="Theirs", owner=other_csm, segment="enterprise")
    AccountFactory(name="Nobody's", owner=None, segment="smb")
    child = AccountFactory(name="Child", parent=mine, owner=csm, segment="smb")

    def names(**params):
        return [a["name"] for a in csm_api.get("/accounts", params).json()["items"]]

    assert names(owner="me") == ["Child", "Mine"]
    assert names(owner="none") == ["Nobody's"]
    assert names(owner=str(other_csm.pk)) == ["Theirs"]
    assert names(segment="smb") == ["Child", "Nobody's"]
    assert names(segment="enterprise", tier="1") == ["Mine"]
    assert names(parent=str(mine.pk)) == ["Child"]
    assert "Child" not in names(parent="none")
    assert names(q="nobody") == ["Nobody's"]
    assert names(q=child.external_id) == ["Child"]


def test_the_list_sorts_by_arr_and_filters_by_renewal(csm_api):
    today = timezone.localdate()
    big = AccountFactory(name="Big")
    small = AccountFactory(name="Small")
    AccountFactory(name="None yet")
    SubscriptionFactory(account=big, arr=Decimal("90000"), start_date=today - dt.timedelta(days=340))
    SubscriptionFactory(account=small, arr=Decimal("1000"), start_date=today - dt.timedelta(days=100))
    by_arr = csm_api.get("/accounts", {"sort": "-arr"}).json()["items"]
    assert [a["name"] for a in by_arr] == ["Big", "Small", "None yet"]
    assert by_arr[0]["arr"] == "90000.00"
    soon = csm_api.get("/accounts", {"renewal": "30"}).json()["items"]
    assert [a["name"] for a in soon] == ["Big"]


def test_the_detail_has_the_commercials_and_the_hierarchy(csm_api, account):
    today = timezone.localdate()
    SubscriptionFactory(account=account, arr=Decimal("24000.00"), start_date=today - dt.timedelta(days=300))
    child = AccountFactory(name="Acme EMEA", parent=account)
    SubscriptionFactory(account=child, arr=Decimal("6000.00"))
    body = csm_api.get(f"/accounts/{account.pk}").json()
    assert body["arr"] == "24000.00"
    assert body["mrr"] == "2000.00"
    assert body["next_renewal_date"] == (today + dt.timedelta(days=65)).isoformat()
    assert body["days_to_renewal"] == 65
    assert body["currency"] == "USD"
    assert body["rollup_arr"] == "30000.00"
    assert [c["name"] for c in body["children"]] == ["Acme EMEA"]
    assert csm_api.get("/accounts/by-external-id/acme").json()["id"] == account.pk


def test_create_resolves_references_and_audits_as_the_api(csm_api, csm, account):
    response = csm_api.post(
        "/accounts",
        {
            "name": "Acme Labs",
            "external_id": "acme-labs",
            "parent_external_id": "acme",
            "owner_id": csm.pk,
            "segment": "enterprise",
            "employees": 120,
            "currency": "EUR",
        },
    )
    assert response.status_code == 201
    body = response.json()
    created = Account.objects.get(external_id="acme-labs")
    assert body["id"] == created.pk
    assert (created.parent, created.owner, created.segment, created.currency) == (account, csm, "enterprise", "EUR")
    assert body["parent_id"] == account.pk
    entry = AuditEntry.objects.get(target_type="customers.account", target_id=str(created.pk))
    assert (entry.action, entry.actor, entry.via) == ("create", csm, "api")


def test_patch_changes_only_the_fields_sent(csm_api, account):
    response = csm_api.patch(f"/accounts/{account.pk}", {"lifecycle_stage": "adoption"})
    assert response.status_code == 200
    assert response.json()["lifecycle_stage"] == "adoption"
    account.refresh_from_db()
    assert (account.name, account.lifecycle_stage, account.domain) == ("Acme Corp", "adoption", "acmecorp.example")
    entry = AuditEntry.objects.get(action="update")
    assert entry.before == {"lifecycle_stage": "onboarding"}
    assert entry.after == {"lifecycle_stage": "adoption"}


def test_patch_can_clear_the_owner_and_the_parent(csm_api, account):
    parent = AccountFactory()
    account.parent = parent
    account.save()
    response = csm_api.patch(f"/accounts/{account.pk}", {"owner_id": None, "parent_id": None})
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.owner is None and account.parent is None


def test_delete_removes_the_account_and_audits_it(csm_api, account):
    response = csm_api.delete(f"/accounts/{account.pk}")
    assert response.status_code == 204
    assert not Account.objects.exists()
    assert AuditEntry.objects.filter(action="delete", target_id=str(account.pk), via="api").exists()


def test_upsert_by_external_id_is_idempotent(csm_api):
    first = csm_api.put("/accounts/by-external-id/crm-42", {"name": "Initech", "segment": "smb"})
    second = csm_api.put("/accounts/by-external-id/crm-42", {"name": "Initech", "segment": "smb"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Account.objects.filter(external_id="crm-42").count() == 1
    # The second PUT changed nothing, so it recorded nothing.
    assert AuditEntry.objects.filter(target_type="customers.account").count() == 1


def test_upsert_updates_what_changed(csm_api):
    csm_api.put("/accounts/by-external-id/crm-42", {"name": "Initech"})
    response = csm_api.put("/accounts/by-external-id/crm-42", {"name": "Initech Inc", "tier": "1"})
    assert response.status_code == 200
    account = Account.objects.get(external_id="crm-42")
    assert (account.name, account.tier) == ("Initech Inc", "1")


def test_upsert_refuses_a_body_that_names_another_external_id(csm_api):
    response = csm_api.put("/accounts/by-external-id/crm-42", {"name": "Initech", "external_id": "crm-43"})
    assert response.status_code == 422
    assert error_fields(response) == {"external_id"}
    assert not Account.objects.exists()


def test_the_account_audit_trail(csm_api, viewer_api, account):
    csm_api.patch(f"/accounts/{account.pk}", {"name": "Acme Corporation"})
    csm_api.post("/contacts", {"name": "Ann", "account_id": account.pk})
    other = AccountFactory()
    csm_api.patch(f"/accounts/{other.pk}", {"name": "Elsewhere"})
    body = viewer_api.get(f"/accounts/{account.pk}/audit").json()
    assert body["count"] == 2
    assert [e["target_type"] for e in body["items"]] == ["customers.contact", "customers.account"]
    assert body["items"][1]["before"] == {"name": "Acme Corp"}
    assert body["items"][1]["changed_fields"] == ["name"]
