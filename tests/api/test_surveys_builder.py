"""Surveys and their questions over the API: create, read, change, deactivate, reorder."""

from __future__ import annotations

import pytest

from paceline.core.models import AuditEntry
from paceline.surveys.models import Question, Survey
from tests.api.conftest import error_fields


@pytest.fixture
def custom(db):
    survey = Survey.objects.create(name="Onboarding check", kind="custom")
    for position, key in enumerate(("pace", "channel", "notes"), start=1):
        kind = {"pace": "scale", "channel": "single", "notes": "text"}[key]
        extra = {"scale": {"scale_min": 1, "scale_max": 4}, "single": {"choices": ["E-mail", "Phone"]}}.get(kind, {})
        Question.objects.create(survey=survey, position=position, key=key, kind=kind, prompt=key.title(), **extra)
    return survey


def test_an_nps_survey_starts_with_its_headline_question_and_takes_more(csm_api, csm):
    response = csm_api.post("/surveys", {
        "name": "Quarterly NPS", "kind": "nps", "intro": "One minute",
        "questions": [{"key": "area", "kind": "single", "prompt": "Which area?", "choices": ["Support", "Product"]}],
    })
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["kind"], body["is_active"], body["created_by_id"]) == ("Quarterly NPS", "nps", True, csm.pk)
    assert [(q["key"], q["kind"]) for q in body["questions"]] == [("nps", "nps"), ("reason", "text"), ("area", "single")]
    assert AuditEntry.objects.filter(target_type="surveys.survey", action="create", via="api").count() == 1


def test_a_bad_question_refuses_the_whole_survey_naming_its_place(csm_api):
    response = csm_api.post("/surveys", {
        "name": "Broken", "kind": "custom",
        "questions": [{"key": "ok", "kind": "text", "prompt": "Fine"},
                      {"key": "scale", "kind": "scale", "prompt": "Rate", "scale_min": 1, "scale_max": 40}],
    })
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "questions", 1, "scale_max"]]
    assert not Survey.objects.filter(name="Broken").exists()


def test_a_duplicate_name_is_refused_by_field(csm_api, custom):
    response = csm_api.post("/surveys", {"name": "onboarding CHECK", "kind": "custom"})
    assert response.status_code == 422
    assert error_fields(response) == {"name"}


def test_only_a_leader_creates_a_readiness_questionnaire(csm_api, leader_api):
    refused = csm_api.post("/surveys", {"name": "Readiness 2", "kind": "readiness"})
    assert refused.status_code == 403
    assert "CS leader" in refused.json()["detail"]
    assert leader_api.post("/surveys", {"name": "Readiness 2", "kind": "readiness"}).status_code == 201


def test_listing_hides_deactivated_surveys_unless_asked(csm_api, custom):
    assert csm_api.post(f"/surveys/{custom.pk}/deactivate").json()["is_active"] is False
    names = {s["name"] for s in csm_api.get("/surveys", {"limit": 500}).json()["items"]}
    assert "Onboarding check" not in names
    everything = csm_api.get("/surveys", {"include_inactive": "true", "limit": 500}).json()["items"]
    assert "Onboarding check" in {s["name"] for s in everything}
    assert {s["kind"] for s in csm_api.get("/surveys", {"kind": "custom"}).json()["items"]} <= {"custom"}


def test_get_and_patch_a_survey(csm_api, custom):
    body = csm_api.get(f"/surveys/{custom.pk}").json()
    assert [q["key"] for q in body["questions"]] == ["pace", "channel", "notes"]
    changed = csm_api.patch(f"/surveys/{custom.pk}", {"intro": "Tell us", "name": "Onboarding pulse"})
    assert changed.status_code == 200
    assert (changed.json()["intro"], changed.json()["name"]) == ("Tell us", "Onboarding pulse")
    assert csm_api.get("/surveys/999999").status_code == 404


def test_adding_changing_reordering_and_removing_questions(csm_api, custom):
    added = csm_api.post(f"/surveys/{custom.pk}/questions",
                         {"kind": "multi", "prompt": "Which modules?", "choices": ["Reports", "Alerts"]})
    assert added.status_code == 201
    new = added.json()
    assert (new["key"], new["position"]) == ("which_modules", 4)
    changed = csm_api.patch(f"/surveys/{custom.pk}/questions/{new['id']}", {"required": True, "prompt": "Modules?"})
    assert (changed.json()["required"], changed.json()["prompt"]) == (True, "Modules?")
    ids = [q.pk for q in custom.questions.order_by("-position")]
    reordered = csm_api.put(f"/surveys/{custom.pk}/questions/order", {"question_ids": ids})
    assert [q["id"] for q in reordered.json()["questions"]] == ids
    assert csm_api.delete(f"/surveys/{custom.pk}/questions/{new['id']}").status_code == 204
    assert not Question.objects.filter(pk=new["id"]).exists()


def test_question_refusals_name_their_field(csm_api, custom):
    choice = csm_api.post(f"/surveys/{custom.pk}/questions", {"kind": "single", "prompt": "Pick", "choices": ["One"]})
    assert (choice.status_code, error_fields(choice)) == (422, {"choices"})
    taken = csm_api.post(f"/surveys/{custom.pk}/questions", {"key": "pace", "kind": "text", "prompt": "Again"})
    assert (taken.status_code, error_fields(taken)) == (422, {"key"})
    partial = csm_api.put(f"/surveys/{custom.pk}/questions/order", {"question_ids": [custom.questions.first().pk]})
    assert (partial.status_code, error_fields(partial)) == (422, {"question_ids"})


def test_a_question_is_reached_through_its_own_survey_only(csm_api, custom):
    other = Survey.objects.create(name="Other", kind="custom")
    question = custom.questions.first()
    assert csm_api.patch(f"/surveys/{other.pk}/questions/{question.pk}", {"prompt": "X"}).status_code == 404
    assert csm_api.delete(f"/surveys/{other.pk}/questions/{question.pk}").status_code == 404


def test_the_headline_question_cannot_be_removed(csm_api):
    survey = csm_api.post("/surveys", {"name": "Support CSAT 2", "kind": "csat"}).json()
    headline = survey["questions"][0]
    response = csm_api.delete(f"/surveys/{survey['id']}/questions/{headline['id']}")
    assert response.status_code == 422
    assert Question.objects.filter(pk=headline["id"]).exists()
