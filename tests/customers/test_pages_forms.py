"""Creating and editing the customer record from the pages: saved through services, errors by field."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.customers.models import (
    Account,
    Contact,
    ContactStatus,
    Interaction,
    RenewalKind,
    Subscription,
    SubscriptionStatus,
    Task,
    TaskStatus,
)
from tests.factories import (
    AccountFactory,
    ContactFactory,
    InteractionFactory,
    SubscriptionFactory,
    TaskFactory,
)


def field_errors(response, field: str) -> str:
    """The error list Django renders next to a field (empty if none)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', response.content.decode(), re.S)
    return match.group(1) if match else ""


def account_data(**overrides) -> dict:
    data = {"name": "Globex", "external_id": "", "domain": "globex.example", "industry": "", "employees": "",
            "segment": "enterprise", "tier": "1", "lifecycle_stage": "onboarding", "owner": "", "parent": "",
            "currency": "USD", "description": ""}
    return data | overrides


def test_a_csm_creates_an_account_and_lands_on_it(csm_client, csm):
    response = csm_client.post("/accounts/new/", account_data(owner=csm.pk), follow=True)
    account = Account.objects.get(name="Globex")
    assert response.redirect_chain == [(f"/accounts/{account.pk}/", 302)]
    assert "Account “Globex” created." in response.content.decode()
    assert account.owner == csm and account.segment == "enterprise"
    entry = AuditEntry.objects.get(target_type="customers.account", action="create")
    assert entry.via == "web" and entry.actor == csm


def test_the_new_account_form_offers_the_csm_as_owner(csm_client, csm):
    body = csm_client.get("/accounts/new/").content.decode()
    assert f'<option value="{csm.pk}" selected>Carl Csm</option>' in body


def test_a_bad_currency_is_named_next_to_its_field_and_nothing_is_saved(leader_client):
    # Three characters pass the form; the service's model validation refuses it by field.
    response = leader_client.post("/accounts/new/", account_data(currency="usd"))
    assert response.status_code == 400
    assert "three-letter ISO 4217 code" in field_errors(response, "currency")
    assert "Nothing was saved." in response.content.decode()
    assert not Account.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_missing_name_is_named(leader_client):
    response = leader_client.post("/accounts/new/", account_data(name=""))
    assert response.status_code == 400
    assert "This field is required." in field_errors(response, "name")


def test_editing_an_account_saves_and_audits_the_change(leader_client, account, leader):
    response = leader_client.post(f"/accounts/{account.pk}/edit/", account_data(name="Acme Corporation", owner=account.owner_id))
    assert response.status_code == 302 and response["Location"] == f"/accounts/{account.pk}/"
    account.refresh_from_db()
    assert account.name == "Acme Corporation"
    entry = AuditEntry.objects.get(action="update")
    assert entry.before["name"] == "Acme Corp" and entry.after["name"] == "Acme Corporation"
    assert entry.actor == leader


def test_an_account_cannot_be_its_own_parent(csm_client, account):
    body = csm_client.get(f"/accounts/{account.pk}/edit/").content.decode()
    parent_select = re.search(r'<select name="parent".*?</select>', body, re.S).group(0)
    assert f'value="{account.pk}"' not in parent_select
    response = csm_client.post(f"/accounts/{account.pk}/edit/", account_data(name=account.name, parent=account.pk))
    assert response.status_code == 400
    assert "cannot be its own parent" in field_errors(response, "parent")
    assert Account.objects.get(pk=account.pk).parent_id is None


def test_an_account_cannot_be_moved_under_its_own_child(csm_client, account):
    child = AccountFactory(name="Acme Child", parent=account)
    response = csm_client.post(f"/accounts/{account.pk}/edit/", account_data(name=account.name, parent=child.pk))
    assert response.status_code == 400
    assert "cannot be its own ancestor" in field_errors(response, "parent")
    assert Account.objects.get(pk=account.pk).parent_id is None


