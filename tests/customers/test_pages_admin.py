"""The back office: every customer model is listed, and saves there are audited like any other."""

from __future__ import annotations

import pytest

from paceline.core.models import AuditEntry
from paceline.customers.models import Account, Interaction, Task
from tests.factories import (
    AccountFactory,
    ContactFactory,
    InteractionFactory,
    SubscriptionFactory,
    TaskFactory,
    UserFactory,
)


@pytest.fixture
def back_office(db, client_for):
    return client_for(UserFactory(username="root", is_staff=True, is_superuser=True))


@pytest.mark.parametrize("model", ["account", "contact", "subscription", "renewaloutcome", "interaction", "task"])
def test_every_customer_model_has_a_searchable_list(back_office, account, model):
    ContactFactory(account=account)
    SubscriptionFactory(account=account)
    InteractionFactory(account=account)
    TaskFactory(account=account)
    response = back_office.get(f"/admin/customers/{model}/?q=acme")
    assert response.status_code == 200
    assert 'id="searchbar"' in response.content.decode()


def test_a_non_staff_user_is_kept_out(csm_client):
    response = csm_client.get("/admin/customers/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_account_added_in_the_admin_is_audited(back_office):
    response = back_office.post("/admin/customers/account/add/", {
        "name": "Initech", "external_id": "ini-1", "segment": "smb", "tier": "3",
        "lifecycle_stage": "onboarding", "currency": "USD"})
    assert response.status_code == 302
    account = Account.objects.get(name="Initech")
    entry = AuditEntry.objects.get(target_type="customers.account", target_id=str(account.pk))
    assert entry.action == "create" and entry.via == "admin" and entry.actor_label == "root@vendor.test"


def test_an_admin_edit_audits_what_changed(back_office, account):
    response = back_office.post(f"/admin/customers/account/{account.pk}/change/", {
        "name": "Acme Corp", "external_id": "acme", "domain": account.domain, "segment": "enterprise", "tier": "2",
        "lifecycle_stage": "onboarding", "currency": "USD", "owner": account.owner_id})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="update")
    assert entry.before == {"segment": "mid_market"} and entry.after == {"segment": "enterprise"}


def test_an_interaction_saved_in_the_admin_keeps_its_participants(back_office, account, csm):
    pat = ContactFactory(account=account)
    response = back_office.post("/admin/customers/interaction/add/", {
        "account": account.pk, "kind": "call", "occurred_at_0": "2025-05-05", "occurred_at_1": "10:00:00",
        "subject": "Check-in", "contacts": [pat.pk], "users": [csm.pk]})
    assert response.status_code == 302, response.content.decode()
    interaction = Interaction.objects.get()
    assert list(interaction.contacts.all()) == [pat] and list(interaction.users.all()) == [csm]
    assert AuditEntry.objects.get(target_type="customers.interaction").after["contact_ids"] == [pat.pk]


def test_deleting_in_the_admin_is_audited(back_office, account):
    task = TaskFactory(account=account)
    response = back_office.post(f"/admin/customers/task/{task.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Task.objects.exists()
    assert AuditEntry.objects.filter(action="delete", target_type="customers.task").exists()


def test_renewal_outcomes_are_read_only_in_the_admin(back_office):
    AccountFactory()
    assert back_office.get("/admin/customers/renewaloutcome/add/").status_code == 403
