"""Commitments (action items), the template library and share links over the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.success.models import ActionItem, PlanTemplate, ShareLink
from paceline.success.sharing import share_link_resolve
from tests.api.conftest import error_fields
from tests.factories import AccountFactory, ContactFactory, GoalFactory, SuccessPlanFactory

TODAY = timezone.localdate()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


@pytest.fixture
def plan(account):
    return SuccessPlanFactory(account=account)


@pytest.fixture
def goal(plan):
    return GoalFactory(plan=plan)


@pytest.fixture
def sponsor(account):
    return ContactFactory(account=account, name="Jane Roe")


# Commitments ------------------------------------------------------------------------------------


def test_commitments_on_both_sides(csm_api, csm, other_csm, goal, sponsor):
    ours = csm_api.post("/action-items", {"goal_id": goal.pk, "title": "Admin training", "side": "vendor", "due_on": day(7)})
    assert ours.status_code == 201
    assert (ours.json()["owner_user_id"], ours.json()["owner_contact_id"]) == (csm.pk, None)  # the caller
    assert (ours.json()["plan_id"], ours.json()["account_id"]) == (goal.plan_id, goal.plan.account_id)
    theirs = csm_api.post(
        "/action-items",
        {"goal_id": goal.pk, "title": "Invite all users", "side": "customer", "owner_contact_id": sponsor.pk,
         "due_on": day(14)},
    )
    assert theirs.status_code == 201
    assert (theirs.json()["owner_contact_id"], theirs.json()["outcome"]) == (sponsor.pk, "open")
    moved = csm_api.patch(f"/action-items/{ours.json()['id']}", {"owner_user_id": other_csm.pk, "due_on": day(10)})
    assert (moved.json()["owner_user_id"], moved.json()["due_on"]) == (other_csm.pk, day(10))
    done = csm_api.post(f"/action-items/{theirs.json()['id']}/complete", {"done_on": day(0)})
    assert (done.json()["status"], done.json()["done_on"], done.json()["outcome"]) == ("done", day(0), "kept")
    assert ActivityEvent.objects.filter(kind="success.commitment_kept").exists()
    cancelled = csm_api.post(f"/action-items/{ours.json()['id']}/cancel")
    assert (cancelled.json()["status"], cancelled.json()["outcome"]) == ("cancelled", "cancelled")
    assert csm_api.delete(f"/action-items/{ours.json()['id']}").status_code == 204
    assert list(ActionItem.objects.values_list("title", flat=True)) == ["Invite all users"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"side": "customer"}, "owner_contact_id"),  # a customer commitment needs one of their contacts
        ({"side": "vendor", "owner_contact_id": "SPONSOR"}, "owner_user_id"),  # ours is owned by a user
        ({"side": "customer", "owner_contact_id": "STRANGER"}, "owner_contact_id"),
        ({"side": "customer", "owner_contact_id": 999_999}, "owner_contact_id"),
        ({"side": "both"}, "side"),
        ({"side": "vendor", "goal_id": 999_999}, "goal_id"),
        ({"side": "vendor", "due_on": "soon"}, "due_on"),
    ],
)
def test_a_bad_commitment_is_refused_naming_the_field(csm_api, goal, sponsor, payload, field):
    stranger = ContactFactory(account=AccountFactory())
    ids = {"SPONSOR": sponsor.pk, "STRANGER": stranger.pk}
    payload = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    response = csm_api.post("/action-items", {"goal_id": goal.pk, "title": "T", "due_on": day(3)} | payload)
    assert response.status_code == 422
    assert field in error_fields(response)
    assert not ActionItem.objects.exists()


def test_a_commitment_cannot_be_done_in_the_future(csm_api, csm, goal):
    action = ActionItem.objects.create(goal=goal, title="T", side="vendor", owner_user=csm, due_on=TODAY)
    response = csm_api.post(f"/action-items/{action.pk}/complete", {"done_on": day(2)})
    assert (response.status_code, error_fields(response)) == (422, {"done_on"})
    action.refresh_from_db()
    assert action.status == "open"


def test_the_commitment_list_filters(csm_api, csm, account, plan, goal, sponsor):
    late_theirs = ActionItem.objects.create(goal=goal, title="Late", side="customer", owner_contact=sponsor,
                                            due_on=TODAY - dt.timedelta(days=2))
    soon_ours = ActionItem.objects.create(goal=goal, title="Soon", side="vendor", owner_user=csm, due_on=TODAY)
    kept = ActionItem.objects.create(goal=goal, title="Kept", side="vendor", owner_user=csm,
                                     due_on=TODAY - dt.timedelta(days=9), status="done", done_on=TODAY - dt.timedelta(days=9))
    elsewhere = ActionItem.objects.create(goal=GoalFactory(), title="Elsewhere", side="vendor", owner_user=csm,
                                          due_on=TODAY - dt.timedelta(days=1))

    def ids(**params):
        response = csm_api.get("/action-items", params)
        assert response.status_code == 200, response.json()
        return [a["id"] for a in response.json()["items"]]

    assert ids(plan_id=plan.pk) == [kept.pk, late_theirs.pk, soon_ours.pk]
    assert ids(account_id=account.pk, side="customer") == [late_theirs.pk]
    assert ids(account_external_id="acme", status="done") == [kept.pk]
    assert ids(overdue="true") == [late_theirs.pk, elsewhere.pk]
    assert ids(overdue="false", plan_id=plan.pk) == [kept.pk, soon_ours.pk]
    assert ids(goal_id=goal.pk, side="vendor", status="open") == [soon_ours.pk]
    assert csm_api.get("/action-items", {"sides": "vendor"}).status_code == 422
    assert csm_api.get("/action-items/424242").status_code == 404


# Templates --------------------------------------------------------------------------------------

STRUCTURE = [{"title": "Go live", "days": 60, "metrics": [
    {"name": "Sites live", "unit": "count", "baseline": 0, "target": 12, "days": 60,
     "checkpoints": [{"days": 30, "target": 6}]}],
    "actions": [{"title": "Provide site list", "side": "customer", "days": 7}]}]


def test_a_leader_manages_the_template_library(leader_api, leader, csm_api, account):
    created = leader_api.post("/plan-templates", {"name": "Rollout", "use_case": "Multi-site", "structure": STRUCTURE})
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["is_active"], body["created_by_id"]) == ("Rollout", True, leader.pk)
    assert body["structure"][0]["metrics"][0]["target"] == 12
    renamed = leader_api.patch(f"/plan-templates/{body['id']}", {"name": "Multi-site rollout"})
    assert renamed.json()["name"] == "Multi-site rollout"
    plan = csm_api.post("/plans", {"account_id": account.pk, "template_id": body["id"]}).json()
    assert [m["name"] for m in plan["goals"][0]["metrics"]] == ["Sites live"]
    gone = leader_api.post(f"/plan-templates/{body['id']}/deactivate")
    assert gone.json()["is_active"] is False
    names = [t["name"] for t in csm_api.get("/plan-templates").json()["items"]]
    assert "Multi-site rollout" not in names
    assert {"Onboarding to first value", "Procurement process rollout"} <= set(names)
    everything = [t["name"] for t in csm_api.get("/plan-templates", {"include_inactive": "true"}).json()["items"]]
    assert "Multi-site rollout" in everything
    assert csm_api.get(f"/plan-templates/{body['id']}").json()["is_active"] is False
    assert AuditEntry.objects.filter(target_type="success.plantemplate", via="api").count() == 3


def test_a_template_structure_is_checked_naming_the_place(leader_api):
    broken = json.loads(json.dumps(STRUCTURE))
    broken[0]["metrics"][0]["target"] = -3  # below the baseline while higher is better
    broken[0]["actions"][0]["side"] = "both"
    response = leader_api.post("/plan-templates", {"name": "Broken", "structure": [STRUCTURE[0], broken[0]]})
    assert response.status_code == 422
    messages = [e["msg"] for e in response.json()["detail"]]
    assert error_fields(response) == {"structure"}
    assert any(m.startswith("goals[1].metrics[0]") and "target must not be below the baseline" in m for m in messages)
    assert any(m.startswith("goals[1].actions[0].side") for m in messages)
    empty = leader_api.post("/plan-templates", {"name": "Empty", "structure": []})
    assert (empty.status_code, error_fields(empty)) == (422, {"structure"})
    duplicate = leader_api.post("/plan-templates", {"name": "Onboarding to first value", "structure": STRUCTURE})
    assert (duplicate.status_code, error_fields(duplicate)) == (422, {"name"})
    assert not PlanTemplate.objects.filter(name__in=["Broken", "Empty"]).exists()


def test_only_leaders_change_templates(csm_api, viewer_api):
    template = PlanTemplate.objects.get(name="Onboarding to first value")
    for api in (csm_api, viewer_api):
        assert api.get("/plan-templates").status_code == 200
        assert api.get(f"/plan-templates/{template.pk}").status_code == 200
        for response in (
            api.post("/plan-templates", {"name": "Mine", "structure": STRUCTURE}),
            api.patch(f"/plan-templates/{template.pk}", {"name": "Mine"}),
            api.post(f"/plan-templates/{template.pk}/deactivate"),
        ):
            assert response.status_code == 403
    refused = csm_api.post("/plan-templates", {"name": "Mine", "structure": STRUCTURE})
    assert "CS leader" in refused.json()["detail"]
    template.refresh_from_db()
    assert (template.name, template.is_active) == ("Onboarding to first value", True)
    assert not PlanTemplate.objects.filter(name="Mine").exists()


# Share links ------------------------------------------------------------------------------------


def test_a_share_link_shows_its_token_once(csm_api, plan):
    created = csm_api.post(f"/plans/{plan.pk}/share-links", {"label": "Jane, the sponsor", "days": 14})
    assert created.status_code == 201
    body = created.json()
    raw = body["token"]
    assert body["url"] == f"http://testserver/shared/{raw}/"
    assert (body["label"], body["is_usable"], body["prefix"]) == ("Jane, the sponsor", True, raw[:8])
    assert share_link_resolve(raw).plan == plan
    listed = csm_api.get(f"/plans/{plan.pk}/share-links")
    assert [link["id"] for link in listed.json()["items"]] == [body["id"]]
    assert raw not in listed.content.decode()
    assert "token" not in listed.json()["items"][0] and "url" not in listed.json()["items"][0]
    assert raw not in json.dumps(list(AuditEntry.objects.values("before", "after")))
    assert raw not in json.dumps(list(ActivityEvent.objects.values("payload")))
    assert raw not in json.dumps(list(ShareLink.objects.values()), default=str)


def test_revoking_a_share_link(csm_api, plan):
    link = csm_api.post(f"/plans/{plan.pk}/share-links", {}).json()
    assert csm_api.delete(f"/share-links/{link['id']}").status_code == 204
    listed = csm_api.get(f"/plans/{plan.pk}/share-links").json()["items"][0]
    assert listed["is_usable"] is False
    assert listed["revoked_at"] is not None
    assert csm_api.delete("/share-links/424242").status_code == 404


@pytest.mark.parametrize(("payload", "field"), [({"days": 0}, "days"), ({"days": 400}, "days"), ({"url": "x"}, "url")])
def test_a_bad_share_link_is_refused(csm_api, plan, payload, field):
    response = csm_api.post(f"/plans/{plan.pk}/share-links", payload)
    assert (response.status_code, error_fields(response)) == (422, {field})
    assert not ShareLink.objects.exists()
