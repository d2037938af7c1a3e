"""Success plans over the API: create (from scratch or a template), the tree, lists, review, delete."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.success import services
from paceline.success.models import (
    ActionItem,
    Goal,
    GoalStatus,
    PlanTemplate,
    SuccessPlan,
)
from tests.api.conftest import error_fields
from tests.factories import (
    AccountFactory,
    ContactFactory,
    GoalFactory,
    SuccessMetricFactory,
    SuccessPlanFactory,
)

TODAY = timezone.localdate()


@pytest.fixture
def sponsor(account):
    return ContactFactory(account=account, name="Jane Roe", is_primary=True)


def test_a_csm_creates_a_plan_from_scratch(csm_api, csm, account, sponsor):
    response = csm_api.post(
        "/plans",
        {
            "account_id": account.pk,
            "title": "Year one",
            "summary": "Half the team trained and using it weekly.",
            "internal_notes": "Sponsor is new; keep it simple.",
            "customer_owner_id": sponsor.pk,
        },
    )
    assert response.status_code == 201
    body = response.json()
    plan = SuccessPlan.objects.get()
    assert body["id"] == plan.pk
    assert (body["account_id"], body["title"], body["status"]) == (account.pk, "Year one", "active")
    assert (body["owner_id"], body["customer_owner_id"]) == (csm.pk, sponsor.pk)
    assert body["internal_notes"] == "Sponsor is new; keep it simple."
    assert body["goals"] == []
    assert body["commitments"]["customer"] == {"kept": 0, "late": 0, "missed": 0, "open": 0}
    assert (plan.owner, plan.customer_owner) == (csm, sponsor)
    entry = AuditEntry.objects.get(target_type="success.successplan")
    assert (entry.via, entry.actor) == ("api", csm)


def test_a_plan_by_account_external_id_and_without_an_owner(csm_api, account):
    response = csm_api.post("/plans", {"account_external_id": "acme", "title": "Renewal", "owner_id": None})
    assert response.status_code == 201
    assert response.json()["owner_id"] is None
    assert SuccessPlan.objects.get().account == account


def test_a_plan_from_a_template_lays_out_its_tree(csm_api, csm, account, sponsor):
    template = PlanTemplate.objects.get(name="Onboarding to first value")
    start = TODAY - dt.timedelta(days=10)
    response = csm_api.post(
        "/plans", {"account_id": account.pk, "template_id": template.pk, "start": start.isoformat()}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["template_id"], body["owner_id"]) == (template.name, template.pk, csm.pk)
    titles = [g["title"] for g in body["goals"]]
    assert titles == ["Reach first value", "Weekly active use"]
    first = body["goals"][0]
    assert first["target_date"] == (start + dt.timedelta(days=90)).isoformat()
    assert [s["title"] for s in first["subgoals"]] == ["Integrations live"]
    assert len(first["subgoals"][0]["action_items"]) == 2
    metric = first["metrics"][0]
    assert (metric["name"], metric["unit"], metric["target"]) == ("Users who completed onboarding", "percent", "80")
    assert [(c["due_on"], c["target"], c["label"]) for c in metric["checkpoints"]] == [
        ((start + dt.timedelta(days=30)).isoformat(), "30", "First month"),
        ((start + dt.timedelta(days=60)).isoformat(), "60", "Second month"),
    ]
    assert metric["pace"]["status"] == "no_data"
    assert [c["state"] for c in metric["pace"]["checkpoints"]] == ["upcoming", "upcoming"]
    customer_side = [a for a in first["action_items"] if a["side"] == "customer"]
    assert {a["owner_contact_id"] for a in customer_side} == {sponsor.pk}
    assert Goal.objects.filter(plan_id=body["id"]).count() == 3
    assert ActionItem.objects.filter(goal__plan_id=body["id"]).count() == 7


def test_a_template_plan_refuses_fields_the_template_sets(csm_api, account):
    template = PlanTemplate.objects.get(name="Onboarding to first value")
    response = csm_api.post(
        "/plans", {"account_id": account.pk, "template_id": template.pk, "summary": "Mine", "status": "draft"}
    )
    assert response.status_code == 422
    assert error_fields(response) == {"summary", "status"}
    assert not SuccessPlan.objects.exists()


def test_a_deactivated_or_unknown_template_is_refused_by_field(csm_api, account):
    template = PlanTemplate.objects.get(name="Onboarding to first value")
    template.is_active = False
    template.save()
    for template_id, reason in ((template.pk, "is deactivated"), (999_999, "No plan template with id 999999")):
        response = csm_api.post("/plans", {"account_id": account.pk, "template_id": template_id})
        assert response.status_code == 422
        assert error_fields(response) == {"template_id"}
        assert reason in response.json()["detail"][0]["msg"]
    assert not SuccessPlan.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "No account"}, "account_id"),
        ({"account_id": 999_999, "title": "X"}, "account_id"),
        ({"account_external_id": "nope", "title": "X"}, "account_external_id"),
        ({"account_id": "ACCOUNT", "title": "X"}, "account_id"),
        ({"account_external_id": "acme"}, "title"),
        ({"account_external_id": "acme", "title": "X", "start": "2025-01-01"}, "start"),
        ({"account_external_id": "acme", "title": "X", "status": "sleeping"}, "status"),
        ({"account_external_id": "acme", "title": "X", "colour": "red"}, "colour"),
        ({"account_external_id": "acme", "title": "X", "owner_id": 999_999}, "owner_id"),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(csm_api, account, payload, field):
    response = csm_api.post("/plans", payload)
    assert response.status_code == 422
    assert field in error_fields(response)
    assert not SuccessPlan.objects.exists()


def test_a_customer_owner_of_another_account_is_refused(csm_api, account):
    stranger = ContactFactory(account=AccountFactory())
    response = csm_api.post(
        "/plans", {"account_id": account.pk, "title": "X", "customer_owner_id": stranger.pk}
    )
    assert response.status_code == 422
    assert error_fields(response) == {"customer_owner_id"}
    assert "contact of this account" in response.json()["detail"][0]["msg"]
    assert not SuccessPlan.objects.exists()


def test_the_plan_detail_is_the_whole_tree(csm_api, account, sponsor):
    plan = SuccessPlanFactory(account=account)
    goal = GoalFactory(plan=plan, title="Adoption", position=0, status=GoalStatus.ACTIVE)
    sub = GoalFactory(plan=plan, parent=goal, title="Admins trained")
    GoalFactory(plan=plan, title="Expansion", position=1)
    metric = SuccessMetricFactory(goal=goal, name="Weekly users", baseline=Decimal(0), target=Decimal(100),
                                  baseline_date=TODAY - dt.timedelta(days=30), target_date=TODAY + dt.timedelta(days=60))
    services.metric_evaluate(metric=SuccessMetricFactory(goal=sub, name="Admins", target=Decimal(5)))
    ActionItem.objects.create(goal=goal, title="Kick-off", side="customer", owner_contact=sponsor,
                              due_on=TODAY - dt.timedelta(days=3))
    ActionItem.objects.create(goal=sub, title="Training", side="vendor", owner_user=plan.account.owner,
                              due_on=TODAY - dt.timedelta(days=5), status="done", done_on=TODAY - dt.timedelta(days=6))
    csm_api.post(f"/metrics/{metric.pk}/measurements", {"measured_on": TODAY.isoformat(), "value": "40"})

    body = csm_api.get(f"/plans/{plan.pk}").json()
    assert [g["title"] for g in body["goals"]] == ["Adoption", "Expansion"]
    adoption = body["goals"][0]
    assert [s["title"] for s in adoption["subgoals"]] == ["Admins trained"]
    assert [m["name"] for m in adoption["subgoals"][0]["metrics"]] == ["Admins"]
    assert [a["title"] for a in adoption["subgoals"][0]["action_items"]] == ["Training"]
    pace = adoption["metrics"][0]["pace"]
    # 40 of 100 after a third of the time: 60 to go in 60 days (1 a day), gaining 40/30 a day,
    # so 40 + 60 * 4/3 = 120 by the target date.
    assert pace["current"] == {"on": TODAY.isoformat(), "value": "40"}
    assert pace["required_rate_per_day"] == "1"
    assert pace["actual_rate_per_day"] == "1.333333"
    assert pace["projected"] == "120"
    assert pace["status"] == "ahead"
    assert "60 to go in 60 days" in pace["rule"]
    assert adoption["pace_status"] == "ahead"
    assert [a["outcome"] for a in adoption["action_items"]] == ["missed"]
    assert body["commitments"]["customer"]["missed"] == 1
    assert body["commitments"]["vendor"]["kept"] == 1
    assert (body["goals_on_pace"], body["goals_measured"]) == (1, 1)  # the goal not measured yet is neither on nor off pace
    assert body["pace_counts"] == {"ahead": 1, "no_data": 1}


def test_the_list_filters_by_account_and_status_and_counts_goals_on_pace(csm_api, account):
    mine = SuccessPlanFactory(account=account, status="active")
    draft = SuccessPlanFactory(account=account, status="draft")
    SuccessPlanFactory(account=AccountFactory())
    GoalFactory(plan=mine, status=GoalStatus.ACTIVE, pace_status="on_pace")
    GoalFactory(plan=mine, status=GoalStatus.ACTIVE, pace_status="behind")
    GoalFactory(plan=mine, status=GoalStatus.HIT, pace_status="hit")  # closed: not counted
    GoalFactory(plan=mine, status=GoalStatus.PROPOSED)  # open, not measured

    def ids(**params):
        response = csm_api.get("/plans", params)
        assert response.status_code == 200
        return [p["id"] for p in response.json()["items"]]

    assert set(ids(account_id=account.pk)) == {mine.pk, draft.pk}
    assert ids(account_external_id="acme", status="draft") == [draft.pk]
    item = csm_api.get("/plans", {"status": "active", "account_id": account.pk}).json()["items"][0]
    assert (item["goals_open"], item["goals_measured"], item["goals_on_pace"]) == (3, 2, 1)


@pytest.mark.parametrize(("params", "name"), [({"stauts": "active"}, "stauts"), ({"status": "asleep"}, "status")])
def test_the_list_refuses_unknown_and_bad_filters_by_name(csm_api, params, name):
    response = csm_api.get("/plans", params)
    assert response.status_code == 422
    assert error_fields(response) == {name}


def test_updating_reviewing_and_deleting_a_plan(csm_api, account):
    plan = SuccessPlanFactory(account=account)
    GoalFactory(plan=plan)
    response = csm_api.patch(f"/plans/{plan.pk}", {"title": "Year two", "status": "draft"})
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["status"]) == ("Year two", "draft")
    reviewed = csm_api.post(f"/plans/{plan.pk}/review", {"on": (TODAY - dt.timedelta(days=1)).isoformat()})
    assert reviewed.json()["reviewed_on"] == (TODAY - dt.timedelta(days=1)).isoformat()
    today = csm_api.post(f"/plans/{plan.pk}/review", {})
    assert today.json()["reviewed_on"] == TODAY.isoformat()
    plan.refresh_from_db()
    assert (plan.title, plan.reviewed_on) == ("Year two", TODAY)
    assert csm_api.delete(f"/plans/{plan.pk}").status_code == 204
    assert not SuccessPlan.objects.exists()
    assert not Goal.objects.exists()


def test_unknown_plans_are_404(csm_api):
    for response in (
        csm_api.get("/plans/424242"),
        csm_api.patch("/plans/424242", {"title": "X"}),
        csm_api.delete("/plans/424242"),
        csm_api.post("/plans/424242/review", {}),
        csm_api.get("/plans/424242/share-links"),
    ):
        assert response.status_code == 404
        assert "424242" in response.json()["detail"]


def test_a_patch_refuses_null_for_a_required_field(csm_api, account):
    plan = SuccessPlanFactory(account=account, title="Keep me")
    response = csm_api.patch(f"/plans/{plan.pk}", {"title": None})
    assert response.status_code == 422
    assert error_fields(response) == {"title"}
    plan.refresh_from_db()
    assert plan.title == "Keep me"


def test_every_success_endpoint_is_documented_with_a_summary(csm_api):
    paths = csm_api.get("/openapi.json").json()["paths"]
    ours = {p: ops for p, ops in paths.items()
            if p.split("/")[3] in {"plans", "goals", "metrics", "measurements", "action-items",
                                   "plan-templates", "share-links", "metric-sources"}}
    operations = {(method.upper(), p.removeprefix("/api/v1")): op for p, ops in ours.items() for method, op in ops.items()}
    assert all(op.get("summary") for op in operations.values())
    assert {
        ("GET", "/plans"), ("POST", "/plans"), ("GET", "/plans/{plan_id}"), ("POST", "/plans/{plan_id}/review"),
        ("POST", "/goals/{goal_id}/agree"), ("POST", "/goals/{goal_id}/activate"), ("POST", "/goals/{goal_id}/close"),
        ("POST", "/goals/{goal_id}/replace"), ("PUT", "/metrics/{metric_id}/checkpoints"),
        ("POST", "/metrics/{metric_id}/renegotiate"), ("GET", "/metrics/{metric_id}/pace"),
        ("GET", "/metrics/{metric_id}/changes"), ("GET", "/metrics/{metric_id}/measurements"),
        ("POST", "/metrics/{metric_id}/measurements"), ("POST", "/measurements/bulk"),
        ("DELETE", "/measurements/{measurement_id}"), ("GET", "/action-items"),
        ("POST", "/action-items/{action_id}/complete"), ("POST", "/action-items/{action_id}/cancel"),
        ("GET", "/plan-templates"), ("POST", "/plan-templates"), ("PATCH", "/plan-templates/{template_id}"),
        ("POST", "/plan-templates/{template_id}/deactivate"), ("GET", "/plans/{plan_id}/share-links"),
        ("POST", "/plans/{plan_id}/share-links"), ("DELETE", "/share-links/{link_id}"),
    } <= set(operations)
    schemas = csm_api.get("/openapi.json").json()["components"]["schemas"]
    assert '"19:27" is 1167 seconds' in schemas["MeasurementIn"]["properties"]["value"]["description"]
