"""A survey's results over the API: NPS, CSAT and CES by the standard definitions, with the 95%
interval, the small-sample flag, and the segment and period filters."""

from __future__ import annotations

import datetime as dt

import pytest

from paceline.surveys import scoring
from paceline.surveys.models import Response, Survey
from tests.factories import AccountFactory


def _answers(survey, account, scores, *, day=10):
    for n, score in enumerate(scores):
        Response.objects.create(survey=survey, account=account, source="api", score=score,
                                submitted_at=dt.datetime(2026, 1, day, 9, n % 60, tzinfo=dt.UTC))


@pytest.fixture
def nps(account):
    survey = Survey.objects.create(name="Pulse NPS", kind="nps")
    smb = AccountFactory(segment="smb")
    _answers(survey, account, [10, 9, 9, 8, 7, 6, 3])  # mid-market, 10 January
    _answers(survey, smb, [0, 2, 10], day=20)
    # A partial response has no score yet and does not count.
    Response.objects.create(survey=survey, account=account, source="email")
    return survey


def test_nps_is_promoters_minus_detractors_with_its_interval(csm_api, nps):
    response = csm_api.get(f"/surveys/{nps.pk}/results")
    assert response.status_code == 200
    body = response.json()
    expected = scoring.nps([10, 9, 9, 8, 7, 6, 3, 0, 2, 10])
    assert (body["metric"], body["n"], body["promoters"], body["passives"], body["detractors"]) == ("nps", 10, 4, 2, 4)
    assert body["score"] == pytest.approx(0.0)
    assert (body["low"], body["high"]) == (pytest.approx(expected.low), pytest.approx(expected.high))
    assert body["small"] is True


@pytest.mark.parametrize(
    ("params", "n", "score"),
    [
        ({"segment": "smb"}, 3, (1 - 2) / 3 * 100),
        ({"segment": "mid_market"}, 7, (3 - 2) / 7 * 100),
        ({"since": "2026-01-15"}, 3, (1 - 2) / 3 * 100),
        ({"until": "2026-01-10"}, 7, (3 - 2) / 7 * 100),
        ({"since": "2026-02-01"}, 0, None),
    ],
)
def test_results_filter_by_segment_and_period(csm_api, nps, params, n, score):
    body = csm_api.get(f"/surveys/{nps.pk}/results", params).json()
    assert body["n"] == n
    assert body["score"] == (pytest.approx(score) if score is not None else None)


def test_csat_is_the_share_of_four_and_five_and_many_answers_are_not_small(csm_api, account):
    survey = Survey.objects.create(name="Support CSAT", kind="csat")
    _answers(survey, account, [5, 4, 3, 2, 5] * 8)
    body = csm_api.get(f"/surveys/{survey.pk}/results").json()
    assert (body["metric"], body["n"], body["satisfied"], body["small"]) == ("csat", 40, 24, False)
    assert body["score"] == pytest.approx(60.0)
    assert body["promoters"] is None


def test_ces_is_the_mean(csm_api, account):
    survey = Survey.objects.create(name="Effort", kind="ces")
    _answers(survey, account, [7, 5, 6])
    body = csm_api.get(f"/surveys/{survey.pk}/results").json()
    assert (body["metric"], body["n"], body["score"]) == ("ces", 3, pytest.approx(6.0))
    assert body["low"] < 6 < body["high"]


def test_a_questionnaire_without_a_headline_counts_its_answers_only(csm_api, account):
    survey = Survey.objects.create(name="Onboarding check", kind="custom")
    _answers(survey, account, [None, None])
    body = csm_api.get(f"/surveys/{survey.pk}/results").json()
    assert (body["metric"], body["n"], body["score"]) == (None, 2, None)


@pytest.mark.parametrize("params", [{"segment": "galactic"}, {"since": "yesterday"}, {"band": "promoter"}])
def test_bad_result_filters_are_refused_by_name(csm_api, nps, params):
    response = csm_api.get(f"/surveys/{nps.pk}/results", params)
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["detail"]} == set(params)


def test_results_of_an_unknown_survey_are_404(csm_api, db):
    assert csm_api.get("/surveys/999999/results").status_code == 404
