"""The automation API by persona: leaders write rules, playbooks and channels; writers snooze and
start runs; viewers read; the anonymous get 401. Errors name the field; lists cost fixed queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paceline.automation.models import Channel, Delivery, Firing, PlaybookRun, Rule, Snooze
from tests.automation.factories import make_channel, make_playbook, make_rule

pytestmark = pytest.mark.django_db

API = "/api/v1/automation"
RULE = {"name": "Detractor", "trigger": "survey_answered", "trigger_params": {"band": "detractor"},
        "actions": [{"type": "create_task", "params": {"title": "Call {account} back"}}]}


@pytest.fixture
def call(client, api_token_for):
    def make(user, method, path, body=None, **query):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_for(user)}"}
        fn = getattr(client, method)
        if method == "get":
            return fn(API + path, query, **headers)
        return fn(API + path, body, content_type="application/json", **headers)
    return make


def test_anonymous_is_refused(client):
    assert client.get(f"{API}/rules").status_code == 401


def test_a_leader_creates_a_rule_and_everyone_reads_it(call, leader, viewer):
    created = call(leader, "post", "/rules", RULE)
    assert created.status_code == 201 and created.json()["trigger_params"] == {"band": "detractor", "survey_kind": ""}
    listed = call(viewer, "get", "/rules").json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "Detractor"


@pytest.mark.parametrize("persona", ["csm", "viewer"])
def test_only_leaders_write_rules(call, request, persona, leader):
    user = request.getfixturevalue(persona)
    rule = make_rule(leader)
    assert call(user, "post", "/rules", RULE).status_code == 403
    assert call(user, "patch", f"/rules/{rule.pk}", {"active": False}).status_code == 403
    assert call(user, "delete", f"/rules/{rule.pk}").status_code == 403
    assert Rule.objects.get(pk=rule.pk).active and Rule.objects.count() == 1


def test_bad_input_names_the_field(call, leader):
    bad = {**RULE, "actions": [{"type": "create_task", "params": {}}],
           "conditions": [{"field": "segment", "op": "eq", "value": "x"}]}
    response = call(leader, "post", "/rules", bad)
    locs = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert response.status_code == 422 and not Rule.objects.exists()
    assert ("body", "actions[1].params.title") in locs and ("body", "conditions[1].value") in locs


def test_a_leader_updates_and_deletes_a_rule(call, leader):
    rule = make_rule(leader)
    assert call(leader, "patch", f"/rules/{rule.pk}", {"cap_days": 30}).json()["cap_days"] == 30
    assert call(leader, "patch", f"/rules/{rule.pk}", {"trigger_params": {"days": 0}}).status_code == 422
    assert call(leader, "delete", f"/rules/{rule.pk}").status_code == 204 and not Rule.objects.exists()


def test_registries_describe_triggers_and_actions(call, viewer):
    triggers = {t["key"]: t for t in call(viewer, "get", "/triggers").json()}
    assert triggers["no_interaction"]["scheduled"] and triggers["no_interaction"]["params"][0]["name"] == "days"
    assert "health.score_changed" in triggers["health_changed"]["events"]
    actions = {a["key"]: a for a in call(viewer, "get", "/actions").json()}
    title = next(p for p in actions["create_task"]["params"] if p["name"] == "title")
    assert title["required"] and actions["notify"]["label"]


def test_firings_filter_by_status_with_fixed_queries(call, viewer, leader, account):
    rule = make_rule(leader)
    now = timezone.now()
    Firing.objects.create(rule=rule, account=account, cause="a", fired_at=now, status="failed")
    Firing.objects.create(rule=rule, account=account, cause="b", fired_at=now, status="done")
    failed = call(viewer, "get", "/firings", status="failed", account_id=account.pk).json()
    assert failed["count"] == 1 and failed["items"][0]["cause"] == "a" and failed["items"][0]["rule_name"] == rule.name

    def count():
        with CaptureQueriesContext(connection) as ctx:
            call(viewer, "get", "/firings")
        return len(ctx.captured_queries)

    few = count()
    for i in range(4):
        Firing.objects.create(rule=rule, account=account, cause=f"more-{i}", fired_at=now)
    assert count() == few


def test_writers_snooze_viewers_cannot(call, csm, viewer, leader, account):
    rule = make_rule(leader)
    body = {"rule_id": rule.pk, "account_id": account.pk, "until": (timezone.localdate() + dt.timedelta(days=5)).isoformat()}
    assert call(viewer, "post", "/snoozes", body).status_code == 403
    created = call(csm, "post", "/snoozes", body)
    assert created.status_code == 201 and Snooze.objects.filter(rule=rule, account=account).exists()
    past = call(csm, "post", "/snoozes", {**body, "until": "2001-01-01"})
    assert past.status_code == 422 and past.json()["detail"][0]["loc"] == ["body", "until"]
    assert call(csm, "delete", f"/snoozes/{created.json()['id']}").status_code == 204 and not Snooze.objects.exists()


def test_playbooks_leaders_edit_writers_run(call, leader, csm, other_csm, viewer, account):
    body = {"name": "Save", "steps": [{"title": "Exec call", "due_in_days": 3}, {"title": "Plan", "kind": "touchpoint"}]}
    assert call(csm, "post", "/playbooks", body).status_code == 403
    created = call(leader, "post", "/playbooks", body).json()
    assert [s["title"] for s in created["steps"]] == ["Exec call", "Plan"]
    bad = call(leader, "put", f"/playbooks/{created['id']}", {"name": "Save", "steps": [{"title": "x", "kind": "nope"}]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "steps[1].kind"]
    assert call(viewer, "post", f"/playbooks/{created['id']}/runs", {"account_id": account.pk}).status_code == 403
    run = call(other_csm, "post", f"/playbooks/{created['id']}/runs", {"account_id": account.pk})
    assert run.status_code == 201 and (run.json()["done"], run.json()["total"]) == (0, 2)
    runs = call(viewer, "get", "/runs", account_id=account.pk).json()
    assert runs["count"] == 1 and runs["items"][0]["total"] == 2
    assert call(csm, "post", f"/runs/{run.json()['id']}/cancel").json()["status"] == "cancelled"
    assert PlaybookRun.objects.get().status == "cancelled"


def test_channels_are_for_leaders_and_the_secret_is_shown_once(call, leader, csm):
    assert call(csm, "get", "/channels").status_code == 403
    assert call(csm, "post", "/channels", {"name": "x", "kind": "email", "target": "a@b.co"}).status_code == 403
    created = call(leader, "post", "/channels", {"name": "Hook", "kind": "webhook", "target": "https://example.com/h"})
    secret = created.json()["secret"]
    assert created.status_code == 201 and len(secret) > 20 and Channel.objects.get().secret == secret
    listed = call(leader, "get", "/channels").json()["items"][0]
    assert listed["secret_set"] and "secret" not in listed
    bad = call(leader, "post", "/channels", {"name": "Mail", "kind": "email", "target": "not-an-address"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "target"]


def test_deliveries_log_and_retry(call, leader, csm):
    channel, _ = make_channel(leader)
    delivery = Delivery.objects.create(channel=channel, subject="s", body="b", payload={}, status="failed",
                                       attempts=6, last_status_code=500, next_attempt_at=timezone.now())
    assert call(csm, "get", "/deliveries").status_code == 403
    listed = call(leader, "get", "/deliveries", status="failed").json()
    assert listed["count"] == 1 and listed["items"][0]["last_status_code"] == 500
    retried = call(leader, "post", f"/deliveries/{delivery.pk}/retry")
    assert retried.status_code == 200 and Delivery.objects.get().attempts <= 1
    assert call(leader, "post", f"/deliveries/{delivery.pk}/retry").status_code in (200, 409)


def test_playbook_list_costs_fixed_queries(call, viewer, leader):
    make_playbook(leader, name="A")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert call(viewer, "get", "/playbooks").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for name in "BCD":
        make_playbook(leader, name=name)
    assert count() == few


def test_the_audit_log_keeps_no_webhook_url_or_secret(call, leader, viewer, api_token_for):
    from django.test import Client

    token_url = "https://hooks.example.com/services/T000/B000/very-secret-token"
    created = call(leader, "post", "/channels", {"name": "Slack", "kind": "slack", "target": token_url})
    assert created.status_code == 201
    response = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_for(viewer)}").get("/api/v1/audit")
    assert "very-secret-token" not in response.content.decode()
    entry = next(e for e in response.json()["items"] if e["target_type"] == "automation.channel")
    assert entry["after"]["target"] == "https://hooks.example.com/…" and entry["after"]["secret_set"] is False
