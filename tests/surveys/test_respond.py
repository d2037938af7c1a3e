"""The respondent's page behind a personal link: answers saved as they go, submitted once; bad
links of every kind; and nothing of anyone else's on the page."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.core import mail
from django.utils import timezone

from paceline.surveys import services
from paceline.surveys.models import (
    Answer,
    Invitation,
    InvitationStatus,
    QuestionKind,
    Response,
    SurveyKind,
)
from tests.factories import AccountFactory, ContactFactory
from tests.surveys.test_services import (
    UNSUBSCRIBE_LINK,
    campaign_for,
    default_survey,
    events,
    send,
    tokens_by_recipient,
)

OTHER_ACCOUNT = "Globex Secret Holdings"
OTHER_PERSON = "Zed Elsewhere"
OTHER_COMMENT = "Their pricing is a scandal"


@pytest.fixture
def invited(actor, account, django_capture_on_commit_callbacks):
    """Ann is invited to the Relationship NPS; a contact of another account answered it already."""
    survey = default_survey()
    ann = ContactFactory(account=account, name="Ann Able", email="ann@acme.test")
    other = AccountFactory(name=OTHER_ACCOUNT)
    services.response_record(actor=actor, survey=survey, account=other,
                             contact=ContactFactory(account=other, name=OTHER_PERSON),
                             answers={"nps": 2, "reason": OTHER_COMMENT}, submitted_at=timezone.now())
    campaign = campaign_for(actor, survey, [account], expires_days=10)
    send(actor, campaign, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    token = tokens_by_recipient(mail.outbox)[ann.email]
    return {"survey": survey, "ann": ann, "campaign": campaign, "token": token, "url": f"/r/{token}/",
            "message": message}


def test_the_link_opens_the_survey_and_marks_the_invitation_opened(anon_client, invited):
    response = anon_client.get(invited["url"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "How likely are you to recommend us to a friend or colleague?" in html
    assert 'name="q-nps"' in html and html.count('type="radio"') == 11
    assert "<legend>" in html and '<label for="q-reason">' in html
    invitation = Invitation.objects.get(contact=invited["ann"])
    assert invitation.status == InvitationStatus.OPENED and invitation.opened_at is not None
    for header, value in (("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer"),
                          ("X-Robots-Tag", "noindex")):
        assert response[header] == value
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "csrftoken" not in response.cookies


def test_the_respondent_sees_only_their_own_survey(anon_client, invited):
    html = anon_client.get(invited["url"]).content.decode()
    for secret in (OTHER_ACCOUNT, OTHER_PERSON, OTHER_COMMENT, "Acme Corp", "ann@acme.test"):
        assert secret not in html


def test_submitting_stores_the_answers_closes_the_link_and_tells_the_others(anon_client, invited):
    response = anon_client.post(invited["url"], {"q-nps": "9", "q-reason": "Quick answers.", "action": "submit"})
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    stored = Response.objects.get(invitation__contact=invited["ann"])
    assert (stored.score, stored.comment, stored.source, stored.is_complete) == (9, "Quick answers.", "email", True)
    assert stored.sentiment is not None
    [event] = [e for e in events("survey.responded") if e.account_id == invited["ann"].account_id]
    assert event.payload["band"] == "promoter" and event.payload["campaign_id"] == invited["campaign"].pk

    again = anon_client.get(invited["url"])
    assert again.status_code == 200
    html = again.content.decode()
    assert "You already answered this survey" in html
    assert "Quick answers." not in html and "q-nps" not in html
    resubmit = anon_client.post(invited["url"], {"q-nps": "0", "action": "submit"})
    assert "You already answered this survey" in resubmit.content.decode()
    stored.refresh_from_db()
    assert stored.score == 9


@pytest.mark.parametrize("posted, key, words", [
    ({"q-nps": "11"}, "nps", "from 0 to 10"),
    ({"q-nps": "-1"}, "nps", "from 0 to 10"),
    ({"q-nps": "ten"}, "nps", "from 0 to 10"),
    ({"q-reason": "No score given"}, "nps", "needs an answer"),
])
def test_an_answer_out_of_range_is_refused_naming_the_question(anon_client, invited, posted, key, words):
    response = anon_client.post(invited["url"], {**posted, "action": "submit"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'role="alert"' in html and f'href="#question-{key}"' in html and words in html
    assert "How likely are you to recommend us" in html
    assert not Answer.objects.filter(response__invitation__contact=invited["ann"]).exists()
    assert Invitation.objects.get(contact=invited["ann"]).status == InvitationStatus.OPENED


def test_partial_answers_are_kept_and_the_same_link_resumes(anon_client, invited):
    saved = anon_client.post(invited["url"], {"q-nps": "6", "q-reason": "", "action": "save"})
    assert saved.status_code == 200
    assert "Open the same link to finish later" in saved.content.decode()
    partial = Response.objects.get(invitation__contact=invited["ann"])
    assert partial.submitted_at is None and partial.answers.get().number == 6
    assert Invitation.objects.get(contact=invited["ann"]).status == InvitationStatus.PARTIAL

    # Autosave per answer (HTMX): a status line, not a page.
    autosave = anon_client.post(invited["url"], {"q-nps": "7", "q-reason": "Getting better", "action": "autosave"},
                                HTTP_HX_REQUEST="true")
    assert autosave.status_code == 200
    assert "Saved at" in autosave.content.decode() and "<form" not in autosave.content.decode()
    bad = anon_client.post(invited["url"], {"q-nps": "12", "action": "autosave"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "Not saved" in bad.content.decode()

    resumed = anon_client.get(invited["url"]).content.decode()
    assert 'value="7" checked' in resumed and ">Getting better</textarea>" in resumed
    assert not events("survey.responded") or all(e.account_id != invited["ann"].account_id
                                                  for e in events("survey.responded"))
    anon_client.post(invited["url"], {"q-nps": "7", "q-reason": "Getting better", "action": "submit"})
    done = Response.objects.get(invitation__contact=invited["ann"])
    assert (done.score, done.comment, done.pk) == (7, "Getting better", partial.pk)


def test_an_expired_link_is_gone_and_shows_nothing(anon_client, invited):
    anon_client.post(invited["url"], {"q-nps": "3", "q-reason": "Secret partial", "action": "save"})
    Invitation.objects.filter(contact=invited["ann"]).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = anon_client.get(invited["url"])
    assert response.status_code == 410
    html = response.content.decode()
    assert "This survey is closed" in html and "Secret partial" not in html and "recommend" not in html
    assert anon_client.post(invited["url"], {"q-nps": "9", "action": "submit"}).status_code == 410
    assert Response.objects.get(invitation__contact=invited["ann"]).submitted_at is None


def test_a_tampered_link_looks_exactly_like_random_garbage(anon_client, invited):
    token = invited["token"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    garbage = secrets.token_urlsafe(32)
    unsubscribe_token = UNSUBSCRIBE_LINK.search(invited["message"].body).group(1)
    bodies = set()
    for bad in (tampered, garbage, unsubscribe_token, "x" * 500):
        response = anon_client.get(f"/r/{bad}/")
        assert response.status_code == 404
        bodies.add(response.content)
        assert anon_client.post(f"/r/{bad}/", {"q-nps": "9"}).status_code == 404
    assert len(bodies) == 1
    assert b"This link does not work" in bodies.pop()
    assert not Response.objects.filter(invitation__isnull=False).exists()


def test_the_unsubscribe_link_asks_then_unsubscribes_and_only_unsubscribes(anon_client, invited):
    token = UNSUBSCRIBE_LINK.search(invited["message"].body).group(1)
    confirm = anon_client.get(f"/unsubscribe/{token}/")
    assert confirm.status_code == 200 and "Stop receiving surveys?" in confirm.content.decode()
    assert not services.audience.unsubscribed_emails()
    assert anon_client.get(f"/unsubscribe/{invited['token']}/").status_code == 404
    done = anon_client.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    assert services.audience.unsubscribed_emails() == {"ann@acme.test"}
    assert len(events("survey.unsubscribed")) == 1
    anon_client.post(f"/unsubscribe/{token}/")
    assert len(events("survey.unsubscribed")) == 1


def test_every_kind_of_question_on_the_page(actor, account, anon_client, django_capture_on_commit_callbacks):
    survey = services.survey_create(actor=actor, name="Onboarding check", kind=SurveyKind.CUSTOM,
                                    intro="Five questions about your first month.")
    services.question_add(actor=actor, survey=survey, kind=QuestionKind.SINGLE, prompt="Trained?", key="trained",
                          choices=["Yes", "Partly", "No"], required=True)
    services.question_add(actor=actor, survey=survey, kind=QuestionKind.MULTI, prompt="Teams?", key="teams",
                          choices=["Sales", "Support", "Finance"])
    services.question_add(actor=actor, survey=survey, kind=QuestionKind.SCALE, prompt="Confidence?", key="confidence",
                          scale_min=1, scale_max=4, help_text="1 low, 4 high")
    services.question_add(actor=actor, survey=survey, kind=QuestionKind.CSAT, prompt="Satisfied?", key="csat")
    services.question_add(actor=actor, survey=survey, kind=QuestionKind.TEXT, prompt="Anything else?", key="else")
    ContactFactory(account=account, email="kim@acme.test")
    send(actor, campaign_for(actor, survey, [account]), django_capture_on_commit_callbacks)
    url = f"/r/{tokens_by_recipient(mail.outbox)['kim@acme.test']}/"
    html = anon_client.get(url).content.decode()
    assert "Five questions about your first month." in html
    assert html.count("<fieldset") == 4 and 'type="checkbox"' in html and 'aria-describedby="help-confidence"' in html
    wrong = anon_client.post(url, {"q-trained": "Maybe", "q-teams": ["Sales", "Legal"], "action": "submit"})
    assert wrong.status_code == 422
    assert 'href="#question-trained"' in wrong.content.decode() and 'href="#question-teams"' in wrong.content.decode()
    ok = anon_client.post(url, {"q-trained": "Partly", "q-teams": ["Finance", "Sales"], "q-confidence": "3",
                                "q-csat": "4", "q-else": "More videos", "action": "submit"})
    assert ok.status_code == 200
    stored = Response.objects.get(survey=survey)
    assert {a.question.key: (a.number, a.text, a.choices) for a in stored.answers.all()} == {
        "trained": (None, "", ["Partly"]), "teams": (None, "", ["Sales", "Finance"]), "confidence": (3, "", []),
        "csat": (4, "", []), "else": (None, "More videos", []),
    }
    assert (stored.score, stored.comment) == (None, "More videos")
