"""Who may call the API: tokens, sessions, roles; and the docs that must work offline."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from paceline.core.models import AuditEntry
from paceline.core.services import Actor
from paceline.customers.models import Account
from paceline.users.models import ApiToken
from paceline.users.services import token_revoke
from tests.api.conftest import BASE, ApiClient
from tests.factories import (
    AccountFactory,
    ContactFactory,
    InteractionFactory,
    SubscriptionFactory,
    TaskFactory,
)

LISTS = ["/accounts", "/contacts", "/subscriptions", "/interactions", "/tasks", "/audit", "/me", "/me/tokens"]


@pytest.mark.parametrize("path", LISTS)
def test_it_refuses_an_anonymous_caller_with_a_json_401(anon_api, path):
    response = anon_api.get(path)
    assert response.status_code == 401
    assert "API token" in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_refuses_anonymous_writes_with_401_not_a_csrf_error(anon_api):
    response = anon_api.post("/accounts", {"name": "Sneaky"})
    assert response.status_code == 401
    assert not Account.objects.exists()


def test_it_refuses_a_revoked_token(csm, api_token_for):
    raw = api_token_for(csm)
    api = ApiClient(raw)
    assert api.get("/accounts").status_code == 200
    token_revoke(actor=Actor(user=csm, via="cli"), token=ApiToken.objects.get(user=csm))
    response = api.get("/accounts")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


@pytest.mark.parametrize("header", ["Bearer pl_not-a-real-token", "Bearer nonsense", "Basic Y2FybDpwdw==", "Bearer"])
def test_it_refuses_wrong_credentials(db, header):
    response = Client(headers={"Authorization": header}).get(f"{BASE}/accounts")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_bad_token_is_refused_even_with_a_signed_in_session(csm):
    client = Client(headers={"Authorization": "Bearer pl_wrong"})
    client.force_login(csm)
    assert client.get(f"{BASE}/accounts").status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(csm, api_token_for):
    api = ApiClient(api_token_for(csm))
    csm.is_active = False
    csm.save()
    assert api.get("/accounts").status_code == 401


def test_a_viewer_reads_every_resource(viewer_api, account):
    ContactFactory(account=account)
    SubscriptionFactory(account=account)
    InteractionFactory(account=account)
    TaskFactory(account=account)
    for path in ["/accounts", "/contacts", "/subscriptions", "/interactions", "/tasks"]:
        response = viewer_api.get(path)
        assert response.status_code == 200, path
        assert response.json()["count"] == 1, path
    assert viewer_api.get(f"/accounts/{account.pk}").json()["name"] == "Acme Corp"


def test_a_viewer_cannot_write_and_is_told_the_role_is_read_only(viewer_api, account):
    contact = ContactFactory(account=account)
    attempts = [
        viewer_api.post("/accounts", {"name": "Nope"}),
        viewer_api.patch(f"/accounts/{account.pk}", {"name": "Renamed"}),
        viewer_api.put("/accounts/by-external-id/nope", {"name": "Nope"}),
        viewer_api.delete(f"/accounts/{account.pk}"),
        viewer_api.post("/contacts", {"name": "Nope", "account_id": account.pk}),
        viewer_api.delete(f"/contacts/{contact.pk}"),
        viewer_api.post("/tasks", {"title": "Nope", "account_id": account.pk}),
    ]
    for response in attempts:
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]
    account.refresh_from_db()
    assert account.name == "Acme Corp"
    assert Account.objects.count() == 1
    assert not AuditEntry.objects.filter(via="api").exists()


@pytest.mark.parametrize("persona", ["csm", "leader"])
def test_csms_and_leaders_can_write(request, api_for, persona):
    user = request.getfixturevalue(persona)
    response = api_for(user).post("/accounts", {"name": f"Made by {persona}"})
    assert response.status_code == 201
    entry = AuditEntry.objects.get(target_type="customers.account")
    assert (entry.actor, entry.via) == (user, "api")


def test_a_signed_in_session_reads_without_a_token(csm_client, account):
    response = csm_client.get(f"{BASE}/accounts")
    assert response.status_code == 200
    assert response.json()["items"][0]["name"] == "Acme Corp"


def test_session_writes_need_the_csrf_token(csm):
    client = Client(enforce_csrf_checks=True)
    client.force_login(csm)
    body = json.dumps({"name": "Via the docs page"})
    refused = client.post(f"{BASE}/accounts", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Account.objects.exists()

    docs = client.get(f"{BASE}/docs")
    token = re.search(r'data-csrf-token="([^"]+)"', docs.content.decode()).group(1)
    accepted = client.post(f"{BASE}/accounts", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    assert Account.objects.get().name == "Via the docs page"


def test_a_viewer_session_cannot_write_either(viewer_client):
    response = viewer_client.post(f"{BASE}/accounts", json.dumps({"name": "X"}), content_type="application/json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


# The caller's own profile and tokens ------------------------------------------------------------


def test_me_says_who_is_calling(viewer_api, viewer):
    body = viewer_api.get("/me").json()
    assert (body["id"], body["username"], body["role"], body["can_write"]) == (viewer.pk, "vic", "viewer", False)


def test_a_viewer_manages_their_own_tokens(viewer_api, viewer):
    created = viewer_api.post("/me/tokens", {"name": "Reporting script"})
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("pl_")
    assert ApiClient(raw).get("/me").json()["username"] == "vic"

    listed = viewer_api.get("/me/tokens").json()
    assert {t["name"] for t in listed} == {"tests", "Reporting script"}
    assert all("token" not in t for t in listed)

    revoked = viewer_api.delete(f"/me/tokens/{created.json()['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["is_active"] is False
    assert ApiClient(raw).get("/me").status_code == 401


def test_nobody_revokes_someone_elses_token(csm_api, viewer, api_token_for):
    raw = api_token_for(viewer)
    theirs = ApiToken.objects.get(user=viewer)
    assert csm_api.delete(f"/me/tokens/{theirs.pk}").status_code == 404
    assert ApiClient(raw).get("/me").status_code == 200


def test_a_token_needs_a_name(csm_api):
    response = csm_api.post("/me/tokens", {"name": ""})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "name"


# Docs and OpenAPI -------------------------------------------------------------------------------


def test_the_openapi_document_lists_the_paths(anon_api):
    response = anon_api.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    paths = spec["paths"]
    for resource in ["accounts", "contacts", "subscriptions", "interactions", "tasks"]:
        assert {"get", "post"} <= set(paths[f"{BASE}/{resource}"])
        assert {"put", "get"} <= set(paths[f"{BASE}/{resource}/by-external-id/{{external_id}}"])
    assert "post" in paths[f"{BASE}/subscriptions/{{subscription_id}}/renewal"]
    assert "get" in paths[f"{BASE}/audit"]
    assert "get" in paths[f"{BASE}/accounts/{{account_id}}/audit"]
    schemes = spec["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["ApiTokenAuth"].items()
    assert spec["components"]["schemas"]["SubscriptionOut"]["properties"]["arr"]["type"] == "string"


def test_the_docs_page_loads_nothing_from_the_internet(anon_api):
    response = anon_api.get("/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    assert not [a for a in assets if re.match(r"^(https?:)?//", a)]
    assert "cdn" not in html.lower()
    # Swagger UI would otherwise fetch a badge from an online validator.
    settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))
    assert settings["validatorUrl"] is None
    assert settings["url"] == f"{BASE}/openapi.json"
    for asset in ["ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"]:
        assert finders.find(asset), f"{asset} is not among the static files"


def test_unknown_ids_are_404_with_a_json_message(csm_api):
    AccountFactory()
    for path in ["/accounts/999999", "/contacts/999999", "/subscriptions/999999", "/interactions/999999",
                 "/tasks/999999", "/accounts/by-external-id/nope", "/accounts/999999/audit"]:
        response = csm_api.get(path)
        assert response.status_code == 404, path
        assert "No " in response.json()["detail"]
    assert csm_api.patch("/tasks/999999", {"title": "x"}).status_code == 404
    assert csm_api.delete("/contacts/999999").status_code == 404