def test_deleting_an_account_asks_first_then_returns_to_the_book(csm_client, account):
    assert "Delete Acme Corp?" in csm_client.get(f"/accounts/{account.pk}/delete/").content.decode()
    response = csm_client.post(f"/accounts/{account.pk}/delete/", follow=True)
    assert response.redirect_chain == [("/book/", 302)]
    assert "Account “Acme Corp” deleted." in response.content.decode()
    assert not Account.objects.filter(pk=account.pk).exists()
    assert AuditEntry.objects.filter(action="delete", target_type="customers.account").exists()


def contact_data(**overrides) -> dict:
    data = {"name": "Dana Decider", "email": "dana@acme.test", "phone": "", "title": "CFO", "level": "executive",
            "roles": ["decision_maker", "executive_sponsor"], "reports_to": "", "status": "active", "left_on": "",
            "external_id": ""}
    return data | overrides


def test_a_contact_is_added_with_roles_and_a_manager(csm_client, account):
    boss = ContactFactory(account=account, name="Cora Chief")
    response = csm_client.post(f"/accounts/{account.pk}/contacts/new/", contact_data(reports_to=boss.pk, is_primary="on"))
    assert response.status_code == 302
    contact = Contact.objects.get(name="Dana Decider")
    assert contact.roles == ["decision_maker", "executive_sponsor"]
    assert contact.reports_to == boss and contact.is_primary


def test_a_contact_cannot_report_to_themself(csm_client, account):
    contact = ContactFactory(account=account, name="Sam Self")
    response = csm_client.post(f"/accounts/{account.pk}/contacts/{contact.pk}/edit/",
                               contact_data(name="Sam Self", reports_to=contact.pk))
    assert response.status_code == 400
    assert "cannot report to themself" in field_errors(response, "reports_to")
    assert Contact.objects.get(pk=contact.pk).reports_to_id is None


def test_a_contact_cannot_report_to_someone_at_another_account(csm_client, account):
    stranger = ContactFactory(account=AccountFactory(), name="Stranger")
    response = csm_client.post(f"/accounts/{account.pk}/contacts/new/", contact_data(reports_to=stranger.pk))
    assert response.status_code == 400
    assert "Choose a colleague at this account" in field_errors(response, "reports_to")
    assert not Contact.objects.filter(name="Dana Decider").exists()
    body = csm_client.get(f"/accounts/{account.pk}/contacts/new/").content.decode()
    assert "Stranger" not in body


def test_a_loop_in_the_chain_of_command_is_named_on_reports_to(csm_client, account):
    boss = ContactFactory(account=account, name="Boss")
    report = ContactFactory(account=account, name="Report", reports_to=boss)
    response = csm_client.post(f"/accounts/{account.pk}/contacts/{boss.pk}/edit/",
                               contact_data(name="Boss", reports_to=report.pk))
    assert response.status_code == 400
    assert "loop" in field_errors(response, "reports_to")
    assert Contact.objects.get(pk=boss.pk).reports_to_id is None


def test_leaving_needs_a_date(csm_client, account):
    contact = ContactFactory(account=account, name="Lee Leaving")
    response = csm_client.post(f"/accounts/{account.pk}/contacts/{contact.pk}/edit/",
                               contact_data(name="Lee Leaving", status="left"))
    assert response.status_code == 400
    assert "Give the date the contact left." in field_errors(response, "left_on")


def test_marking_a_champion_as_left_flags_them_on_the_account(csm_client, account):
    champ = ContactFactory(account=account, name="Chloe Champ", roles=["champion"], is_primary=True)
    response = csm_client.post(f"/accounts/{account.pk}/contacts/{champ.pk}/left/", {"left_on": "2025-06-30"}, follow=True)
    assert response.redirect_chain == [(f"/accounts/{account.pk}/", 302)]
    body = response.content.decode()
    assert "Chloe Champ is marked as having left on 2025-06-30." in body
    assert "<strong>Champion Chloe Champ left on 2025-06-30.</strong>" in body
    champ.refresh_from_db()
    assert champ.status == ContactStatus.LEFT and champ.left_on == dt.date(2025, 6, 30) and not champ.is_primary


