"""Bad input gets a clear error naming the problem, and nothing is half-written."""

from __future__ import annotations

import pytest

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.customers.models import Account, Contact
from tests.api.conftest import error_fields


def _nothing_written() -> bool:
    return not (
        Account.objects.exclude(external_id="acme").exists()
        or AuditEntry.objects.filter(target_type__startswith="customers.").exists()
        or ActivityEvent.objects.exists()
    )


def test_malformed_json_is_a_400_saying_where(csm_api, account):
    response = csm_api.post("/accounts", raw='{"name": "Globex",}')
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "Malformed JSON" in detail
    assert "line 1 column" in detail
    assert _nothing_written()


def test_a_json_body_that_is_not_an_object_is_refused(csm_api):
    response = csm_api.post("/accounts", ["Globex"])
    assert response.status_code == 422
    assert _nothing_written()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "employees": "lots"}, "employees"),
        ({"name": "X", "segment": "galactic"}, "segment"),
        ({"name": 42}, "name"),
        ({"segment": "smb"}, "name"),
        ({"name": "X", "colour": "red"}, "colour"),
        ({"name": "X", "owner_id": "carl"}, "owner_id"),
    ],
)
def test_wrong_types_are_a_422_naming_the_field(csm_api, payload, field):
    response = csm_api.post("/accounts", payload)
    assert response.status_code == 422
    assert field in error_fields(response)
    assert _nothing_written()


@pytest.mark.parametrize("value", ["31/12/2025", "2025-13-01", "tomorrow", "2025-02-30"])
def test_dates_in_the_wrong_format_are_named(csm_api, account, value):
    response = csm_api.post(
        "/subscriptions",
        {"account_id": account.pk, "product": "P", "arr": "1", "start_date": value, "end_date": "2026-01-01"},
    )
    assert response.status_code == 422
    assert error_fields(response) == {"start_date"}


def test_a_service_rule_is_a_422_naming_the_field(csm_api):
    response = csm_api.post("/accounts", {"name": "X", "currency": "dollars"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {tuple(e["loc"]) for e in detail} == {("body", "currency")}
    assert "Use a three-letter ISO 4217 code such as USD or EUR." in [e["msg"] for e in detail]
    assert _nothing_written()


def test_a_duplicate_external_id_on_create_is_named(csm_api, account):
    response = csm_api.post("/accounts", {"name": "Acme again", "external_id": "acme"})
    assert response.status_code == 422
    assert error_fields(response) == {"external_id"}
    assert Account.objects.count() == 1
    assert _nothing_written()


def test_a_duplicate_contact_external_id_is_named(csm_api, account):
    assert csm_api.post("/contacts", {"name": "Ann", "account_id": account.pk, "external_id": "c-1"}).status_code == 201
    response = csm_api.post("/contacts", {"name": "Bob", "account_id": account.pk, "external_id": "c-1"})
    assert response.status_code == 422
    assert error_fields(response) == {"external_id"}
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "params", "names"),
    [
        ("/accounts", {"colour": "red"}, {"colour"}),
        ("/accounts", {"page": "2"}, {"page"}),
        ("/accounts", {"segment": "galactic", "sort": "size"}, {"segment", "sort"}),
        ("/accounts", {"owner": "someone"}, {"owner"}),
        ("/contacts", {"acount_id": "1"}, {"acount_id"}),
        ("/subscriptions", {"renews_before": "soon"}, {"renews_before"}),
        ("/interactions", {"occurred_after": "2025-01-01T00:00:00"}, {"occurred_after"}),
        ("/tasks", {"status": "open", "colour": "red"}, {"colour"}),
        ("/tasks", {"owner": "boss"}, {"owner"}),
        ("/audit", {"since": "yesterday"}, {"since"}),
        ("/audit", {"who": "me"}, {"who"}),
        ("/accounts", {"limit": "0"}, {"limit"}),
        ("/accounts", {"limit": "100000"}, {"limit"}),
        ("/contacts", {"offset": "-1"}, {"offset"}),
    ],
)
def test_unknown_or_bad_filters_are_named(csm_api, path, params, names):
    response = csm_api.get(path, params)
    assert response.status_code == 422
    assert error_fields(response) == names


def test_the_page_size_is_capped_by_the_setting(csm_api, settings):
    response = csm_api.get("/accounts", {"limit": str(settings.PACELINE_API_MAX_PAGE_SIZE)})
    assert response.status_code == 200
    too_many = csm_api.get("/accounts", {"limit": str(settings.PACELINE_API_MAX_PAGE_SIZE + 1)})
    assert too_many.status_code == 422
    assert str(settings.PACELINE_API_MAX_PAGE_SIZE) in too_many.json()["detail"][0]["msg"]


def test_a_reference_by_id_and_by_external_id_at_once_is_refused(csm_api, account):
    response = csm_api.post("/contacts", {"name": "Ann", "account_id": account.pk, "account_external_id": "acme"})
    assert response.status_code == 422
    assert error_fields(response) == {"account_id"}
    assert not Contact.objects.exists()


HUGE = str(10**20)


@pytest.mark.parametrize(
    ("method", "path", "data", "field"),
    [
        ("post", "/accounts", {"name": "Nul\x00Corp"}, "name"),
        ("post", "/contacts", {"name": "Ann", "account_id": int(HUGE)}, "account_id"),
        ("post", "/tasks", {"title": "T", "account_external_id": "acme", "owner_id": int(HUGE)}, "owner_id"),
        ("get", "/accounts", {"q": "nul\x00"}, "q"),
        ("get", "/accounts", {"owner": HUGE}, "owner"),
        ("get", "/contacts", {"account_id": HUGE}, "account_id"),
        ("get", "/tasks", {"owner": HUGE}, "owner"),
        ("get", "/audit", {"account_id": HUGE}, "account_id"),
        ("get", "/interactions", {"offset": HUGE}, "offset"),
    ],
)
def test_values_the_database_cannot_hold_are_refused_by_name(csm_api, account, method, path, data, field):
    response = getattr(csm_api, method)(path, data)
    assert response.status_code == 422
    assert error_fields(response) == {field}
    assert _nothing_written()


def test_a_patch_refuses_fields_it_cannot_change(csm_api, account):
    contact = Contact.objects.create(account=account, name="Ann")
    moved = csm_api.patch(f"/contacts/{contact.pk}", {"account_id": account.pk + 1})
    assert moved.status_code == 422
    assert error_fields(moved) == {"account_id"}
    unknown = csm_api.patch(f"/accounts/{account.pk}", {"arr": "1000000.00"})
    assert unknown.status_code == 422
    assert error_fields(unknown) == {"arr"}
    account.refresh_from_db()
    assert account.arr == 0
