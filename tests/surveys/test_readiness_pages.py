"""The readiness section of the account page, its history page and the re-score, persona by persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paceline.customers.extensions import account_panels
from paceline.surveys import readiness
from paceline.surveys.models import Question, ReadinessAssessment
from tests.factories import ContactFactory
from tests.surveys.test_readiness import BEST, MIDDLING, WORST, respond


@pytest.fixture
def assessed(account, actor):
    """Two assessments a year apart: not ready then, capable now."""
    champion = ContactFactory(account=account, name="Cleo Champion")
    old = respond(account, WORST, on=timezone.now() - dt.timedelta(days=380), contact=champion)
    new = respond(account, {**MIDDLING, "adoption_method": "A named method we apply to every system",
                            "change_management": "Before, during and after go-live"}, contact=champion)
    return [readiness.readiness_assess(actor=actor, response=r) for r in (old, new)]


def test_both_panels_are_registered_for_the_account_page():
    keys = [p.key for p in account_panels()]
    assert "readiness" in keys and "milestones" in keys


@pytest.mark.django_db
def test_the_account_page_shows_level_score_recommendation_reasons_and_trend(account, assessed, viewer_client):
    old, new = assessed
    assert (old.level, new.level) == ("not_ready", "capable")
    html = viewer_client.get(f"/accounts/{account.pk}/").content.decode()
    panel = html.split('id="panel-readiness"')[1].split("</section>")[0]
    assert "Capable" in panel and f"{new.score}<span" in panel
    assert "with Cleo Champion" in panel
    assert "go for product depth" in panel
    assert f"up since {old.assessed_on:%-d %b %Y} ({old.score})" in panel
    assert "Does an executive sponsor own the business outcomes" in panel  # a reason names its question
    assert "All 2 assessments" in panel


@pytest.mark.django_db
def test_an_account_without_an_assessment_says_what_to_ask(account, csm_client):
    panel = csm_client.get(f"/accounts/{account.pk}/").content.decode().split('id="panel-readiness"')[1]
    assert "No readiness assessment yet" in panel.split("</section>")[0]


@pytest.mark.django_db
def test_the_panel_costs_the_same_queries_whatever_the_history(account, actor):
    panel = next(p for p in account_panels() if p.key == "readiness")
    respond(account, BEST)
    readiness.readiness_refresh(actor=actor, account=account)
    with CaptureQueriesContext(connection) as one:
        panel.context(None, account)
    for _ in range(3):
        respond(account, WORST)
    readiness.readiness_refresh(actor=actor, account=account)
    with CaptureQueriesContext(connection) as four:
        context = panel.context(None, account)
    assert len(context["history"]) == 4 and len(one) == len(four) == 1


@pytest.mark.django_db
def test_the_history_page_lists_every_assessment_with_its_reasons(account, assessed, viewer_client):
    html = viewer_client.get(f"/accounts/{account.pk}/readiness/").content.decode()
    for a in assessed:
        assert f'id="assessment-{a.pk}"' in html
    assert "Build their adoption capacity first" in html  # the older, not-ready one
    assert "Resistance to change" in html and "Not ready from 0" in html
    worst = html.split(f'id="assessment-{assessed[0].pk}"')[1].split("</section>")[0]
    assert worst.split("Raised it")[1].count("<li") == 1 and "Nothing." in worst.split("Raised it")[1]
    assert "Score again with the current questions" not in html  # a viewer cannot re-score


@pytest.mark.django_db
def test_a_csm_rescores_after_a_leader_changed_the_points(account, assessed, csm_client):
    old, new = assessed
    Question.objects.filter(survey=new.response.survey, key="executive_sponsor").update(
        scoring={"Yes, named and active": 0, "Named, but rarely involved": 5, "No": 40})
    response = csm_client.post(f"/accounts/{account.pk}/readiness/rescore/", follow=True)
    assert "Scored 2 assessments again with the current questions: 2 changed." in response.content.decode()
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.level == "emerging" and old.score > 0


@pytest.mark.django_db
def test_viewers_cannot_rescore_and_anonymous_visitors_log_in(account, assessed, viewer_client, anon_client):
    scores = list(ReadinessAssessment.objects.values_list("score", flat=True))
    Question.objects.filter(key="executive_sponsor").update(scoring={"No": 40})
    assert viewer_client.post(f"/accounts/{account.pk}/readiness/rescore/").status_code == 403
    assert list(ReadinessAssessment.objects.values_list("score", flat=True)) == scores
    for response in (anon_client.get(f"/accounts/{account.pk}/readiness/"),
                     anon_client.post(f"/accounts/{account.pk}/readiness/rescore/")):
        assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_rescore_is_post_only_and_unknown_accounts_are_404(account, csm_client):
    assert csm_client.get(f"/accounts/{account.pk}/readiness/rescore/").status_code == 405
    assert csm_client.get("/accounts/999999/readiness/").status_code == 404


def _posted(answers: dict, **extra) -> dict:
    data = {"answered_on": timezone.localdate().isoformat(), **extra}
    for key, value in answers.items():
        data[f"q_{key}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


@pytest.mark.django_db
def test_a_csm_records_answers_from_a_call_and_the_assessment_follows(account, csm_client):
    champion = ContactFactory(account=account, name="Cleo Champion", is_primary=True)
    page = csm_client.get(f"/accounts/{account.pk}/readiness/record/").content.decode()
    assert "When you implement a new system, do you have a defined user adoption program?" in page
    assert 'value="Resistance to change"' in page and f'value="{champion.pk}" selected' in page
    response = csm_client.post(f"/accounts/{account.pk}/readiness/record/",
                               _posted({**WORST, "own_actions": "IT will set it up."}, contact=champion.pk), follow=True)
    assert "Assessed: Not ready (0/100)." in response.content.decode()
    assessment = ReadinessAssessment.objects.get(account=account)
    assert assessment.response.source == "manual" and assessment.response.contact == champion
    assert assessment.response.answers.get(question__key="own_actions").text == "IT will set it up."


@pytest.mark.django_db
def test_a_missing_required_answer_is_named_next_to_its_question_and_nothing_is_saved(account, csm_client):
    answers = {k: v for k, v in BEST.items() if k != "executive_sponsor"}
    response = csm_client.post(f"/accounts/{account.pk}/readiness/record/", _posted(answers))
    assert response.status_code == 400
    html = response.content.decode()
    question = html.split('id="question-executive_sponsor"')[1].split('id="question-')[0]
    assert "This question needs an answer." in question
    assert 'class="field wide question has-error" id="question-executive_sponsor"' in html
    assert not ReadinessAssessment.objects.exists() and not account.survey_responses.exists()


@pytest.mark.django_db
def test_the_form_follows_the_questionnaire_as_leaders_edited_it(account, csm_client):
    survey = readiness.readiness_survey()
    question = survey.questions.get(key="value_share")
    question.choices = [*question.choices, "We never measure it"]
    question.save()
    assert 'value="We never measure it"' in csm_client.get(f"/accounts/{account.pk}/readiness/record/").content.decode()
    survey.is_active = False
    survey.save()
    response = csm_client.get(f"/accounts/{account.pk}/readiness/record/")
    assert response.status_code == 404 and "no active adoption-readiness questionnaire" in response.content.decode()


@pytest.mark.django_db
def test_viewers_cannot_record_answers(account, viewer_client, anon_client):
    url = f"/accounts/{account.pk}/readiness/record/"
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, _posted(BEST)).status_code == 403
    assert anon_client.post(url, _posted(BEST)).status_code == 302
    assert not ReadinessAssessment.objects.exists()