def test_marking_as_left_needs_a_valid_date(csm_client, account):
    contact = ContactFactory(account=account)
    response = csm_client.post(f"/accounts/{account.pk}/contacts/{contact.pk}/left/", {"left_on": "30/06/2025"})
    assert response.status_code == 400
    assert "Enter a valid date." in field_errors(response, "left_on")


def subscription_data(**overrides) -> dict:
    data = {"product": "Paceline Platform", "seats": "40", "arr": "24000.00", "currency": "USD",
            "start_date": "2025-01-01", "end_date": "2026-01-01", "renewal_date": "", "notice_days": "60",
            "status": "active", "external_id": ""}
    return data | overrides


def test_a_subscription_is_added_and_the_account_arr_follows(csm_client, account):
    response = csm_client.post(f"/accounts/{account.pk}/subscriptions/new/", subscription_data(end_date="2099-01-01"))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.arr == Decimal("24000.00")
    assert account.next_renewal_date == dt.date(2099, 1, 1)


def test_an_end_date_before_the_start_date_is_named_and_nothing_is_saved(csm_client, account):
    response = csm_client.post(f"/accounts/{account.pk}/subscriptions/new/", subscription_data(end_date="2024-06-01"))
    assert response.status_code == 400
    assert "The end date must be after the start date." in field_errors(response, "end_date")
    assert not Subscription.objects.exists()


def test_editing_a_subscription_of_another_account_is_404(csm_client, account):
    stranger = SubscriptionFactory(account=AccountFactory())
    assert csm_client.get(f"/accounts/{account.pk}/subscriptions/{stranger.pk}/edit/").status_code == 404


def test_recording_a_renewal_starts_the_next_term(csm_client, account):
    today = timezone.localdate()
    term = SubscriptionFactory(account=account, arr=Decimal("12000"), seats=50,
                               start_date=today - dt.timedelta(days=365), end_date=today)
    url = f"/accounts/{account.pk}/subscriptions/{term.pk}/renewal/"
    form = csm_client.get(url).content.decode()
    assert 'name="arr_after" value="12000.00"' in form
    response = csm_client.post(url, {"arr_after": "15000", "decided_on": today.isoformat(), "seats_after": "60",
                                     "new_end_date": "", "note": "Added the analytics team"}, follow=True)
    assert "recorded: Expanded, ARR 12,000.00 → 15,000.00 USD." in response.content.decode()
    term.refresh_from_db()
    assert term.status == SubscriptionStatus.ENDED
    assert term.renewal_outcome.outcome == RenewalKind.EXPANDED
    assert term.renewal_outcome.renewed_into.seats == 60
    account.refresh_from_db()
    assert account.arr == Decimal("15000.00")


def test_a_renewal_cannot_be_recorded_twice(csm_client, account):
    today = timezone.localdate()
    term = SubscriptionFactory(account=account, start_date=today - dt.timedelta(days=365), end_date=today)
    data = {"arr_after": "0", "decided_on": today.isoformat()}
    assert csm_client.post(f"/accounts/{account.pk}/subscriptions/{term.pk}/renewal/", data).status_code == 302
    response = csm_client.post(f"/accounts/{account.pk}/subscriptions/{term.pk}/renewal/", data)
    assert response.status_code == 400
    assert "Subscription: This term&#x27;s renewal is already recorded." in response.content.decode()


def test_a_negative_arr_after_is_named(csm_client, account):
    term = SubscriptionFactory(account=account)
    response = csm_client.post(f"/accounts/{account.pk}/subscriptions/{term.pk}/renewal/",
                               {"arr_after": "-5", "decided_on": "2025-01-01"})
    assert response.status_code == 400
    assert "greater than or equal to 0" in field_errors(response, "arr_after")


def interaction_data(**overrides) -> dict:
    data = {"kind": "meeting", "occurred_at": "2025-05-05T14:30", "subject": "Roll-out plan",
            "summary": "Agreed the next two teams.", "sentiment": "positive"}
    return data | overrides


