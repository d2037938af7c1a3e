"""Recording a response given elsewhere, idempotently: the same external id again updates it.

An in-app survey tool posts a response and may post it again when the person changes an answer;
a CSV export is imported, corrected and imported again. ``response_record`` writes a new response
and refuses a known external id, so this is the upsert both doors use: a new external id (or
none) is recorded by ``response_record``; a known one has its answers replaced by the given ones,
all checked first, or is left alone when nothing differs (no write, no audit entry).

An external id names one response of one survey at one account: a row that names it with another
survey or account is refused rather than moving the answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import SYSTEM, Actor, audit_record, snapshot
from paceline.customers.models import Account, Contact
from paceline.surveys.models import Answer, Response, ResponseSource, Survey
from paceline.surveys.readiness import readiness_on_submit
from paceline.surveys.sentiment import response_sentiment_set
from paceline.surveys.services import clean_answers, response_record
from paceline.surveys.services.answers import headline_and_comment, saved_values

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
RECORDED_SOURCES = (ResponseSource.IMPORT, ResponseSource.API, ResponseSource.MANUAL)
# The clock may differ a little between the caller and us.
FUTURE_SLACK = dt.timedelta(minutes=5)


def _moment(value: Any, now: dt.datetime) -> dt.datetime:
    """As ``response_record`` reads it: a day alone is its noon in the server's time zone."""
    if isinstance(value, dt.datetime):
        at = value if timezone.is_aware(value) else timezone.make_aware(value)
    elif isinstance(value, dt.date):
        # A day without a time is placed at noon; today's, recorded in the morning, at the moment.
        at = timezone.make_aware(dt.datetime.combine(value, dt.time(12)))
        if value == timezone.localdate(now):
            at = min(at, now)
    else:
        raise ValidationError({"submitted_at": "Give the date and time the answers were given."})
    if at > now + FUTURE_SLACK:
        raise ValidationError({"submitted_at": "This is in the future."})
    return at


def _refuse_move(existing: Response, *, survey: Survey, account: Account, source: str,
                 contact: Contact | None) -> None:
    errors: dict[str, str] = {}
    if source not in RECORDED_SOURCES:
        errors["source"] = f"Use one of {', '.join(RECORDED_SOURCES)}; e-mail responses come through their links."
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = "The contact must be at this account."
    if existing.survey_id != survey.pk:
        errors["external_id"] = (f"The response “{existing.external_id}” answers the survey “{existing.survey}”; "
                                 "an external id names one response of one survey.")
    elif existing.account_id != account.pk:
        errors["external_id"] = (f"The response “{existing.external_id}” is from the account “{existing.account}”; "
                                 "it is not moved to another account.")
    elif existing.invitation_id is not None:
        errors["external_id"] = "This response came through its e-mail link; it is not changed from outside."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def response_upsert(
    *, actor: Actor = SYSTEM, survey: Survey, account: Account, contact: Contact | None = None,
    answers: Mapping[str, Any], submitted_at: dt.datetime | dt.date, source: str = ResponseSource.IMPORT,
    external_id: str | None = None, now: dt.datetime | None = None,
) -> tuple[Response, str]:
    """The response and what happened to it: "created", "updated" or "unchanged".

    A known external id gets exactly the given answers (an answer left out is removed), checked
    like a new response's: every problem at once, keyed by question key or field, nothing written.
    """
    external_id = (external_id or "").strip() or None
    existing = None
    if external_id:
        existing = (Response.objects.select_for_update().select_related("survey", "account")
                    .filter(external_id=external_id).first())
    if existing is None:
        response = response_record(actor=actor, survey=survey, account=account, contact=contact, answers=answers,
                                   submitted_at=submitted_at, source=source, external_id=external_id, now=now)
        return response, CREATED
    _refuse_move(existing, survey=survey, account=account, source=source, contact=contact)
    at = _moment(submitted_at, now or timezone.now())
    questions = list(survey.questions.order_by("position", "id"))
    given = {key: value for key, value in clean_answers(questions, answers, complete=True).items() if value is not None}
    current = saved_values(existing.answers.select_related("question"))
    contact_id = contact.pk if contact is not None else None
    if (current, existing.submitted_at, existing.contact_id) == (given, at, contact_id):
        return existing, UNCHANGED

    before = snapshot(existing)
    by_key = {q.key: q for q in questions}
    Answer.objects.filter(response=existing).exclude(question__key__in=list(given)).delete()
    for key, value in given.items():
        Answer.objects.update_or_create(
            response=existing, question=by_key[key],
            defaults={"number": value.number, "text": value.text, "choices": list(value.choices)},
        )
    comment_before = existing.comment
    existing.score, existing.comment = headline_and_comment(survey, questions, given)
    if existing.comment != comment_before:
        response_sentiment_set(response=existing, save=False)
    existing.submitted_at, existing.contact, existing.source = at, contact, source
    existing.save(update_fields=["score", "comment", "sentiment", "submitted_at", "contact", "source"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=existing, before=before,
                 after=snapshot(existing), account_id=account.pk)
    # A readiness questionnaire is assessed again from its new answers (idempotent when equal).
    readiness_on_submit(actor=actor, response=existing)
    return existing, UPDATED
