"""The survey builder and the send wizard, page by page and persona by persona."""

from __future__ import annotations

import pytest
from django.core import mail

from paceline.customers.models import Segment
from paceline.surveys import services
from paceline.surveys.models import Campaign, Invitation, Question, Survey, SurveyKind
from tests.factories import AccountFactory, ContactFactory
from tests.surveys.test_services import default_survey


@pytest.fixture
def survey(db):
    return default_survey()


@pytest.fixture
def custom(actor):
    survey = services.survey_create(actor=actor, name="Onboarding check", kind=SurveyKind.CUSTOM)
    for prompt in ("First?", "Second?", "Third?"):
        services.question_add(actor=actor, survey=survey, kind="text", prompt=prompt)
    return survey


@pytest.fixture
def draft(actor, survey, account):
    ContactFactory(account=account, name="Ann Able", email="ann@acme.test")
    ContactFactory(account=account, name="Bo Blank", email="")
    return services.campaign_create(actor=actor, survey=survey, audience={"account_ids": [account.pk]},
                                    subject="How are we doing?", message="Hi {first_name}, tell us about {company}.")


def read_urls(survey, campaign) -> list[str]:
    return ["/surveys/", f"/surveys/{survey.pk}/", f"/surveys/{survey.pk}/preview/", f"/surveys/campaigns/{campaign.pk}/"]


def write_urls(survey, campaign) -> list[str]:
    q = survey.questions.first()
    return ["/surveys/new/", f"/surveys/{survey.pk}/edit/", f"/surveys/{survey.pk}/questions/new/",
            f"/surveys/{survey.pk}/questions/{q.pk}/edit/", f"/surveys/{survey.pk}/questions/{q.pk}/delete/",
            f"/surveys/{survey.pk}/send/", f"/surveys/campaigns/{campaign.pk}/audience/",
            f"/surveys/campaigns/{campaign.pk}/message/"]


