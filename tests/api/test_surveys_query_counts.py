"""The voice-of-the-customer lists and details cost a fixed number of queries whatever their size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paceline.core.services import Actor
from paceline.surveys import services
from paceline.surveys.models import (
    Question,
    QuestionKind,
    ReadinessAssessment,
    RelationshipMilestone,
    Response,
    Survey,
)
from tests.factories import AccountFactory, ContactFactory


def _survey(name: str, questions: int) -> Survey:
    survey = Survey.objects.create(name=name, kind="nps")
    Question.objects.create(survey=survey, position=0, key="nps", kind=QuestionKind.NPS, prompt="Recommend?")
    for n in range(questions):
        Question.objects.create(survey=survey, position=n + 1, key=f"q{n}", kind=QuestionKind.SINGLE,
                                prompt=f"Q{n}?", choices=["Yes", "No"])
    return survey


@pytest.fixture
def busy(csm):
    actor = Actor(user=csm, via="api")
    small, big = _survey("Small", 0), _survey("Big", 8)
    readiness = Survey.objects.create(name="Readiness", kind="readiness")
    for n in range(6):
        account = AccountFactory(owner=csm)
        contacts = [ContactFactory(account=account) for _ in range(3)]
        services.campaign_create(actor=actor, survey=big, audience={"account_ids": [account.pk]}, name=f"C{n}")
        for contact in contacts:
            services.response_record(
                actor=actor, survey=big, account=account, contact=contact, source="api",
                answers={"nps": n + 4, **{f"q{q}": "Yes" for q in range(8)}}, submitted_at=timezone.now(),
            )
        RelationshipMilestone.objects.create(account=account, kind="review", occurred_on=dt.date(2026, 1, n + 1),
                                             credited_to=csm)
        response = Response.objects.create(survey=readiness, account=account, source="api", submitted_at=timezone.now())
        ReadinessAssessment.objects.create(account=account, response=response, assessed_on=dt.date(2026, 1, 1),
                                           score=50, level="emerging", recommendation="Start small.")
    campaigns = list(big.campaigns.all())
    for campaign in campaigns[:1]:
        services.campaign_send(actor=actor, campaign=campaign)
    return small, big, campaigns


def test_the_lists_cost_a_fixed_number_of_queries(csm_api, busy, django_assert_num_queries):
    # The token, the count and the page; responses also fetch their answers with their questions.
    expected = {
        "/surveys": 3,
        "/campaigns": 3,
        "/survey-responses": 4,
        "/relationship-milestones": 3,
        "/readiness-assessments": 3,
    }
    csm_api.get("/surveys")  # the token's first use is stamped once; measure the requests after it
    for path, queries in expected.items():
        counts = []
        for limit in (1, 5):
            with django_assert_num_queries(queries):
                response = csm_api.get(path, {"limit": limit})
            assert response.status_code == 200, path
            counts.append(len(response.json()["items"]))
        assert counts == [1, 5], path


def test_the_details_cost_the_same_small_or_big(csm_api, busy, django_assert_num_queries):
    small, big, campaigns = busy
    csm_api.get("/surveys")
    # Survey: the token, the survey, its questions. Campaign: the token, the campaign, the counts.
    # Results: the token, the survey, the answers counted by score.
    for path, queries, sizes in (
        ("/surveys/{}", 3, lambda b: len(b["questions"])),
        ("/surveys/{}/results", 3, lambda b: b["n"]),
    ):
        seen = []
        for survey in (small, big):
            with django_assert_num_queries(queries):
                response = csm_api.get(path.format(survey.pk))
            assert response.status_code == 200
            seen.append(sizes(response.json()))
        assert seen[0] < seen[1], path
    for campaign in (campaigns[0], campaigns[1]):
        with django_assert_num_queries(3):
            assert csm_api.get(f"/campaigns/{campaign.pk}").status_code == 200
    first = Response.objects.filter(survey=big).first()
    with django_assert_num_queries(3):
        body = csm_api.get(f"/survey-responses/{first.pk}").json()
    assert len(body["answers"]) == 9
