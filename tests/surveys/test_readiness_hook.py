"""A readiness questionnaire is assessed the moment its response is submitted, whatever the door."""

from __future__ import annotations

import pytest
from django.utils import timezone

from paceline.surveys import readiness, services
from paceline.surveys.models import ReadinessAssessment, Survey, SurveyKind
from tests.surveys.test_readiness import BEST, WORST


@pytest.mark.django_db
def test_a_recorded_readiness_response_is_assessed_at_once(account, actor):
    response = services.response_record(actor=actor, survey=readiness.readiness_survey(), account=account,
                                        answers=WORST, submitted_at=timezone.now(), source="manual")
    assessment = ReadinessAssessment.objects.get(response=response)
    assert (assessment.account, assessment.level) == (account, "not_ready")
    # Calling it again (a re-score, a retry) changes nothing.
    assert readiness.readiness_on_submit(actor=actor, response=response).pk == assessment.pk
    assert ReadinessAssessment.objects.count() == 1


@pytest.mark.django_db
def test_other_surveys_and_unscored_answers_are_not_assessed_and_not_refused(account, actor):
    nps = Survey.objects.filter(kind=SurveyKind.NPS).first()
    services.response_record(actor=actor, survey=nps, account=account, answers={"nps": 9},
                             submitted_at=timezone.now(), source="manual")
    survey = readiness.readiness_survey()
    survey.questions.update(required=False)
    response = services.response_record(actor=actor, survey=survey, account=account,
                                        answers={"own_actions": "We will name an adoption lead."},
                                        submitted_at=timezone.now(), source="manual")
    assert response.submitted_at is not None
    assert not ReadinessAssessment.objects.exists()
    services.response_record(actor=actor, survey=survey, account=account, answers=BEST,
                             submitted_at=timezone.now(), source="manual")
    assert ReadinessAssessment.objects.get().level == "mature"
