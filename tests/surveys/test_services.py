"""Survey services: the builder's rules, the audience and its skip reasons, recorded responses,
expiry and reminders. (E-mail over SMTP: test_sending.py; the respondent's page: test_respond.py.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from paceline.core.models import ActivityEvent
from paceline.core.services import Actor
from paceline.customers.models import ContactStatus, LifecycleStage, Segment
from paceline.surveys import services
from paceline.surveys.defaults import DEFAULT_SURVEYS
from paceline.surveys.models import (
    Answer,
    Campaign,
    Invitation,
    InvitationStatus,
    QuestionKind,
    Response,
    Survey,
    SurveyKind,
    Unsubscribe,
)
from tests.factories import AccountFactory, ContactFactory

LINK = re.compile(r"/r/([A-Za-z0-9_-]{40,})/")
UNSUBSCRIBE_LINK = re.compile(r"/unsubscribe/([A-Za-z0-9_-]{40,})/")


# Helpers other survey tests import --------------------------------------------------------------


def default_survey(name: str = "Relationship NPS") -> Survey:
    """A default survey (installed by migration; a transactional test may have emptied the table)."""
    survey = Survey.objects.filter(name=name).first()
    if survey is None:
        spec = next(s for s in DEFAULT_SURVEYS if s["name"] == name)
        survey = services.survey_create(actor=Actor(via="system"), name=name, kind=spec["kind"], intro=spec["intro"])
    return survey


def campaign_for(actor, survey, accounts, **fields) -> Campaign:
    return services.campaign_create(actor=actor, survey=survey, audience={"account_ids": [a.pk for a in accounts]},
                                    **fields)


def send(actor, campaign, capture, **kwargs):
    """Send and run what waits for the commit (delivery), as a real request would."""
    with capture(execute=True):
        return services.campaign_send(actor=actor, campaign=campaign, **kwargs)


def tokens_by_recipient(messages) -> dict[str, str]:
    """Each recipient's respond token, read from the e-mails' plain text."""
    return {message.to[0]: LINK.search(message.body).group(1) for message in messages}


def events(kind: str) -> list[ActivityEvent]:
    return list(ActivityEvent.objects.filter(kind=kind).order_by("id"))


@pytest.fixture
def nps_survey(db):
    return default_survey()


@pytest.fixture
def leader_actor(leader):
    return Actor(user=leader, via="web")


# The builder ----------------------------------------------------------------------------------


def test_the_default_surveys_are_installed_with_their_questions(db):
    nps = Survey.objects.get(name="Relationship NPS")
    assert [(q.key, q.kind, q.required) for q in nps.questions.all()] == [
        ("nps", QuestionKind.NPS, True), ("reason", QuestionKind.TEXT, False)]
    assert nps.questions.get(key="reason").prompt == "What is the main reason for your score?"
    assert Survey.objects.get(name="Support CSAT").questions.first().kind == QuestionKind.CSAT
    assert Survey.objects.get(name="Customer effort").questions.first().kind == QuestionKind.CES


@pytest.mark.parametrize("kind, first", [("nps", "nps"), ("csat", "csat"), ("ces", "ces")])
def test_a_rated_survey_starts_with_its_headline_question_and_a_why(actor, kind, first):
    survey = services.survey_create(actor=actor, name=f"Pulse {kind}", kind=kind)
    assert [q.key for q in survey.questions.all()] == [first, "reason" if kind == "nps" else "comment"]


def test_a_custom_questionnaire_starts_empty_and_names_must_differ(actor):
    survey = services.survey_create(actor=actor, name="Onboarding check", kind=SurveyKind.CUSTOM)
    assert survey.questions.count() == 0
    with pytest.raises(ValidationError) as error:
        services.survey_create(actor=actor, name="onboarding CHECK", kind=SurveyKind.CUSTOM)
    assert "name" in error.value.message_dict


def test_only_a_leader_may_shape_the_readiness_questionnaire(actor, leader_actor):
    with pytest.raises(PermissionDenied):
        services.survey_create(actor=actor, name="Readiness", kind=SurveyKind.READINESS)
    survey = services.survey_create(actor=leader_actor, name="Readiness", kind=SurveyKind.READINESS)
    services.question_add(actor=leader_actor, survey=survey, kind=QuestionKind.SINGLE, prompt="A defined program?",
                          choices=["Yes", "No"], scoring={"Yes": 10, "No": 0})
    with pytest.raises(PermissionDenied):
        services.question_add(actor=actor, survey=survey, kind=QuestionKind.TEXT, prompt="What blocks you?")
    with pytest.raises(ValidationError) as error:
        services.question_add(actor=leader_actor, survey=survey, kind=QuestionKind.SINGLE, prompt="Method?",
                              choices=["Yes", "No"], scoring={"Maybe": 5})
    assert "scoring" in error.value.message_dict


def test_questions_get_stable_unique_keys_and_a_clear_error_for_a_taken_one(actor):
    survey = services.survey_create(actor=actor, name="Custom", kind=SurveyKind.CUSTOM)
    first = services.question_add(actor=actor, survey=survey, kind=QuestionKind.TEXT, prompt="What went well?")
    second = services.question_add(actor=actor, survey=survey, kind=QuestionKind.TEXT, prompt="What went well?")
    assert (first.key, second.key) == ("what_went_well", "what_went_well_2")
    assert (first.position, second.position) == (1, 2)
    with pytest.raises(ValidationError) as error:
        services.question_add(actor=actor, survey=survey, kind=QuestionKind.TEXT, prompt="Other", key="what_went_well")
    assert "key" in error.value.message_dict


@pytest.mark.parametrize("fields, field", [
    ({"kind": QuestionKind.SINGLE, "choices": ["Only one"]}, "choices"),
    ({"kind": QuestionKind.MULTI, "choices": ["A", "a"]}, "choices"),
    ({"kind": QuestionKind.SCALE, "scale_min": 5, "scale_max": 1}, "scale_max"),
    ({"kind": QuestionKind.SCALE, "scale_min": 0, "scale_max": 50}, "scale_max"),
    ({"kind": "stars"}, "kind"),
    ({"kind": QuestionKind.NPS}, "kind"),  # an NPS survey has exactly one NPS question
])
def test_a_question_that_cannot_be_answered_sensibly_is_refused(actor, nps_survey, fields, field):
    before = nps_survey.questions.count()
    with pytest.raises(ValidationError) as error:
        services.question_add(actor=actor, survey=nps_survey, prompt="Q", **fields)
    assert field in error.value.message_dict
    assert nps_survey.questions.count() == before


def test_an_answered_question_keeps_its_meaning(actor, nps_survey, account):
    question = services.question_add(actor=actor, survey=nps_survey, kind=QuestionKind.SINGLE, prompt="Used for?",
                                     choices=["Reporting", "Planning"])
    services.response_record(actor=actor, survey=nps_survey, account=account, submitted_at=timezone.now(),
                             answers={"nps": 9, question.key: "Planning"})
    for fields, field in (({"kind": QuestionKind.MULTI}, "kind"), ({"choices": ["Reporting", "Budgets"]}, "choices"),
                          ({"key": "purpose"}, "key")):
        with pytest.raises(ValidationError) as error:
            services.question_update(actor=actor, question=question, **fields)
        assert field in error.value.message_dict
    updated = services.question_update(actor=actor, question=question, prompt="What do you use it for?",
                                       choices=["Reporting", "Planning", "Budgets"])
    assert updated.choices == ["Reporting", "Planning", "Budgets"]
    with pytest.raises(ValidationError) as error:
        services.question_remove(actor=actor, question=question)
    assert "1 answer" in str(error.value)


def test_removing_and_reordering_questions(actor):
    survey = services.survey_create(actor=actor, name="Pulse", kind=SurveyKind.NPS)
    extra = services.question_add(actor=actor, survey=survey, kind=QuestionKind.TEXT, prompt="Anything else?")
    headline = survey.questions.get(key="nps")
    with pytest.raises(ValidationError):
        services.question_remove(actor=actor, question=headline)
    services.question_move(actor=actor, question=extra, offset=-1)
    assert [q.key for q in survey.questions.all()] == ["nps", "anything_else", "reason"]
    with pytest.raises(ValidationError) as error:
        services.question_reorder(actor=actor, survey=survey, order=[headline.pk])
    assert "order" in error.value.message_dict
    services.question_remove(actor=actor, question=survey.questions.get(key="reason"))
    assert [(q.key, q.position) for q in survey.questions.all()] == [("nps", 1), ("anything_else", 2)]


# The audience --------------------------------------------------------------------------------


@pytest.mark.parametrize("audience, field", [
    ({"segments": ["galactic"]}, "segments"),
    ({"stages": ["teenage"]}, "stages"),
    ({"segments": ["smb"], "roles": ["janitor"]}, "roles"),
    ({"account_ids": [999999]}, "account_ids"),
    ({"roles": ["champion"]}, "audience"),
    ({"everyone": True}, "audience"),
])
def test_an_audience_that_names_something_unknown_is_refused_by_name(actor, nps_survey, audience, field):
    with pytest.raises(ValidationError) as error:
        services.campaign_create(actor=actor, survey=nps_survey, audience=audience)
    assert field in error.value.message_dict
    assert not Campaign.objects.exists()


def test_the_audience_is_chosen_by_segment_stage_role_and_account(actor, nps_survey):
    smb = AccountFactory(segment=Segment.SMB, lifecycle_stage=LifecycleStage.ADOPTION)
    churned = AccountFactory(segment=Segment.SMB, lifecycle_stage=LifecycleStage.CHURNED)
    enterprise = AccountFactory(segment=Segment.ENTERPRISE)
    champion = ContactFactory(account=smb, roles=["champion"])
    ContactFactory(account=smb, roles=["end_user"])
    ContactFactory(account=churned, roles=["champion"])
    sponsor = ContactFactory(account=enterprise, roles=["executive_sponsor"])
    audience = services.audience_clean({"segments": ["smb"], "roles": ["champion"], "account_ids": [enterprise.pk]})
    assert services.audience_contacts(audience) == [champion]
    audience = services.audience_clean({"segments": ["smb"], "account_ids": [enterprise.pk],
                                        "roles": ["champion", "executive_sponsor"]})
    assert set(services.audience_contacts(audience)) == {champion, sponsor}
    audience = services.audience_clean({"stages": ["churned"]})
    assert [c.account for c in services.audience_contacts(audience)] == [churned]


def test_the_preview_says_who_is_skipped_and_why(actor, nps_survey, account):
    ok = ContactFactory(account=account, name="Ann Able", email="ann@acme.test")
    ContactFactory(account=account, name="Bob Blank", email="")
    ContactFactory(account=account, name="Cy Gone", status=ContactStatus.LEFT, left_on=dt.date(2024, 1, 1))
    ContactFactory(account=account, name="Di Done", email="di@acme.test")
    Unsubscribe.objects.create(email="di@acme.test")
    ContactFactory(account=account, name="Ed Echo", email="ANN@acme.test")
    recent = ContactFactory(account=account, name="Flo Recent", email="flo@acme.test")
    Response.objects.create(survey=nps_survey, account=account, contact=recent, source="import",
                            submitted_at=timezone.now() - dt.timedelta(days=10), score=8)
    campaign = campaign_for(actor, nps_survey, [account])
    preview = services.campaign_preview(campaign=campaign)
    assert preview.recipients == [ok]
    assert {c.name: reason for c, reason in preview.skipped} == {
        "Bob Blank": "No e-mail address",
        "Cy Gone": "Left the company",
        "Di Done": "Unsubscribed from surveys",
        "Ed Echo": "Same e-mail as another recipient",
        "Flo Recent": "Surveyed in the last 90 days",
    }
    with override_settings(PACELINE_SURVEY_THROTTLE_DAYS=5):
        assert recent in services.campaign_preview(campaign=campaign).recipients


def test_a_campaign_sent_twice_sends_nothing_the_second_time(actor, nps_survey, account,
                                                             django_capture_on_commit_callbacks):
    ContactFactory(account=account, email="ann@acme.test")
    ContactFactory(account=account, email="")
    campaign = campaign_for(actor, nps_survey, [account])
    first = send(actor, campaign, django_capture_on_commit_callbacks)
    assert (first.invited, first.skipped, first.already) == (1, 1, 0)
    assert len(mail.outbox) == 1
    second = send(actor, campaign, django_capture_on_commit_callbacks)
    assert (second.invited, second.already) == (0, 1)
    assert len(mail.outbox) == 1
    assert Invitation.objects.filter(campaign=campaign).count() == 2
    campaign.refresh_from_db()
    assert campaign.status == "sent"
    with pytest.raises(ValidationError):
        services.campaign_update(actor=actor, campaign=campaign, subject="Changed")


def test_a_large_audience_is_claimed_and_mailed_a_chunk_at_a_time(actor, nps_survey, account, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    monkeypatch.setattr("paceline.surveys.services.campaigns.CHUNK", 2)
    for n in range(5):
        ContactFactory(account=account, email=f"p{n}@acme.test")
    result = send(actor, campaign_for(actor, nps_survey, [account]), django_capture_on_commit_callbacks)
    assert result.invited == 5
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@acme.test" for n in range(5)]
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.SENT}


def test_an_inactive_or_empty_survey_is_not_sent(actor, account, django_capture_on_commit_callbacks):
    survey = services.survey_create(actor=actor, name="Empty", kind=SurveyKind.CUSTOM)
    campaign = campaign_for(actor, survey, [account])
    with pytest.raises(ValidationError) as error:
        send(actor, campaign, django_capture_on_commit_callbacks)
    assert "survey" in error.value.message_dict
    services.survey_update(actor=actor, survey=survey, is_active=False)
    with pytest.raises(ValidationError):
        campaign_for(actor, survey, [account])


# Recorded responses (imports and the API) --------------------------------------------------------


def test_a_recorded_response_keeps_score_and_comment_and_tells_the_others(actor, nps_survey, account):
    contact = ContactFactory(account=account)
    when = timezone.now() - dt.timedelta(days=40)
    response = services.response_record(
        actor=actor, survey=nps_survey, account=account, contact=contact, submitted_at=when, source="api",
        answers={"nps": "10", "reason": "  The team answers fast.  "}, external_id="intercom-1",
    )
    assert (response.score, response.comment, response.source, response.submitted_at) == (
        10, "The team answers fast.", "api", when)
    [event] = events("survey.responded")
    assert event.account_id == account.pk and event.occurred_at == when
    assert event.payload["score"] == 10 and event.payload["band"] == "promoter"
    assert event.payload["contact_id"] == contact.pk
    with pytest.raises(ValidationError) as error:
        services.response_record(actor=actor, survey=nps_survey, account=account, submitted_at=when,
                                 answers={"nps": 3}, external_id="intercom-1")
    assert error.value.error_dict["external_id"][0].code == "duplicate"


@pytest.mark.parametrize("answers, key, words", [
    ({"nps": 11}, "nps", "from 0 to 10"),
    ({"nps": "nine"}, "nps", "from 0 to 10"),
    ({"nps": 7.5}, "nps", "whole number"),
    ({"reason": "no score"}, "nps", "needs an answer"),
    ({"nps": 8, "mood": "happy"}, "mood", "no question with the key"),
    ({"nps": 8, "reason": "x" * 5001}, "reason", "under 5,000"),
])
def test_a_bad_recorded_response_is_refused_whole_naming_the_question(actor, nps_survey, account, answers, key, words):
    with pytest.raises(ValidationError) as error:
        services.response_record(actor=actor, survey=nps_survey, account=account, answers=answers,
                                 submitted_at=timezone.now())
    assert words in " ".join(error.value.message_dict[key])
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert not events("survey.responded")


def test_choice_answers_must_be_among_the_questions_choices(actor, account):
    survey = services.survey_create(actor=actor, name="Usage", kind=SurveyKind.CUSTOM)
    services.question_add(actor=actor, survey=survey, kind=QuestionKind.MULTI, prompt="Teams?", key="teams",
                          choices=["Sales", "Support", "Finance"], required=True)
    services.question_add(actor=actor, survey=survey, kind=QuestionKind.SINGLE, prompt="Plan?", key="plan",
                          choices=["Yes", "No"])
    with pytest.raises(ValidationError) as error:
        services.response_record(actor=actor, survey=survey, account=account, submitted_at=timezone.now(),
                                 answers={"teams": ["Sales", "Legal"], "plan": ["Yes", "No"]})
    assert "Legal" in error.value.message_dict["teams"][0]
    assert "only one" in error.value.message_dict["plan"][0]
    response = services.response_record(actor=actor, survey=survey, account=account, submitted_at=timezone.now(),
                                        answers={"teams": ["finance", "Sales"], "plan": "no"})
    assert {a.question.key: a.choices for a in response.answers.all()} == {"teams": ["Sales", "Finance"],
                                                                           "plan": ["No"]}
    assert response.score is None


def test_a_recorded_response_names_the_wrong_field(actor, nps_survey, account):
    stranger = ContactFactory()
    for fields, field in (({"contact": stranger}, "contact"), ({"source": "email"}, "source"),
                          ({"submitted_at": timezone.now() + dt.timedelta(days=2)}, "submitted_at"),
                          ({"submitted_at": "yesterday"}, "submitted_at")):
        kwargs = {"submitted_at": timezone.now(), **fields}
        with pytest.raises(ValidationError) as error:
            services.response_record(actor=actor, survey=nps_survey, account=account, answers={"nps": 5}, **kwargs)
        assert field in error.value.message_dict
    assert not Response.objects.exists()


@pytest.mark.parametrize("kind, score, expected", [
    ("nps", 6, "detractor"), ("nps", 7, "passive"), ("csat", 4, "satisfied"), ("csat", 2, "dissatisfied"),
    ("ces", 6, "easy"), ("ces", 2, "hard"), ("custom", 3, ""),
])
def test_the_band_of_a_score(kind, score, expected):
    assert services.band(kind, score) == expected


# Expiry and reminders ------------------------------------------------------------------------------


def test_an_invitation_that_expires_unanswered_is_ignored_once(actor, nps_survey, account,
                                                              django_capture_on_commit_callbacks):
    contact = ContactFactory(account=account)
    answered = ContactFactory(account=account)
    campaign = campaign_for(actor, nps_survey, [account], expires_days=7)
    send(actor, campaign, django_capture_on_commit_callbacks)
    tokens = tokens_by_recipient(mail.outbox)
    services.response_submit(invitation=services.invitation_open(token=tokens[answered.email]), answers={"nps": 9})
    later = timezone.now() + dt.timedelta(days=8)
    assert services.invitations_expire(now=timezone.now()) == 0
    assert services.invitations_expire(now=later) == 1
    assert services.invitations_expire(now=later) == 0
    [event] = events("survey.ignored")
    assert event.payload["contact_id"] == contact.pk and event.account_id == account.pk
    assert event.payload["started"] is False
    assert Invitation.objects.get(contact=contact).status == InvitationStatus.EXPIRED
    assert Invitation.objects.get(contact=answered).status == InvitationStatus.COMPLETED


def test_one_reminder_goes_to_those_who_have_not_answered(actor, nps_survey, account,
                                                         django_capture_on_commit_callbacks):
    waiting = ContactFactory(account=account, email="wait@acme.test")
    done = ContactFactory(account=account, email="done@acme.test")
    leaving = ContactFactory(account=account, email="leave@acme.test")
    campaign = campaign_for(actor, nps_survey, [account], reminder_days=5, expires_days=14)
    send(actor, campaign, django_capture_on_commit_callbacks)
    tokens = tokens_by_recipient(mail.outbox)
    services.response_submit(invitation=services.invitation_open(token=tokens[done.email]), answers={"nps": 7})
    Unsubscribe.objects.create(email=leaving.email)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(now=timezone.now() + dt.timedelta(days=4)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(now=timezone.now() + dt.timedelta(days=6)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(now=timezone.now() + dt.timedelta(days=7)) == 0
    [reminder] = mail.outbox
    assert reminder.to == [waiting.email] and reminder.subject.startswith("Reminder: ")
    fresh = LINK.search(reminder.body).group(1)
    assert fresh != tokens[waiting.email]
    # Both the first link and the reminder's open the same invitation.
    assert services.invitation_open(token=fresh).pk == services.invitation_open(token=tokens[waiting.email]).pk


def test_the_daily_jobs_are_declared_and_run_the_services(actor, nps_survey, account,
                                                         django_capture_on_commit_callbacks):
    from paceline.core import schedule
    from paceline.surveys import tasks

    assert schedule.get_job("surveys.expire_invitations").task is tasks.expire_invitations
    assert schedule.get_job("surveys.send_reminders").task is tasks.send_reminders
    ContactFactory(account=account)
    campaign = campaign_for(actor, nps_survey, [account], expires_days=2, reminder_days=1)
    send(actor, campaign, django_capture_on_commit_callbacks)
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=1, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders.call() == {"reminded": 1}
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert tasks.expire_invitations.call() == {"expired": 1}
    assert len(mail.outbox) == 2
