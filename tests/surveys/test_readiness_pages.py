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