def test_logging_an_interaction_with_people_on_both_sides(csm_client, account, csm, leader):
    pat = ContactFactory(account=account, name="Pat Buyer")
    form = csm_client.get(f"/accounts/{account.pk}/interactions/new/").content.decode()
    assert "Pat Buyer" in form
    response = csm_client.post(f"/accounts/{account.pk}/interactions/new/",
                               interaction_data(contacts=[pat.pk], users=[csm.pk, leader.pk]), follow=True)
    interaction = Interaction.objects.get()
    assert response.redirect_chain == [(f"/accounts/{account.pk}/", 302)]
    assert list(interaction.contacts.all()) == [pat]
    assert set(interaction.users.all()) == {csm, leader}
    assert interaction.created_by == csm
    timeline = response.content.decode().split('id="timeline"')[1]
    assert "Roll-out plan" in timeline and "Pat Buyer" in timeline


def test_an_interaction_cannot_include_another_accounts_contact(csm_client, account):
    stranger = ContactFactory(account=AccountFactory(), name="Stranger")
    response = csm_client.post(f"/accounts/{account.pk}/interactions/new/", interaction_data(contacts=[stranger.pk]))
    assert response.status_code == 400
    assert "Only this account&#x27;s contacts" in field_errors(response, "contacts")
    assert not Interaction.objects.exists()


def test_an_interaction_needs_a_valid_time_and_kind(csm_client, account):
    response = csm_client.post(f"/accounts/{account.pk}/interactions/new/",
                               interaction_data(occurred_at="yesterday", kind="fax"))
    assert response.status_code == 400
    assert field_errors(response, "occurred_at")
    assert "fax is not one of the available choices" in field_errors(response, "kind")


def test_editing_an_interaction_changes_its_participants(csm_client, account, csm):
    pat = ContactFactory(account=account, name="Pat Buyer")
    interaction = InteractionFactory(account=account, subject="Call")
    interaction.contacts.set([pat])
    response = csm_client.post(f"/accounts/{account.pk}/interactions/{interaction.pk}/edit/",
                               interaction_data(subject="Call about seats", users=[csm.pk]))
    assert response.status_code == 302
    interaction.refresh_from_db()
    assert interaction.subject == "Call about seats"
    assert list(interaction.contacts.all()) == []
    assert list(interaction.users.all()) == [csm]


def test_a_task_is_created_edited_and_completed(csm_client, account, csm):
    response = csm_client.post(f"/accounts/{account.pk}/tasks/new/", {
        "title": "Prepare QBR deck", "description": "", "owner": csm.pk, "due_date": "2025-07-01",
        "priority": "high", "status": "open"})
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.owner == csm and task.source == "manual" and task.due_date == dt.date(2025, 7, 1)
    response = csm_client.post(f"/accounts/{account.pk}/tasks/{task.pk}/edit/", {
        "title": "Prepare QBR deck", "description": "", "owner": csm.pk, "due_date": "2025-07-01",
        "priority": "urgent", "status": "done"})
    task.refresh_from_db()
    assert task.priority == "urgent" and task.status == TaskStatus.DONE and task.completed_at is not None


def test_a_task_owner_must_be_someone_who_can_work_accounts(csm_client, account, viewer):
    response = csm_client.post(f"/accounts/{account.pk}/tasks/new/", {
        "title": "X", "owner": viewer.pk, "priority": "normal", "status": "open"})
    assert response.status_code == 400
    assert field_errors(response, "owner")
    assert not Task.objects.exists()


@pytest.mark.parametrize("url", ["/accounts/{a}/contacts/{x}/edit/", "/accounts/{a}/interactions/{x}/edit/",
                                 "/accounts/{a}/tasks/{x}/edit/"])
def test_records_of_another_account_are_not_reachable_through_this_one(csm_client, account, url):
    other = AccountFactory()
    ids = {"/contacts/": ContactFactory(account=other).pk, "/interactions/": InteractionFactory(account=other).pk,
           "/tasks/": TaskFactory(account=other).pk}
    record = next(pk for part, pk in ids.items() if part in url)
    assert csm_client.get(url.format(a=account.pk, x=record)).status_code == 404
