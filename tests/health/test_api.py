"""Health API: the latest score explained, history, score now, manual reads, models and versions,
by persona; bad definitions come back as 422s naming their place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from paceline.health import selectors
from paceline.health.models import HealthScore, ManualAssessment, ModelVersion
from tests.health.page_factories import AT_RISK, HEALTHY, stored_score

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def api(api_token_for):
    def make(user) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_for(user)}")
    return make


def test_latest_score_comes_with_its_explanation(api, viewer, account):
    stored_score(account, on=TODAY - dt.timedelta(days=8), facts=HEALTHY)
    stored_score(account, on=TODAY, facts=AT_RISK)
    body = api(viewer).get(f"/api/v1/accounts/{account.pk}/health").json()
    assert body["band"] == "red" and body["model"] == "Standard" and body["version"] == 1
    renewal = next(e for e in body["equations"] if e["key"] == "renewal")
    assert renewal["held_back"] == "Renewal held back by Adoption (blocked by Enablement)"
    assert body["most_impactful_text"].startswith("raising ")
    assert body["changes_since"] == (TODAY - dt.timedelta(days=8)).isoformat()
    assert {c["factor"] for c in body["changes"]} >= {"enablement"}
    assert body["detail"]["factors"]["product"]["policy"] == "exclude"


def test_no_score_is_a_404_that_says_how_to_get_one(api, viewer, account):
    response = api(viewer).get(f"/api/v1/accounts/{account.pk}/health")
    assert response.status_code == 404 and "POST" in response.json()["detail"]


def test_history_pages_newest_first(api, viewer, account):
    for n in range(3):
        stored_score(account, on=TODAY - dt.timedelta(days=n), facts=AT_RISK)
    body = api(viewer).get(f"/api/v1/accounts/{account.pk}/health/history?limit=2&offset=1").json()
    assert body["count"] == 3
    assert [i["on"] for i in body["items"]] == [(TODAY - dt.timedelta(days=n)).isoformat() for n in (1, 2)]
    assert api(viewer).get(f"/api/v1/accounts/{account.pk}/health/history?limt=2").status_code == 422


def test_score_now_is_for_writers(api, csm, viewer, account):
    assert api(viewer).post(f"/api/v1/accounts/{account.pk}/health").status_code == 403
    assert not HealthScore.objects.exists()
    response = api(csm).post(f"/api/v1/accounts/{account.pk}/health")
    assert response.status_code == 201 and response.json()["on"] == TODAY.isoformat()
    assert HealthScore.objects.filter(account=account, on=TODAY).count() == 1


def test_manual_assessments_writers_add_everyone_reads(api, csm, viewer, account):
    payload = {"score": 35, "reason": "Budget freeze"}
    assert api(viewer).post(f"/api/v1/accounts/{account.pk}/health/assessments", payload,
                            content_type="application/json").status_code == 403
    response = api(csm).post(f"/api/v1/accounts/{account.pk}/health/assessments", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["author_id"] == csm.pk
    items = api(viewer).get(f"/api/v1/accounts/{account.pk}/health/assessments").json()["items"]
    assert [i["reason"] for i in items] == ["Budget freeze"]


def test_a_future_assessment_is_a_422_naming_the_field(api, csm, account):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = api(csm).post(f"/api/v1/accounts/{account.pk}/health/assessments",
                             {"score": 35, "reason": "x", "on": tomorrow}, content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "on"]
    assert not ManualAssessment.objects.exists()


def test_models_list_with_their_current_version(api, viewer):
    version = selectors.default_version()
    body = api(viewer).get("/api/v1/health/models").json()
    assert body["items"][0]["name"] == "Standard" and body["items"][0]["current"]["number"] == version.number


def test_leaders_create_versions_and_others_are_refused(api, leader, csm, viewer):
    model = selectors.default_version().model
    definition = dict(model.current.definition, gate=50)
    url = f"/api/v1/health/models/{model.pk}/versions"
    assert api(viewer).post(url, {"definition": definition}, content_type="application/json").status_code == 403
    assert api(csm).post(url, {"definition": definition}, content_type="application/json").status_code == 403
    response = api(leader).post(url, {"definition": definition, "note": "Softer gate"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["number"] == 2 and response.json()["definition"]["gate"] == 50
    versions = api(viewer).get(url).json()
    assert [v["number"] for v in versions["items"]] == [2, 1] and versions["items"][0]["note"] == "Softer gate"


def test_a_bad_definition_is_a_422_naming_its_place(api, leader):
    model = selectors.default_version().model
    definition = dict(model.current.definition, bands={"green": 40, "yellow": 60})
    definition["equations"] = dict(definition["equations"], renewal={"terms": {"adoption": 1}, "requires": ["need"]})
    response = api(leader).post(f"/api/v1/health/models/{model.pk}/versions", {"definition": definition},
                                content_type="application/json")
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["detail"]]
    assert ["body", "definition", "bands", "yellow"] in locs
    assert ["body", "definition", "equations", "renewal", "requires", 0] in locs
    assert ModelVersion.objects.filter(model=model).count() == 1


def test_anonymous_gets_401(account):
    client = Client()
    for url in (f"/api/v1/accounts/{account.pk}/health", "/api/v1/health/models",
                f"/api/v1/accounts/{account.pk}/health/assessments"):
        assert client.get(url).status_code == 401
    assert client.post(f"/api/v1/accounts/{account.pk}/health").status_code == 401


def test_leaders_create_a_model_for_a_segment_and_it_scores_that_segment(api, leader, csm, account):
    body = {"name": "Enterprise renewals", "segment": "enterprise", "lifecycle_stage": "renewal"}
    assert api(csm).post("/api/v1/health/models", body, content_type="application/json").status_code == 403
    response = api(leader).post("/api/v1/health/models", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["current"]["number"] == 1
    account.segment, account.lifecycle_stage = "enterprise", "renewal"
    account.save()
    assert selectors.version_for([account.pk])[account.pk].model.name == "Enterprise renewals"


def test_a_bad_new_model_is_a_422_naming_the_field(api, leader):
    response = api(leader).post("/api/v1/health/models", {"name": "Standard", "segment": "galactic"},
                                content_type="application/json")
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["detail"]]
    assert ["body", "name"] in locs and ["body", "segment"] in locs
