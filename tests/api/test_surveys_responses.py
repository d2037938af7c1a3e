"""Responses over the API: one from an in-app tool (idempotent by external id), many at once
(all or nothing, every bad row named), listed with filters and read with their answers."""

from __future__ import annotations

import datetime as dt

import pytest

from paceline.surveys.models import Question, QuestionKind, Response, Survey
from tests.factories import AccountFactory, ContactFactory


@pytest.fixture
def nps(db):
    survey = Survey.objects.create(name="Pulse NPS", kind="nps")
    Question.objects.create(survey=survey, position=1, key="nps", kind=QuestionKind.NPS, prompt="Recommend?", required=True)
    Question.objects.create(survey=survey, position=2, key="reason", kind=QuestionKind.TEXT, prompt="Why?")
    Question.objects.create(survey=survey, position=3, key="areas", kind=QuestionKind.MULTI, prompt="Areas?",
                            choices=["Support", "Product", "Price"])
    return survey


@pytest.fixture
def people(account):
    other = AccountFactory(name="Globex", external_id="globex")
    return {
        "ann": ContactFactory(account=account, email="ann@acme.test"),
        "gil": ContactFactory(account=other, email="gil@globex.test"),
        "other": other,
    }


def _body(survey, **extra):
    return {"survey_id": survey.pk, "account_external_id": "acme", "contact_email": "ann@acme.test",
            "answers": {"nps": 9, "reason": "Quick answers", "areas": ["product", "Support"]},
            "submitted_at": "2026-03-01T09:30:00Z", **extra}


def test_an_in_app_response_is_recorded_with_its_answers(csm_api, nps, people, account):
    response = csm_api.post("/survey-responses", _body(nps))
    assert response.status_code == 201
    body = response.json()
    assert (body["account_id"], body["contact_id"], body["source"], body["created"]) == (
        account.pk, people["ann"].pk, "api", True)
    assert (body["score"], body["band"], body["comment"]) == (9, "promoter", "Quick answers")
    assert body["submitted_at"].startswith("2026-03-01T09:30:00")
    assert {a["key"]: a["value"] for a in body["answers"]} == {
        "nps": 9, "reason": "Quick answers", "areas": ["Support", "Product"]}
    assert csm_api.get(f"/survey-responses/{body['id']}").json()["answers"] == body["answers"]


def test_posting_the_same_external_id_again_updates_the_response(csm_api, nps, people):
    first = csm_api.post("/survey-responses", _body(nps, external_id="tool-17"))
    assert first.status_code == 201
    again = csm_api.post("/survey-responses", _body(nps, external_id="tool-17",
                                                    answers={"nps": 4, "reason": "Slower lately"}))
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["created"], again.json()["band"]) == (first.json()["id"], False, "detractor")
    assert Response.objects.filter(external_id="tool-17").count() == 1
    assert Response.objects.get(external_id="tool-17").score == 4


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"answers": {"nps": 11}}, ["body", "answers", "nps"]),
        ({"answers": {"nps": 7, "colour": "blue"}}, ["body", "answers", "colour"]),
        ({"answers": {"nps": 7, "areas": ["Weather"]}}, ["body", "answers", "areas"]),
        ({"answers": {"nps": 8.5}}, ["body", "answers", "nps"]),
        ({"contact_email": "gil@globex.test"}, ["body", "contact_email"]),
        ({"survey_id": 999_999}, ["body", "survey_id"]),
        ({"account_external_id": "nobody"}, ["body", "account_external_id"]),
        ({"submitted_at": "2026-03-01T09:30:00"}, ["body", "submitted_at"]),
        ({"submitted_at": "2999-03-01T09:30:00Z"}, ["body", "submitted_at"]),
        ({"answers": {"nps": 5, "reason": "nul\u0000"}}, ["body", "answers"]),
        ({"answers": {"nps": 5, "bad key!": "x"}}, ["body", "answers"]),
    ],
)
def test_a_bad_response_is_refused_naming_the_field_and_nothing_is_written(csm_api, nps, people, change, loc):
    response = csm_api.post("/survey-responses", _body(nps, **change))
    assert response.status_code == 422
    # Schema errors name the body parameter too ("payload"); the field path is the same.
    assert loc in [[part for part in e["loc"] if part != "payload"][: len(loc)] for e in response.json()["detail"]]
    assert not Response.objects.exists()


