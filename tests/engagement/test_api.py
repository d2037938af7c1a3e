"""The engagement API by persona: leaders write plans and the catalogue, CSMs write on accounts,
viewers read, anonymous callers get 401; bad input is a 422 naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paceline.engagement.models import Need, Resource, Touchpoint, TouchpointPlan, TouchpointStep
from tests.engagement.conftest import TODAY
from tests.engagement.factories import (
    NeedAreaFactory,
    NeedFactory,
    PlanFactory,
    ResourceFactory,
    StepFactory,
)
from tests.factories import AccountFactory, InteractionFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
D = dt.timedelta


@pytest.fixture
def call(client, api_token_for):
    def make(user, method, path, body=None, **query):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_for(user)}"} if user is not None else {}
        verb = getattr(client, method)
        if method in ("get", "delete"):
            return verb(API + path, query, **headers)
        return verb(API + path, body or {}, content_type="application/json", **headers)
    return make


def _locs(response) -> set[str]:
    return {e["loc"][-1] for e in response.json()["detail"]}


STEP = {"name": "Kickoff", "kind": "meeting", "offset_days": 7, "purpose": "Meet", "expected_result": "Goals agreed"}


def test_anonymous_callers_get_401(call):
    assert call(None, "get", "/touchpoint-plans").status_code == 401
    assert call(None, "get", "/resources").status_code == 401


def test_a_leader_writes_plans_and_steps(call, leader):
    made = call(leader, "post", "/touchpoint-plans", {"name": "Enterprise", "segment": "enterprise"})
    assert made.status_code == 201 and made.json()["steps"] == []
    pk = made.json()["id"]
    step = call(leader, "post", f"/touchpoint-plans/{pk}/steps", STEP)
    assert step.status_code == 201 and step.json()["position"] == 0
    changed = call(leader, "patch", f"/touchpoint-plans/{pk}/steps/{step.json()['id']}", {"window_days": 21})
    assert changed.status_code == 200 and changed.json()["window_days"] == 21
    plan = call(leader, "get", f"/touchpoint-plans/{pk}").json()
    assert [s["name"] for s in plan["steps"]] == ["Kickoff"]
    assert call(leader, "patch", f"/touchpoint-plans/{pk}", {"auto_apply": False}).json()["auto_apply"] is False
    assert call(leader, "delete", f"/touchpoint-plans/{pk}/steps/{step.json()['id']}").status_code == 204
    assert call(leader, "delete", f"/touchpoint-plans/{pk}").status_code == 204
    assert not TouchpointPlan.objects.exists()


@pytest.mark.parametrize("who", ["csm", "viewer"])
def test_others_cannot_write_plans(call, request, who):
    user = request.getfixturevalue(who)
    plan = StepFactory().plan
    assert call(user, "post", "/touchpoint-plans", {"name": "Mine"}).status_code == 403
    assert call(user, "post", f"/touchpoint-plans/{plan.pk}/steps", STEP).status_code == 403
    assert call(user, "delete", f"/touchpoint-plans/{plan.pk}").status_code == 403
    assert call(user, "get", "/touchpoint-plans").json()["count"] == 1
    assert TouchpointPlan.objects.count() == 1 and TouchpointStep.objects.count() == 1


def test_bad_plan_input_names_the_field(call, leader):
    PlanFactory(name="Taken")
    assert _locs(call(leader, "post", "/touchpoint-plans", {"name": "taken"})) == {"name"}
    assert _locs(call(leader, "post", "/touchpoint-plans", {"name": "X", "segment": "giant"})) == {"segment"}
    plan = PlanFactory()
    bad = call(leader, "post", f"/touchpoint-plans/{plan.pk}/steps", {**STEP, "offset_days": -1, "kind": "sms"})
    assert bad.status_code == 422 and _locs(bad) == {"offset_days", "kind"}
    assert not plan.steps.exists()


def test_plan_list_pages_with_a_fixed_number_of_queries(call, viewer):
    for _ in range(2):
        StepFactory()
    with CaptureQueriesContext(connection) as few:
        first = call(viewer, "get", "/touchpoint-plans", limit=1)
    for _ in range(6):
        StepFactory(plan=StepFactory().plan)
    with CaptureQueriesContext(connection) as many:
        assert call(viewer, "get", "/touchpoint-plans").status_code == 200
    assert first.json()["count"] == 2 and len(first.json()["items"]) == 1
    assert len(many) == len(few)


def test_a_csm_works_an_accounts_touchpoints(call, csm, termed):
    plan = PlanFactory()
    StepFactory(plan=plan, offset_days=150)
    applied = call(csm, "post", f"/accounts/{termed.pk}/touchpoint-plan", {"plan_id": plan.pk})
    assert applied.status_code == 200 and len(applied.json()["created"]) == 1
    assert call(csm, "post", f"/accounts/{termed.pk}/touchpoint-plan", {"plan_id": plan.pk}).json()["created"] == []
    made = call(csm, "post", f"/accounts/{termed.pk}/touchpoints",
                {"name": "Exec call", "due_date": (TODAY + D(days=3)).isoformat(), "kind": "call"})
    assert made.status_code == 201 and made.json()["owner_id"] == termed.owner_id and made.json()["source"] == "api"
    tp = made.json()["id"]
    moved = call(csm, "patch", f"/accounts/{termed.pk}/touchpoints/{tp}", {"due_date": (TODAY + D(days=9)).isoformat()})
    assert moved.json()["due_date"] == (TODAY + D(days=9)).isoformat()
    interaction = InteractionFactory(account=termed, kind="call", summary="")
    kept = call(csm, "post", f"/accounts/{termed.pk}/touchpoints/{tp}/result",
                {"result": "Sponsor agreed", "interaction_id": interaction.pk})
    assert kept.json()["status"] == "kept" and kept.json()["interaction_id"] == interaction.pk
    listing = call(csm, "get", f"/accounts/{termed.pk}/touchpoints", status="planned")
    assert listing.json()["count"] == 1
    other = listing.json()["items"][0]["id"]
    assert call(csm, "post", f"/accounts/{termed.pk}/touchpoints/{other}/cancel").json()["status"] == "cancelled"
    again = call(csm, "post", f"/accounts/{termed.pk}/touchpoints/{other}/cancel")
    assert again.status_code == 422 and _locs(again) == {"status"}


def test_touchpoint_input_errors_name_the_field(call, csm, termed):
    foreign = InteractionFactory(account=AccountFactory())
    tp = Touchpoint.objects.create(account=termed, name="Call", due_date=TODAY)
    bad = call(csm, "post", f"/accounts/{termed.pk}/touchpoints/{tp.pk}/result", {"result": "x", "interaction_id": foreign.pk})
    assert bad.status_code == 422 and _locs(bad) == {"interaction_id"}
    assert _locs(call(csm, "post", f"/accounts/{termed.pk}/touchpoints", {"name": "X", "due_date": "soon"})) == {"due_date"}
    assert _locs(call(csm, "post", f"/accounts/{termed.pk}/touchpoint-plan", {"plan_id": 999})) == {"plan_id"}
    assert call(csm, "get", f"/accounts/{termed.pk}/touchpoints", colour="red").status_code == 422
    tp.refresh_from_db()
    assert tp.status == "planned"


def test_applying_without_a_contract_names_the_account(call, csm, account):
    plan = StepFactory().plan
    response = call(csm, "post", f"/accounts/{account.pk}/touchpoint-plan", {"plan_id": plan.pk})
    assert response.status_code == 422 and _locs(response) == {"account_id"}


def test_viewers_read_touchpoints_but_not_write(call, viewer, termed):
    tp = Touchpoint.objects.create(account=termed, name="Call", due_date=TODAY)
    assert call(viewer, "get", f"/accounts/{termed.pk}/touchpoints").json()["count"] == 1
    assert call(viewer, "post", f"/accounts/{termed.pk}/touchpoints/{tp.pk}/cancel").status_code == 403
    assert call(viewer, "post", f"/accounts/{termed.pk}/needs", {"area_id": NeedAreaFactory().pk}).status_code == 403
    tp.refresh_from_db()
    assert tp.status == "planned" and not Need.objects.exists()


def test_the_catalogue_over_the_api(call, leader, csm):
    area = call(leader, "post", "/need-areas", {"name": "Reporting"})
    assert area.status_code == 201 and area.json()["key"] == "reporting"
    assert _locs(call(leader, "post", "/need-areas", {"name": "Reporting"})) == {"key"}
    body = {"title": "Dashboards 101", "kind": "training", "area_ids": [area.json()["id"]], "stages": ["onboarding"]}
    made = call(leader, "post", "/resources", body)
    assert made.status_code == 201 and made.json()["area_ids"] == [area.json()["id"]]
    assert _locs(call(leader, "post", "/resources", {**body, "area_ids": [999]})) == {"area_ids"}
    teen = call(leader, "post", "/resources", {**body, "stages": ["teen"]})
    assert teen.status_code == 422 and "stages" in teen.json()["detail"][0]["loc"]
    off = call(leader, "patch", f"/resources/{made.json()['id']}", {"active": False})
    assert off.json()["active"] is False
    assert call(csm, "post", "/resources", body).status_code == 403
    assert call(csm, "post", "/need-areas", {"name": "Billing"}).status_code == 403
    assert call(csm, "get", "/resources", active="false").json()["count"] == 1
    assert Resource.objects.count() == 1


def test_needs_and_gaps_over_the_api(call, csm):
    area = NeedAreaFactory(name="Security")
    account = AccountFactory(segment="smb", lifecycle_stage="adoption")
    opened = call(csm, "post", f"/accounts/{account.pk}/needs", {"area_id": area.pk, "note": "SOC 2"})
    assert opened.status_code == 201 and opened.json()["status"] == "open"
    assert _locs(call(csm, "post", f"/accounts/{account.pk}/needs", {"area_id": area.pk})) == {"area_id"}
    gaps = call(csm, "get", "/resources/gaps").json()
    assert gaps["open_needs_without_resource"] == [
        {"area_id": area.pk, "area": "Security", "stage": "adoption", "segment": "smb", "accounts": 1}]
    assert all(cell["resources"] == 0 for cell in gaps["matrix"][0]["stages"])
    met = call(csm, "post", f"/accounts/{account.pk}/needs/{opened.json()['id']}/met")
    assert met.json()["status"] == "met"
    assert call(csm, "get", f"/accounts/{account.pk}/needs").json()["items"][0]["met_on"] == TODAY.isoformat()


def test_resource_list_costs_a_fixed_number_of_queries(call, viewer):
    areas = [NeedAreaFactory() for _ in range(3)]
    ResourceFactory(areas=areas[:1])
    with CaptureQueriesContext(connection) as few:
        call(viewer, "get", "/resources")
    for _ in range(5):
        ResourceFactory(areas=areas)
    NeedFactory()
    with CaptureQueriesContext(connection) as many:
        assert call(viewer, "get", "/resources").json()["count"] == 6
    assert len(many) == len(few)
