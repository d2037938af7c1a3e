"""Relationship milestones (CRUD, filters) and adoption-readiness assessments (read only) over the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paceline.core.models import ActivityEvent
from paceline.surveys.models import ReadinessAssessment, RelationshipMilestone, Response, Survey
from tests.api.conftest import error_fields
from tests.factories import AccountFactory, ContactFactory

TODAY = timezone.localdate()


def test_a_milestone_is_credited_to_the_account_owner_by_default(csm_api, account, csm):
    sponsor = ContactFactory(account=account)
    response = csm_api.post("/relationship-milestones", {
        "account_external_id": "acme", "kind": "reference", "occurred_on": "2026-01-15",
        "contact_id": sponsor.pk, "note": "Called a prospect",
    })
    assert response.status_code == 201
    body = response.json()
    assert (body["account_id"], body["kind"], body["credited_to_id"], body["contact_id"]) == (
        account.pk, "reference", csm.pk, sponsor.pk)
    assert ActivityEvent.objects.filter(kind="relationship.milestone").count() == 1


def test_changing_and_deleting_a_milestone(csm_api, account, other_csm):
    made = csm_api.post("/relationship-milestones", {"account_id": account.pk, "kind": "review",
                                                     "occurred_on": "2026-01-15"}).json()
    changed = csm_api.patch(f"/relationship-milestones/{made['id']}", {"kind": "case_study",
                                                                       "credited_to_id": other_csm.pk})
    assert changed.status_code == 200
    assert (changed.json()["kind"], changed.json()["credited_to_id"]) == ("case_study", other_csm.pk)
    assert csm_api.get(f"/relationship-milestones/{made['id']}").json()["kind"] == "case_study"
    assert csm_api.delete(f"/relationship-milestones/{made['id']}").status_code == 204
    assert not RelationshipMilestone.objects.exists()
    assert csm_api.get(f"/relationship-milestones/{made['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_on": (TODAY + dt.timedelta(days=3)).isoformat()}, "occurred_on"),
        ({"contact_id": "{stranger}"}, "contact_id"),
        ({"credited_to_id": "{viewer}"}, "credited_to_id"),
        ({"kind": "award"}, "kind"),
        ({"account_id": None, "account_external_id": None}, "account_id"),
    ],
)
def test_a_bad_milestone_is_refused_naming_the_field(csm_api, account, viewer, change, field):
    ids = {"{stranger}": ContactFactory(account=AccountFactory()).pk, "{viewer}": viewer.pk}
    body = {"account_id": account.pk, "kind": "reference", "occurred_on": "2026-01-15"}
    body.update({k: ids.get(v, v) for k, v in change.items()})
    response = csm_api.post("/relationship-milestones", body)
    assert response.status_code == 422
    assert field in error_fields(response)
    assert not RelationshipMilestone.objects.exists()


@pytest.fixture
def milestones(account, csm, other_csm):
    other = AccountFactory(external_id="globex", owner=other_csm)
    rows = [
        (account, "reference", dt.date(2026, 1, 5), csm),
        (account, "review", dt.date(2026, 2, 5), csm),
        (other, "reference", dt.date(2026, 3, 5), other_csm),
    ]
    return [RelationshipMilestone.objects.create(account=a, kind=k, occurred_on=d, credited_to=u) for a, k, d, u in rows]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [2, 1, 0]),
        ({"kind": "reference"}, [2, 0]),
        ({"account_external_id": "acme"}, [1, 0]),
        ({"credited_to": "me"}, [1, 0]),
        ({"since": "2026-02-01"}, [2, 1]),
        ({"since": "2026-01-01", "until": "2026-02-05"}, [1, 0]),
    ],
)
def test_milestones_filter_by_account_kind_credit_and_date(csm_api, milestones, params, expected):
    response = csm_api.get("/relationship-milestones", params)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [milestones[i].pk for i in expected]


@pytest.mark.parametrize("params", [{"credited_to": "someone"}, {"kind": "award"}, {"sinse": "2026-01-01"}])
def test_bad_milestone_filters_are_refused_by_name(csm_api, milestones, params):
    response = csm_api.get("/relationship-milestones", params)
    assert response.status_code == 422
    assert error_fields(response) == set(params)


@pytest.fixture
def assessments(account):
    survey = Survey.objects.create(name="Readiness check", kind="readiness")
    other = AccountFactory(external_id="globex")
    made = []
    for owner, day, level, score in ((account, 1, "emerging", 40), (account, 20, "capable", 65), (other, 10, "mature", 90)):
        response = Response.objects.create(survey=survey, account=owner, source="api",
                                           submitted_at=timezone.make_aware(dt.datetime(2026, 1, day)))
        made.append(ReadinessAssessment.objects.create(
            account=owner, response=response, assessed_on=dt.date(2026, 1, day), score=score, level=level,
            reasons=[{"question": "program", "points": 10}], recommendation="Build an adoption program first.",
        ))
    return made


def test_readiness_assessments_are_listed_per_account_latest_first(csm_api, account, assessments):
    response = csm_api.get("/readiness-assessments", {"account_id": account.pk})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["level"], i["score"]) for i in items] == [("capable", 65), ("emerging", 40)]
    one = csm_api.get(f"/readiness-assessments/{assessments[2].pk}").json()
    assert (one["level"], one["recommendation"], one["reasons"]) == (
        "mature", "Build an adoption program first.", [{"question": "program", "points": 10}])
    assert [i["account_id"] for i in csm_api.get("/readiness-assessments", {"level": "mature"}).json()["items"]] == [
        assessments[2].account_id]


def test_readiness_assessments_are_read_only_here(csm_api, assessments):
    assert csm_api.post("/readiness-assessments", {}).status_code == 405
    assert csm_api.delete(f"/readiness-assessments/{assessments[0].pk}").status_code == 405
