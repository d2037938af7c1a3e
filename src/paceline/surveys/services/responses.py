"""Responses: from a respondent's link (saved as they go, then submitted once) or recorded whole
from an import or the API.

Submitting checks every answer and the required questions before writing anything, copies the
headline answer into ``Response.score`` and the first free-text answer into ``Response.comment``,
scores the comment's sentiment, tells the other capabilities with a "survey.responded" event
(score and band), and has a readiness response assessed at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit, snapshot
from paceline.customers.models import Account, Contact
from paceline.surveys.models import (
    Answer,
    CampaignStatus,
    Invitation,
    InvitationStatus,
    LinkPurpose,
    Question,
    Response,
    ResponseSource,
    Survey,
)
from paceline.surveys.readiness import readiness_on_submit
from paceline.surveys.sentiment import response_sentiment_set
from paceline.surveys.services.answers import (
    Value,
    band,
    clean_answers,
    headline_and_comment,
    saved_values,
)
from paceline.surveys.services.links import LinkGone, LinkUsed, link_resolve

RECORDED_SOURCES = (ResponseSource.IMPORT, ResponseSource.API, ResponseSource.MANUAL)
# Who submits through a personal link: the customer, who has no user here.
RESPONDENT = Actor(user=None, via="link")


def _check_usable(invitation: Invitation, now: dt.datetime) -> None:
    if invitation.status == InvitationStatus.COMPLETED:
        raise LinkUsed
    if (
        invitation.status not in (InvitationStatus.SENT, InvitationStatus.OPENED, InvitationStatus.PARTIAL)
        or invitation.expires_at is None
        or invitation.expires_at <= now
        or invitation.campaign.status == CampaignStatus.CLOSED
    ):
        raise LinkGone


def invitation_open(*, token: str, now: dt.datetime | None = None) -> Invitation:
    """The invitation behind a respondent's link, marked opened.

    Raises ``InvitationLink.DoesNotExist`` (unknown or tampered), ``LinkUsed`` (answered) or
    ``LinkGone`` (expired, or its campaign closed).
    """
    now = now or timezone.now()
    invitation = link_resolve(token, purpose=LinkPurpose.RESPOND)
    _check_usable(invitation, now)
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)
        invitation.opened_at = now
    if invitation.status == InvitationStatus.SENT:
        Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.SENT).update(status=InvitationStatus.OPENED)
        invitation.status = InvitationStatus.OPENED
    return invitation


def _locked(invitation: Invitation, now: dt.datetime) -> Invitation:
    """The invitation re-read under a row lock, so two submits of one link cannot both pass."""
    locked = Invitation.objects.select_for_update().select_related("campaign", "campaign__survey", "contact").get(
        pk=invitation.pk)
    _check_usable(locked, now)
    return locked


def _questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position", "id"))


def _write(response: Response, questions: list[Question], cleaned: Mapping[str, Value | None]) -> None:
    by_key = {q.key: q for q in questions}
    existing = {a.question_id: a for a in response.answers.all()}
    cleared = [by_key[k].pk for k, v in cleaned.items() if v is None and by_key[k].pk in existing]
    if cleared:
        Answer.objects.filter(response=response, question_id__in=cleared).delete()
    for key, value in cleaned.items():
        if value is None:
            continue
        question = by_key[key]
        answer = existing.get(question.pk) or Answer(response=response, question=question)
        answer.number, answer.text, answer.choices = value.number, value.text, list(value.choices)
        answer.save()


def _finish(response: Response, survey: Survey, questions: list[Question], *, at: dt.datetime,
            actor: Actor, campaign_id: int | None = None) -> Response:
    """Close a response: score, comment and its sentiment, the event, then the readiness assessment."""
    values = saved_values(Answer.objects.filter(response=response).select_related("question"))
    response.score, response.comment = headline_and_comment(survey, questions, values)
    response.submitted_at = at
    response_sentiment_set(response=response, save=False)
    response.save(update_fields=["score", "comment", "sentiment", "submitted_at"])
    event_emit(
        kind="survey.responded", account_id=response.account_id, actor=actor, subject=response, occurred_at=at,
        payload={"survey_id": survey.pk, "survey_kind": survey.kind, "contact_id": response.contact_id,
                 "campaign_id": campaign_id, "source": response.source, "score": response.score,
                 "band": band(survey.kind, response.score), "sentiment": response.sentiment},
    )
    readiness_on_submit(actor=actor, response=response)
    return response


def _response_for(invitation: Invitation, now: dt.datetime) -> Response:
    try:
        return invitation.response
    except Response.DoesNotExist:
        return Response.objects.create(
            survey=invitation.campaign.survey, invitation=invitation, account_id=invitation.account_id,
            contact=invitation.contact, source=ResponseSource.EMAIL, started_at=now,
        )


@transaction.atomic
def response_save(*, invitation: Invitation, answers: Mapping[str, Any], now: dt.datetime | None = None) -> Response:
    """Keep the answers given so far (an empty value clears one); the same link resumes later.

    Only the keys given change. Bad values are refused, keyed by question, and nothing is saved.
    """
    now = now or timezone.now()
    invitation = _locked(invitation, now)
    questions = _questions(invitation.campaign.survey)
    cleaned = clean_answers(questions, answers, complete=False)
    response = _response_for(invitation, now)
    _write(response, questions, cleaned)
    if invitation.status != InvitationStatus.PARTIAL:
        Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.PARTIAL)
        invitation.status = InvitationStatus.PARTIAL
    return response


@transaction.atomic
def response_submit(*, invitation: Invitation, answers: Mapping[str, Any], now: dt.datetime | None = None) -> Response:
    """Check and store the final answers (merged over any saved ones) and close the link for good."""
    now = now or timezone.now()
    invitation = _locked(invitation, now)
    survey = invitation.campaign.survey
    questions = _questions(survey)
    existing = Response.objects.filter(invitation=invitation).first()
    saved = saved_values(existing.answers.select_related("question")) if existing else {}
    cleaned = clean_answers(questions, answers, saved=saved, complete=True)
    response = existing or _response_for(invitation, now)
    _write(response, questions, cleaned)
    Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.COMPLETED, completed_at=now)
    invitation.status, invitation.completed_at = InvitationStatus.COMPLETED, now
    return _finish(response, survey, questions, at=now, actor=RESPONDENT, campaign_id=invitation.campaign_id)


def _when(submitted_at: Any, now: dt.datetime) -> dt.datetime:
    if isinstance(submitted_at, dt.datetime):
        at = submitted_at if timezone.is_aware(submitted_at) else timezone.make_aware(submitted_at)
    elif isinstance(submitted_at, dt.date):
        # A day without a time is placed at noon; today's, recorded in the morning, at the moment.
        at = timezone.make_aware(dt.datetime.combine(submitted_at, dt.time(12)))
        if submitted_at == timezone.localdate(now):
            at = min(at, now)
    else:
        raise ValidationError({"submitted_at": "Give the date and time the answers were given."})
    if at > now + dt.timedelta(minutes=5):
        raise ValidationError({"submitted_at": "This is in the future."})
    return at


@transaction.atomic
def response_record(
    *, actor: Actor, survey: Survey, account: Account, contact: Contact | None = None,
    answers: Mapping[str, Any], submitted_at: dt.datetime | dt.date, source: str = ResponseSource.IMPORT,
    external_id: str | None = None, now: dt.datetime | None = None,
) -> Response:
    """A complete response given elsewhere (CSV import, the API, typed in by hand): all or nothing.

    Errors name the question key (or the field: source, contact, submitted_at, external_id). An
    external id already recorded is refused with the code "duplicate", so a re-run can skip it.
    """
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if source not in RECORDED_SOURCES:
        errors["source"] = f"Use one of {', '.join(RECORDED_SOURCES)}; e-mail responses come through their links."
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = "The contact must be at this account."
    if errors:
        raise ValidationError(errors)
    external_id = (external_id or "").strip() or None
    if external_id and Response.objects.filter(external_id=external_id).exists():
        raise ValidationError({"external_id": ValidationError(
            f"A response with the external id “{external_id}” is already recorded.", code="duplicate")})
    at = _when(submitted_at, now)
    questions = _questions(survey)
    cleaned = clean_answers(questions, answers, complete=True)
    response = Response.objects.create(survey=survey, account=account, contact=contact, source=source,
                                       external_id=external_id, started_at=at)
    _write(response, questions, cleaned)
    _finish(response, survey, questions, at=at, actor=actor)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=response, after=snapshot(response),
                 account_id=account.pk)
    return response
