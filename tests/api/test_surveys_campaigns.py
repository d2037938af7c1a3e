"""Campaigns over the API: a draft, its preview (who is asked, who is not and why), the send, and
a second send that sends nothing new."""

from __future__ import annotations

import pytest
from django.core import mail

from paceline.surveys.models import (
    Campaign,
    Invitation,
    Question,
    QuestionKind,
    Survey,
    Unsubscribe,
)
from tests.api.conftest import error_fields
from tests.factories import AccountFactory, ContactFactory


@pytest.fixture
def nps(db):
    survey = Survey.objects.create(name="Pulse NPS", kind="nps")
    Question.objects.create(survey=survey, position=1, key="nps", kind=QuestionKind.NPS, prompt="Recommend?", required=True)
    return survey


@pytest.fixture
def audience(account):
    ann = ContactFactory(account=account, name="Ann Able", email="ann@acme.test")
    bea = ContactFactory(account=account, name="Bea Busy", email="bea@acme.test")
    gone = ContactFactory(account=account, name="Cal Gone", email="cal@acme.test", status="left",
                          left_on="2025-01-01")
    quiet = ContactFactory(account=account, name="Dee Quiet", email="dee@acme.test")
    Unsubscribe.objects.create(email="dee@acme.test", contact=quiet)
    ContactFactory(account=AccountFactory(name="Elsewhere"), email="eve@else.test")
    return {"ann": ann, "bea": bea, "gone": gone, "quiet": quiet}


def _create(api, survey, account, **extra):
    return api.post("/campaigns", {"survey_id": survey.pk, "name": "Spring pulse",
                                   "audience": {"account_ids": [account.pk]}, **extra})


def test_a_campaign_is_created_as_a_draft_with_default_wording(csm_api, nps, account, csm):
    response = _create(csm_api, nps, account)
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["sent_at"], body["created_by_id"]) == ("draft", None, csm.pk)
    assert body["audience"]["account_ids"] == [account.pk]
    assert body["subject"] and "{first_name}" in body["message"]
    assert set(body["invitations"].values()) == {0}
    listed = csm_api.get("/campaigns", {"survey_id": nps.pk}).json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"audience": {}}, "audience"),
        ({"audience": {"stages": ["galactic"]}}, "stages"),
        ({"audience": {"account_ids": [999_999]}}, "account_ids"),
        ({"expires_days": 400}, "expires_days"),
        ({"survey_id": 999_999}, "survey_id"),
    ],
)
def test_a_bad_campaign_is_refused_naming_the_field(csm_api, nps, account, change, field):
    response = _create(csm_api, nps, account, **change)
    assert response.status_code == 422
    assert field in {part for e in response.json()["detail"] for part in e["loc"]}
    assert not Campaign.objects.exists()


def test_an_inactive_survey_cannot_be_sent(csm_api, nps, account):
    nps.is_active = False
    nps.save()
    response = _create(csm_api, nps, account)
    assert (response.status_code, error_fields(response)) == (422, {"survey_id"})


def test_the_preview_names_recipients_and_who_is_skipped_and_why(csm_api, nps, account, audience):
    campaign = _create(csm_api, nps, account).json()
    response = csm_api.post(f"/campaigns/{campaign['id']}/preview")
    assert response.status_code == 200
    body = response.json()
    assert [r["name"] for r in body["recipients"]] == ["Ann Able", "Bea Busy"]
    assert {s["name"]: s["reason"] for s in body["skipped"]} == {
        "Cal Gone": "Left the company", "Dee Quiet": "Unsubscribed from surveys"}
    assert not Invitation.objects.exists() and not mail.outbox


def test_sending_invites_the_recipients_and_sending_again_sends_nothing_new(
    csm_api, nps, account, audience, django_capture_on_commit_callbacks
):
    campaign = _create(csm_api, nps, account).json()
    with django_capture_on_commit_callbacks(execute=True):
        sent = csm_api.post(f"/campaigns/{campaign['id']}/send")
    assert sent.status_code == 200
    body = sent.json()
    assert (body["status"], body["invited"], body["skipped"], body["already_invited"]) == ("sent", 2, 2, 0)
    # The e-mails leave after the send's commit: at its answer the invitations wait to go.
    assert (body["invitations"]["pending"], body["invitations"]["skipped"]) == (2, 2)
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@acme.test", "bea@acme.test"]
    delivered = csm_api.get(f"/campaigns/{campaign['id']}").json()["invitations"]
    assert (delivered["sent"], delivered["pending"], delivered["skipped"]) == (2, 0, 2)

    with django_capture_on_commit_callbacks(execute=True):
        again = csm_api.post(f"/campaigns/{campaign['id']}/send")
    assert (again.json()["invited"], again.json()["already_invited"]) == (0, 2)
    assert len(mail.outbox) == 2
    assert Invitation.objects.filter(contact=audience["ann"]).count() == 1
    assert csm_api.get(f"/campaigns/{campaign['id']}").json()["invitations"] == delivered


def test_unknown_campaigns_are_404(csm_api, db):
    assert csm_api.get("/campaigns/999999").status_code == 404
    assert csm_api.post("/campaigns/999999/send").status_code == 404
    assert csm_api.post("/campaigns/999999/preview").status_code == 404
