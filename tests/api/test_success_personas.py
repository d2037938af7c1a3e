"""Who may call the success-plan API: anonymous callers are refused, viewers only read,
CSMs and CS leaders write (templates: leaders only, tested with the library)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor
from paceline.success import services, sharing
from paceline.success.models import ActionItem, PlanTemplate, SuccessPlan
from tests.factories import ContactFactory

TODAY = timezone.localdate()


@pytest.fixture
def world(csm, account):
    actor = Actor(user=csm, via="web")
    sponsor = ContactFactory(account=account)
    plan = services.plan_create(actor=actor, account=account, title="Plan")
    goal = services.goal_create(actor=actor, plan=plan, title="Goal")
    other_goal = services.goal_create(actor=actor, plan=plan, title="Other goal")
    metric = services.metric_create(
        actor=actor, goal=goal, name="Users", baseline=Decimal(0), baseline_date=TODAY - dt.timedelta(days=10),
        target=Decimal(10), target_date=TODAY + dt.timedelta(days=10),
    )
    measurement = services.measurement_record(actor=actor, metric=metric, measured_on=TODAY, value=Decimal(4))
    action = services.action_create(actor=actor, goal=goal, title="Do it", side="vendor", owner_user=csm, due_on=TODAY)
    link, _ = sharing.share_link_create(actor=actor, plan=plan)
    return {"plan": plan.pk, "goal": goal.pk, "metric": metric.pk, "measurement": measurement.pk,
            "action": action.pk, "link": link.pk, "account": account.pk, "contact": sponsor.pk,
            "other_goal": other_goal.pk, "template": PlanTemplate.objects.first().pk}


TODAY_S = TODAY.isoformat()
READS = [
    "/plans", "/plans/{plan}", "/plans/{plan}/share-links", "/goals/{goal}", "/metrics/{metric}",
    "/metrics/{metric}/pace", "/metrics/{metric}/changes", "/metrics/{metric}/measurements", "/action-items",
    "/action-items/{action}", "/plan-templates", "/metric-sources",
]
WRITES = [
    ("post", "/plans", {"account_id": "{account}", "title": "New"}),
    ("patch", "/plans/{plan}", {"title": "Changed"}),
    ("post", "/plans/{plan}/review", {}),
    ("post", "/plans/{plan}/share-links", {}),
    ("delete", "/share-links/{link}", None),
    ("post", "/goals", {"plan_id": "{plan}", "title": "New"}),
    ("patch", "/goals/{goal}", {"title": "Changed"}),
    ("post", "/goals/{goal}/agree", {"contact_id": "{contact}"}),
    ("post", "/goals/{goal}/activate", None),
    ("post", "/goals/{other_goal}/close", {"status": "retired"}),
    ("post", "/goals/{goal}/replace", {"title": "Other", "reason": "Because"}),
    ("post", "/metrics", {"goal_id": "{goal}", "name": "M", "baseline": "0", "baseline_date": TODAY_S,
                          "target": "5", "target_date": (TODAY + dt.timedelta(days=9)).isoformat()}),
    ("patch", "/metrics/{metric}", {"name": "Changed"}),
    ("put", "/metrics/{metric}/checkpoints", {"checkpoints": []}),
    ("post", "/metrics/{metric}/renegotiate", {"new_target": "8", "reason": "R", "contact_id": "{contact}"}),
    ("post", "/metrics/{metric}/measurements", {"measured_on": TODAY_S, "value": "5"}),
    ("post", "/measurements/bulk", {"rows": [{"metric_id": "{metric}", "measured_on": TODAY_S, "value": "5"}]}),
    ("delete", "/measurements/{measurement}", None),
    ("post", "/action-items", {"goal_id": "{goal}", "title": "T", "side": "vendor", "due_on": TODAY_S}),
    ("patch", "/action-items/{action}", {"title": "Changed"}),
    ("post", "/action-items/{action}/complete", {}),
    ("post", "/action-items/{action}/cancel", None),
    ("delete", "/action-items/{action}", None),
    ("delete", "/metrics/{metric}", None),
    ("delete", "/goals/{goal}", None),
    ("delete", "/plans/{plan}", None),
    ("post", "/plan-templates", {"name": "T", "structure": []}),
    ("patch", "/plan-templates/{template}", {"name": "T"}),
    ("post", "/plan-templates/{template}/deactivate", None),
]


def _fill(value, ids: dict):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _call(api, method: str, path: str, payload, ids: dict):
    url = path.format(**ids)
    if method == "delete":
        return api.delete(url)
    return getattr(api, method)(url, _fill(payload, ids) if payload is not None else None)


@pytest.mark.parametrize("path", READS)
def test_a_viewer_reads_everything(viewer_api, world, path):
    response = viewer_api.get(path.format(**world))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", READS)
def test_it_refuses_an_anonymous_reader(anon_api, world, path):
    response = anon_api.get(path.format(**world))
    assert response.status_code == 401
    assert "API token" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_it_refuses_an_anonymous_writer(anon_api, world, method, path, payload):
    before = AuditEntry.objects.count()
    assert _call(anon_api, method, path, payload, world).status_code == 401
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_it_refuses_every_write_of_a_viewer(viewer_api, world, method, path, payload):
    before = AuditEntry.objects.count()
    response = _call(viewer_api, method, path, payload, world)
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("persona", ["csm", "other_csm", "leader"])
def test_csms_of_any_book_and_leaders_write(request, api_for, world, persona):
    user = request.getfixturevalue(persona)
    api = api_for(user)
    for method, path, payload in WRITES:
        if "plan-templates" in path:
            continue
        response = _call(api, method, path, payload, world)
        assert response.status_code in (200, 201, 204), (path, response.content)
    assert not SuccessPlan.objects.filter(pk=world["plan"]).exists()  # the last write deleted it
    assert SuccessPlan.objects.filter(title="New").count() == 1
    assert set(AuditEntry.objects.filter(via="api").values_list("actor", flat=True)) == {user.pk}
    assert not ActionItem.objects.filter(pk=world["action"]).exists()
