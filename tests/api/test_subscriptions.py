from __future__ import annotations

import datetime as dt
from decimal import Decimal

from paceline.core.models import AuditEntry
from paceline.customers.models import RenewalOutcome, Subscription
from tests.api.conftest import error_fields
from tests.factories import AccountFactory, SubscriptionFactory

TERM = {"product": "Paceline Platform", "start_date": "2025-01-01", "end_date": "2026-01-01"}


def test_create_keeps_money_exact_and_updates_the_account(csm_api, account):
    response = csm_api.post(
        "/subscriptions", TERM | {"account_external_id": "acme", "arr": "12345.67", "seats": 40, "currency": "EUR"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["arr"], body["mrr"], body["currency"]) == ("12345.67", "1028.81", "EUR")
    assert Subscription.objects.get().arr == Decimal("12345.67")
    account.refresh_from_db()
    assert account.arr == Decimal("12345.67")


def test_the_currency_defaults_to_the_accounts(csm_api):
    AccountFactory(external_id="gbp-co", currency="GBP")
    body = csm_api.post("/subscriptions", TERM | {"account_external_id": "gbp-co", "arr": "100"}).json()
    assert body["currency"] == "GBP"


def test_money_as_a_float_or_with_fractions_of_a_cent_is_refused(csm_api, account):
    as_float = csm_api.post("/subscriptions", TERM | {"account_id": account.pk, "arr": 12000.5})
    assert as_float.status_code == 422
    assert error_fields(as_float) == {"arr"}
    assert "decimal string" in as_float.json()["detail"][0]["msg"]
    too_fine = csm_api.post("/subscriptions", TERM | {"account_id": account.pk, "arr": "10.001"})
    assert too_fine.status_code == 422
    assert error_fields(too_fine) == {"arr"}
    assert not Subscription.objects.exists()


def test_the_list_filters_by_account_status_and_renewal_window(csm_api, account):
    other = AccountFactory()
    soon = SubscriptionFactory(account=account, start_date=dt.date(2024, 6, 1), end_date=dt.date(2025, 6, 1))
    SubscriptionFactory(account=account, start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 1, 1), status="ended")
    SubscriptionFactory(account=other)

    def ids(**params):
        return [s["id"] for s in csm_api.get("/subscriptions", params).json()["items"]]

    assert len(ids(account_id=account.pk)) == 2
    assert ids(account_id=account.pk, status="active") == [soon.pk]
    assert ids(account_external_id=account.external_id, renews_before="2025-07-01") == [soon.pk]
    assert soon.pk not in ids(renews_after="2025-07-01")


def test_patch_and_delete_keep_the_account_commercials(csm_api, account):
    subscription = SubscriptionFactory(account=account, arr=Decimal("1000.00"))
    response = csm_api.patch(f"/subscriptions/{subscription.pk}", {"arr": "3000.00"})
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.arr == Decimal("3000.00")
    assert csm_api.delete(f"/subscriptions/{subscription.pk}").status_code == 204
    account.refresh_from_db()
    assert account.arr == Decimal("0.00")


def test_recording_a_renewal_closes_the_term_and_starts_the_next(csm_api, account):
    subscription = SubscriptionFactory(account=account, arr=Decimal("10000.00"), seats=50)
    response = csm_api.post(
        f"/subscriptions/{subscription.pk}/renewal",
        {"decided_on": "2025-05-20", "arr_after": "12500.00", "seats_after": 60, "note": "Added a team"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["outcome"], body["arr_before"], body["arr_after"], body["arr_delta"]) == (
        "expanded", "10000.00", "12500.00", "2500.00"
    )
    renewed = Subscription.objects.get(pk=body["renewed_into_id"])
    assert (renewed.arr, renewed.seats, renewed.start_date) == (Decimal("12500.00"), 60, subscription.end_date)
    detail = csm_api.get(f"/subscriptions/{subscription.pk}").json()
    assert detail["status"] == "ended"
    assert detail["renewal_outcome"]["outcome"] == "expanded"

    again = csm_api.post(f"/subscriptions/{subscription.pk}/renewal", {"decided_on": "2025-05-21", "arr_after": "1"})
    assert again.status_code == 422
    assert RenewalOutcome.objects.count() == 1


def test_a_churn_starts_no_new_term(csm_api, account):
    subscription = SubscriptionFactory(account=account)
    body = csm_api.post(f"/subscriptions/{subscription.pk}/renewal", {"decided_on": "2025-05-20", "arr_after": "0"}).json()
    assert (body["outcome"], body["renewed_into_id"]) == ("churned", None)
    assert Subscription.objects.count() == 1


def test_upsert_is_idempotent(csm_api, account):
    payload = TERM | {"account_id": account.pk, "arr": "5000.00"}
    first = csm_api.put("/subscriptions/by-external-id/sf-1", payload)
    second = csm_api.put("/subscriptions/by-external-id/sf-1", payload)
    assert (first.status_code, second.status_code) == (201, 200)
    assert Subscription.objects.filter(external_id="sf-1").count() == 1
    assert csm_api.get("/subscriptions/by-external-id/sf-1").json()["arr"] == "5000.00"


def test_a_failed_create_writes_nothing(csm_api, account):
    response = csm_api.post(
        "/subscriptions", TERM | {"account_id": account.pk, "arr": "100", "end_date": "2024-12-31"}
    )
    assert response.status_code == 422
    assert error_fields(response) == {"end_date"}
    assert not Subscription.objects.exists()
    assert not AuditEntry.objects.filter(target_type__startswith="customers.").exists()
    account.refresh_from_db()
    assert account.arr == Decimal("0.00")