def test_anonymous_people_are_sent_to_the_login(anon_client, survey, draft):
    for url in read_urls(survey, draft) + write_urls(survey, draft):
        response = anon_client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    response = anon_client.post(f"/surveys/campaigns/{draft.pk}/send/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Invitation.objects.exists()


def test_a_viewer_reads_but_writes_nothing(viewer_client, survey, draft):
    for url in read_urls(survey, draft):
        assert viewer_client.get(url).status_code == 200, url
    for url in write_urls(survey, draft):
        assert viewer_client.get(url).status_code == 403, url
    assert viewer_client.post("/surveys/new/", {"name": "Sneaky", "kind": "nps"}).status_code == 403
    assert viewer_client.post(f"/surveys/campaigns/{draft.pk}/send/").status_code == 403
    q = survey.questions.last()
    assert viewer_client.post(f"/surveys/{survey.pk}/questions/{q.pk}/move/", {"direction": "up"}).status_code == 403
    assert not Survey.objects.filter(name="Sneaky").exists() and not Invitation.objects.exists()
    assert [x.key for x in survey.questions.all()] == ["nps", "reason"]
    page = viewer_client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "Add a question" not in page and "Send…" not in page
    assert '<a href="/surveys/" aria-current="page">Surveys</a>' in page
    assert "Send to 1 contact" not in viewer_client.get(f"/surveys/campaigns/{draft.pk}/").content.decode()


@pytest.mark.parametrize("persona", ["csm_client", "leader_client"])
@pytest.mark.parametrize("kind", ["nps", "csat", "ces", "custom"])
def test_csms_and_leaders_create_surveys_of_each_kind(request, persona, kind):
    client = request.getfixturevalue(persona)
    response = client.post("/surveys/new/", {"name": f"Pulse {kind}", "kind": kind, "intro": "Hello"})
    survey = Survey.objects.get(name=f"Pulse {kind}")
    assert response.status_code == 302 and response["Location"] == f"/surveys/{survey.pk}/"
    assert survey.kind == kind and survey.questions.count() == (0 if kind == "custom" else 2)
    assert f"Pulse {kind}" in client.get("/surveys/").content.decode()


def test_only_a_leader_creates_or_edits_the_readiness_questionnaire(csm_client, leader_client, leader):
    assert "readiness" not in csm_client.get("/surveys/new/").content.decode().split('name="kind"')[1].split("</select>")[0]
    refused = csm_client.post("/surveys/new/", {"name": "Readiness check", "kind": "readiness"})
    assert refused.status_code == 400 and not Survey.objects.filter(name="Readiness check").exists()
    assert leader_client.post("/surveys/new/", {"name": "Readiness check", "kind": "readiness"}).status_code == 302
    readiness = Survey.objects.get(name="Readiness check")
    assert csm_client.get(f"/surveys/{readiness.pk}/questions/new/").status_code == 403
    assert csm_client.post(f"/surveys/{readiness.pk}/questions/new/", {"kind": "text", "prompt": "X"}).status_code == 403
    added = leader_client.post(f"/surveys/{readiness.pk}/questions/new/", {
        "kind": "single", "prompt": "A defined adoption program?", "choices": "Yes\nNo", "points": "Yes = 10\nNo = 0"})
    assert added.status_code == 302
    assert readiness.questions.get().scoring == {"Yes": 10, "No": 0}
    bad = leader_client.post(f"/surveys/{readiness.pk}/questions/new/", {
        "kind": "single", "prompt": "Method?", "choices": "Yes\nNo", "points": "Yes ten"})
    assert bad.status_code == 400 and "Line 1" in bad.content.decode()


@pytest.mark.parametrize("fields, stored", [
    ({"kind": "single", "choices": "Weekly\nMonthly\nNever"}, {"choices": ["Weekly", "Monthly", "Never"]}),
    ({"kind": "multi", "choices": "Sales\nSupport"}, {"choices": ["Sales", "Support"]}),
    ({"kind": "scale", "scale_min": "1", "scale_max": "4"}, {"scale_min": 1, "scale_max": 4}),
    ({"kind": "text"}, {"choices": []}),
    ({"kind": "csat"}, {"kind": "csat"}),
    ({"kind": "ces", "required": "on"}, {"required": True}),
])
def test_a_csm_adds_questions_of_each_kind(csm_client, custom, fields, stored):
    response = csm_client.post(f"/surveys/{custom.pk}/questions/new/", {"prompt": "How often?", **fields})
    question = custom.questions.get(prompt="How often?")
    assert response.status_code == 302 and response["Location"] == f"/surveys/{custom.pk}/#question-{question.pk}"
    assert {name: getattr(question, name) for name in stored} == stored
    assert question.position == 4


def test_a_question_the_rules_refuse_comes_back_with_the_reason(csm_client, survey):
    response = csm_client.post(f"/surveys/{survey.pk}/questions/new/", {"kind": "nps", "prompt": "Again?"})
    assert response.status_code == 400
    assert "already has its" in response.content.decode()
    response = csm_client.post(f"/surveys/{survey.pk}/questions/new/", {"kind": "single", "prompt": "Pick", "choices": "One"})
    assert response.status_code == 400 and "at least two" in response.content.decode()
    assert survey.questions.count() == 2


def test_questions_are_edited_reordered_and_removed(csm_client, custom):
    first, second, third = custom.questions.all()
    edit = csm_client.get(f"/surveys/{custom.pk}/questions/{second.pk}/edit/")
    assert edit.status_code == 200 and 'value="Second?"' in edit.content.decode()
    saved = csm_client.post(f"/surveys/{custom.pk}/questions/{second.pk}/edit/",
                            {"kind": "text", "prompt": "Second, reworded?", "key": second.key, "required": "on"})
    assert saved.status_code == 302
    second.refresh_from_db()
    assert (second.prompt, second.required) == ("Second, reworded?", True)

    fragment = csm_client.post(f"/surveys/{custom.pk}/questions/{third.pk}/move/", {"direction": "up"},
                               HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert fragment.content.decode().index("Third?") < fragment.content.decode().index("Second, reworded?")
    moved = csm_client.post(f"/surveys/{custom.pk}/questions/{first.pk}/move/", {"direction": "down"})
    assert moved.status_code == 302
    assert [q.prompt for q in custom.questions.all()] == ["Third?", "First?", "Second, reworded?"]
    assert csm_client.post(f"/surveys/{custom.pk}/questions/{first.pk}/move/", {"direction": "sideways"}).status_code == 400

    assert csm_client.get(f"/surveys/{custom.pk}/questions/{first.pk}/delete/").status_code == 200
    assert csm_client.post(f"/surveys/{custom.pk}/questions/{first.pk}/delete/").status_code == 302
    assert [q.position for q in custom.questions.all()] == [1, 2]


def test_a_question_is_reached_only_through_its_own_survey(csm_client, survey, custom):
    other = custom.questions.first()
    for url in (f"/surveys/{survey.pk}/questions/{other.pk}/edit/", f"/surveys/{survey.pk}/questions/{other.pk}/delete/"):
        assert csm_client.get(url).status_code == 404
    assert csm_client.post(f"/surveys/{survey.pk}/questions/{other.pk}/delete/").status_code == 404
    assert Question.objects.filter(pk=other.pk).exists()
    assert csm_client.get("/surveys/999999/").status_code == 404


def test_removing_the_headline_question_is_refused_on_the_page(csm_client, survey):
    nps = survey.questions.get(key="nps")
    response = csm_client.post(f"/surveys/{survey.pk}/questions/{nps.pk}/delete/")
    assert response.status_code == 400 and "what this survey measures" in response.content.decode()
    assert Question.objects.filter(pk=nps.pk).exists()


def test_the_preview_shows_every_question_as_a_respondent_sees_it(viewer_client, survey):
    html = viewer_client.get(f"/surveys/{survey.pk}/preview/").content.decode()
    assert "How likely are you to recommend us" in html and "What is the main reason for your score?" in html
    assert html.count('type="radio"') == 11 and "Nothing you choose here is saved" in html


def test_the_wizard_goes_audience_message_preview_send(csm_client, survey, account, django_capture_on_commit_callbacks):
    ContactFactory(account=account, name="Ann Able", email="ann@acme.test", roles=["champion"])
    ContactFactory(account=account, name="Eve User", email="eve@acme.test", roles=["end_user"])
    ContactFactory(account=account, name="Bo Blank", email="", roles=["champion"])
    smb = AccountFactory(name="Tiny Co", segment=Segment.SMB)
    ContactFactory(account=smb, name="Tim Tiny", email="tim@tiny.test", roles=["champion"])

    start = csm_client.get(f"/surveys/{survey.pk}/send/?account={account.pk}")
    assert start.status_code == 200 and "acme" in start.content.decode() and 'aria-current="step"' in start.content.decode()
    bad = csm_client.post(f"/surveys/{survey.pk}/send/", {"accounts": "Nonexistent Ltd"})
    assert bad.status_code == 400 and "Nonexistent Ltd" in bad.content.decode()
    bad = csm_client.post(f"/surveys/{survey.pk}/send/", {"roles": ["champion"]})
    assert bad.status_code == 400 and "at least one segment" in bad.content.decode()
    assert not Campaign.objects.exists()

    step1 = csm_client.post(f"/surveys/{survey.pk}/send/", {"segments": ["smb"], "roles": ["champion"],
                                                             "accounts": "acme"})
    campaign = Campaign.objects.get()
    assert step1.status_code == 302 and step1["Location"] == f"/surveys/campaigns/{campaign.pk}/message/"
    assert campaign.audience == {"segments": ["smb"], "stages": [], "roles": ["champion"], "account_ids": [account.pk]}
    step2 = csm_client.post(f"/surveys/campaigns/{campaign.pk}/message/", {
        "name": "Spring NPS", "subject": "Two questions", "message": "Hi {first_name}, how is {company} doing?",
        "expires_days": "10", "reminder_days": "4"})
    assert step2.status_code == 302 and step2["Location"] == f"/surveys/campaigns/{campaign.pk}/"

    preview = csm_client.get(f"/surveys/campaigns/{campaign.pk}/").content.decode()
    assert 'id="recipient-count">2<' in preview and "Send to 2 contacts" in preview
    assert "Bo Blank" in preview and "No e-mail address" in preview and "Eve User" not in preview
    assert "Two questions" in preview and "Hi Ann, how is Acme Corp doing?" in preview
    assert "your-personal-link" in preview
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        sent = csm_client.post(f"/surveys/campaigns/{campaign.pk}/send/")
    assert sent.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@acme.test", "tim@tiny.test"]
    page = csm_client.get(f"/surveys/campaigns/{campaign.pk}/").content.decode()
    assert "Invitations" in page and page.count('<span class="badge">Sent</span>') == 2 and "Skipped" in page
    assert csm_client.get(f"/surveys/campaigns/{campaign.pk}/message/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        csm_client.post(f"/surveys/campaigns/{campaign.pk}/send/")
    assert len(mail.outbox) == 2
    assert "Nothing was sent" in csm_client.get(f"/surveys/campaigns/{campaign.pk}/").content.decode()


def test_the_pages_cost_the_same_queries_whatever_the_number_of_rows(csm_client, actor, survey,
                                                                     django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert csm_client.get(url).status_code == 200
        return len(captured)

    counts = {}
    for size in (2, 7):
        account = AccountFactory()
        for n in range(size):
            ContactFactory(account=account, email=f"c{size}-{n}@x.test" if n else "")
        campaign = services.campaign_create(actor=actor, survey=survey, audience={"account_ids": [account.pk]},
                                            name=f"Wave {size}")
        draft = queries(f"/surveys/campaigns/{campaign.pk}/")
        with django_capture_on_commit_callbacks(execute=True):
            services.campaign_send(actor=actor, campaign=campaign)
        counts[size] = (draft, queries(f"/surveys/campaigns/{campaign.pk}/"), queries(f"/surveys/{survey.pk}/"),
                        queries("/surveys/"))
    assert counts[2] == counts[7]
