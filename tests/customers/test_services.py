import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.customers import services
from paceline.customers.models import Account, ContactStatus, RenewalKind, SubscriptionStatus
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory


def test_account_create_records_an_audit_entry_with_the_account(actor):
    account = services.account_create(actor=actor, name="Globex", external_id="  gx-1 ", segment="enterprise")
    entry = AuditEntry.objects.get(target_type="customers.account", target_id=str(account.pk))
    assert entry.account_id == account.pk
    assert entry.actor == actor.user
    assert entry.after["name"] == "Globex"
    assert account.external_id == "gx-1"
    assert ActivityEvent.objects.filter(kind="account.created", account_id=account.pk).exists()


def test_account_update_audits_only_what_changed(actor, account):
    services.account_update(actor=actor, account=account, segment="enterprise", name=account.name)
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.before == {"segment": "mid_market"}
    assert entry.after == {"segment": "enterprise"}


def test_an_update_that_changes_nothing_is_not_audited(actor, account):
    services.account_update(actor=actor, account=account, name=account.name)
    assert not AuditEntry.objects.filter(action="update").exists()


def test_bad_input_names_the_field_and_writes_nothing(actor):
    with pytest.raises(ValidationError) as err:
        services.account_create(actor=actor, name="X", segment="galactic", currency="dollars")
    assert set(err.value.message_dict) == {"segment", "currency"}
    assert not Account.objects.exists()
    assert not AuditEntry.objects.exists()


def test_unknown_fields_are_refused_by_name(actor):
    with pytest.raises(ValidationError) as err:
        services.account_create(actor=actor, name="X", colour="red")
    assert "colour" in err.value.message_dict


def test_upsert_by_external_id_creates_then_updates(actor):
    first, created = services.account_upsert(actor=actor, external_id="ext-9", name="Initech")
    again, created_again = services.account_upsert(actor=actor, external_id="ext-9", name="Initech Inc")
    assert created and not created_again
    assert first.pk == again.pk
    assert Account.objects.get().name == "Initech Inc"


def test_an_account_cannot_be_its_own_ancestor(actor):
    top = AccountFactory()
    child = AccountFactory(parent=top)
    with pytest.raises(ValidationError) as err:
        services.account_update(actor=actor, account=top, parent=child)
    assert "parent" in err.value.message_dict


def test_subscriptions_keep_account_arr_mrr_and_next_renewal(actor, account):
    today = timezone.localdate()
    services.subscription_create(
        actor=actor, account=account, product="Core", arr=Decimal("24000"), seats=10,
        start_date=today - dt.timedelta(days=100), end_date=today + dt.timedelta(days=265),
    )
    services.subscription_create(
        actor=actor, account=account, product="Add-on", arr=Decimal("6000.50"), seats=10,
        start_date=today - dt.timedelta(days=10), end_date=today + dt.timedelta(days=90),
        renewal_date=today + dt.timedelta(days=60),
    )
    account.refresh_from_db()
    assert account.arr == Decimal("30000.50")
    assert account.mrr == Decimal("2500.04")
    assert account.next_renewal_date == today + dt.timedelta(days=60)
    assert account.days_to_renewal == 60


def test_subscription_end_before_start_is_refused(actor, account):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as err:
        services.subscription_create(actor=actor, account=account, product="Core", arr=Decimal("1"),
                                     start_date=today, end_date=today - dt.timedelta(days=1))
    assert "end_date" in err.value.message_dict


@pytest.mark.parametrize(
    ("after", "outcome"),
    [("12000", RenewalKind.RENEWED), ("15000", RenewalKind.EXPANDED), ("9000", RenewalKind.CONTRACTED), ("0", RenewalKind.CHURNED)],
)
def test_renewal_outcome_follows_from_arr(actor, account, after, outcome):
    sub = SubscriptionFactory(account=account, arr=Decimal("12000"))
    result = services.renewal_record(actor=actor, subscription=sub, decided_on=sub.end_date, arr_after=Decimal(after))
    sub.refresh_from_db()
    account.refresh_from_db()
    assert result.outcome == outcome
    assert sub.status == SubscriptionStatus.ENDED
    assert account.arr == Decimal(after)
    assert (result.renewed_into is None) == (outcome == RenewalKind.CHURNED)
    assert ActivityEvent.objects.filter(kind=f"renewal.{outcome}", account_id=account.pk).exists()


def test_a_departed_champion_emits_an_event(actor, account):
    champion = ContactFactory(account=account, roles=["champion"], is_primary=True)
    services.contact_mark_departed(actor=actor, contact=champion, left_on=dt.date(2026, 3, 3))
    champion.refresh_from_db()
    assert champion.is_departed_champion
    assert not champion.is_primary
    event = ActivityEvent.objects.get(kind="contact.departed")
    assert event.payload["key_roles"] == ["champion"]
    assert event.payload["left_on"] == "2026-03-03"


def test_a_chain_of_command_cannot_loop(actor, account):
    boss = ContactFactory(account=account)
    report = ContactFactory(account=account, reports_to=boss)
    with pytest.raises(ValidationError) as err:
        services.contact_update(actor=actor, contact=boss, reports_to=report)
    assert "reports_to" in err.value.message_dict


def test_a_contact_reports_only_within_the_account(actor, account):
    stranger = ContactFactory()
    with pytest.raises(ValidationError) as err:
        services.contact_create(actor=actor, account=account, name="New", reports_to=stranger)
    assert "reports_to" in err.value.message_dict


def test_left_contact_needs_a_date(actor, account):
    with pytest.raises(ValidationError) as err:
        services.contact_create(actor=actor, account=account, name="Gone", status=ContactStatus.LEFT)
    assert "left_on" in err.value.message_dict


def test_only_one_primary_contact(actor, account):
    first = ContactFactory(account=account, is_primary=True)
    services.contact_create(actor=actor, account=account, name="New primary", is_primary=True)
    first.refresh_from_db()
    assert not first.is_primary


def test_interaction_participants_must_belong_to_the_account(actor, account):
    stranger = ContactFactory()
    with pytest.raises(ValidationError):
        services.interaction_create(actor=actor, account=account, kind="call", subject="Hi",
                                    occurred_at=timezone.now(), contacts=[stranger])
    assert not account.interactions.exists()


def test_completing_a_task_stamps_it_and_emits(actor, account):
    task = services.task_create(actor=actor, account=account, title="Send deck")
    services.task_complete(actor=actor, task=task)
    assert task.completed_at is not None
    assert ActivityEvent.objects.filter(kind="task.completed", subject_id=str(task.pk)).exists()