def test_a_contact_of_another_account_is_refused(csm_api, nps, people):
    body = _body(nps, contact_id=people["gil"].pk)
    del body["contact_email"]
    response = csm_api.post("/survey-responses", body)
    assert response.status_code == 422
    assert ["body", "contact_id"] in [e["loc"] for e in response.json()["detail"]]
    assert not Response.objects.exists()


def test_the_account_may_be_left_to_the_contact(csm_api, nps, people):
    body = {"survey_id": nps.pk, "contact_id": people["gil"].pk, "answers": {"nps": 6}}
    response = csm_api.post("/survey-responses", body)
    assert response.status_code == 201
    assert response.json()["account_id"] == people["other"].pk


def test_bulk_records_every_row(csm_api, nps, people):
    rows = [_body(nps, external_id=f"b-{n}", answers={"nps": n}) for n in (3, 8, 10)]
    response = csm_api.post("/survey-responses/bulk", {"rows": rows})
    assert response.status_code == 201
    body = response.json()
    assert (body["count"], body["created"], body["updated"]) == (3, 3, 0)
    assert [item["band"] for item in body["items"]] == ["detractor", "passive", "promoter"]
    again = csm_api.post("/survey-responses/bulk", {"rows": rows[:1]})
    assert (again.json()["created"], again.json()["updated"]) == (0, 1)
    assert Response.objects.count() == 3


def test_bulk_is_all_or_nothing_and_names_every_bad_row(csm_api, nps, people):
    rows = [
        _body(nps, external_id="ok"),  # 0: fine
        _body(nps, answers={"nps": -1}),  # 1: out of range
        _body(nps, contact_email="gil@globex.test"),  # 2: a contact of another account
        _body(nps, answers={"nps": 5, "mood": "meh"}),  # 3: no such question
        _body(nps, external_id="ok"),  # 4: the same response twice
    ]
    response = csm_api.post("/survey-responses/bulk", {"rows": rows})
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["detail"]]
    assert locs == [
        ["body", "rows", 1, "answers", "nps"],
        ["body", "rows", 2, "contact_email"],
        ["body", "rows", 3, "answers", "mood"],
        ["body", "rows", 4, "external_id"],
    ]
    assert not Response.objects.exists()


@pytest.fixture
def history(nps, people, account):
    from paceline.core.services import Actor
    from paceline.surveys import services

    csat = Survey.objects.create(name="Support CSAT", kind="csat")
    Question.objects.create(survey=csat, position=1, key="csat", kind=QuestionKind.CSAT, prompt="Satisfied?")
    actor = Actor(via="api")
    made = {}
    for name, survey, contact, answers, day, source in (
        ("promoter", nps, people["ann"], {"nps": 10}, 5, "api"),
        ("detractor", nps, people["ann"], {"nps": 2}, 15, "import"),
        ("globex", nps, people["gil"], {"nps": 8}, 25, "api"),
        ("csat", csat, people["ann"], {"csat": 5}, 20, "api"),
    ):
        made[name] = services.response_record(
            actor=actor, survey=survey, account=contact.account, contact=contact, answers=answers,
            submitted_at=dt.datetime(2026, 1, day, 12, tzinfo=dt.UTC), source=source,
        )
    return made


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["globex", "csat", "detractor", "promoter"]),
        ({"band": "detractor"}, ["detractor"]),
        ({"band": "promoter"}, ["promoter"]),
        ({"account_external_id": "globex"}, ["globex"]),
        ({"source": "import"}, ["detractor"]),
        ({"since": "2026-01-15", "until": "2026-01-20"}, ["csat", "detractor"]),
        ({"survey_id": "{csat}"}, ["csat"]),
        ({"contact_id": "{gil}"}, ["globex"]),
    ],
)
def test_the_list_filters(csm_api, history, people, params, expected):
    ids = {"{csat}": str(history["csat"].survey_id), "{gil}": str(people["gil"].pk)}
    params = {k: ids.get(v, v) for k, v in params.items()}
    response = csm_api.get("/survey-responses", params)
    assert response.status_code == 200
    names = {r.pk: name for name, r in history.items()}
    assert [names[item["id"]] for item in response.json()["items"]] == expected


@pytest.mark.parametrize("params", [{"band": "fan"}, {"colour": "red"}, {"since": "01/15/2026"}])
def test_bad_filters_are_refused_by_name(csm_api, history, params):
    response = csm_api.get("/survey-responses", params)
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["detail"]} == set(params)
