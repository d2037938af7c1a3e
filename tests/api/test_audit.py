from __future__ import annotations

import datetime as dt

from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor
from paceline.customers import services
from tests.factories import AccountFactory


def test_every_api_write_is_audited_with_before_and_after(csm_api, csm, account):
    csm_api.patch(f"/accounts/{account.pk}", {"tier": "1"})
    entry = csm_api.get("/audit", {"account_id": account.pk}).json()["items"][0]
    assert (entry["action"], entry["via"], entry["actor_id"], entry["actor_label"]) == (
        "update", "api", csm.pk, csm.email
    )
    assert (entry["before"], entry["after"]) == ({"tier": "2"}, {"tier": "1"})
    assert entry["target_type"] == "customers.account"
    assert entry["target_id"] == str(account.pk)


def test_the_audit_list_filters(viewer_api, csm, other_csm, account):
    other = AccountFactory()
    services.account_update(actor=Actor(user=csm, via="web"), account=account, name="Acme One")
    services.contact_create(actor=Actor(user=other_csm, via="web"), account=account, name="Ann")
    services.account_update(actor=Actor(user=other_csm, via="import"), account=other, name="Other One")

    def targets(**params):
        response = viewer_api.get("/audit", params)
        assert response.status_code == 200
        return [(e["target_type"], e["account_id"]) for e in response.json()["items"]]

    assert targets(account_id=account.pk) == [("customers.contact", account.pk), ("customers.account", account.pk)]
    assert targets(target_type="customers.account", account_id=other.pk) == [("customers.account", other.pk)]
    assert targets(actor=str(csm.pk)) == [("customers.account", account.pk)]
    assert targets(via="import") == [("customers.account", other.pk)]
    assert targets(target_type="customers.contact", action="create") == [("customers.contact", account.pk)]


def test_since_and_until_bound_the_moment(csm_api, csm, account):
    services.account_update(actor=Actor(user=csm, via="web"), account=account, name="Then")
    AuditEntry.objects.update(at=timezone.now() - dt.timedelta(days=10))
    services.account_update(actor=Actor(user=csm, via="web"), account=account, name="Now")
    cut = (timezone.now() - dt.timedelta(days=1)).isoformat()
    recent = csm_api.get("/audit", {"since": cut, "target_type": "customers.account"}).json()["items"]
    older = csm_api.get("/audit", {"until": cut, "target_type": "customers.account"}).json()["items"]
    assert [e["after"]["name"] for e in recent] == ["Now"]
    assert [e["after"]["name"] for e in older] == ["Then"]


def test_actor_me_is_the_caller(csm_api, csm, other_csm, account):
    services.account_update(actor=Actor(user=other_csm, via="web"), account=account, name="Theirs")
    csm_api.patch(f"/accounts/{account.pk}", {"name": "Mine"})
    mine = csm_api.get("/audit", {"actor": "me", "target_type": "customers.account"}).json()
    assert mine["count"] == 1
    assert mine["items"][0]["after"] == {"name": "Mine"}
