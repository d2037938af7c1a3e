"""Campaigns: the audience and the message, the send, delivery, reminders, expiry, unsubscribing.

Sending is in two steps. ``campaign_send`` decides, in one transaction, who is invited and who is
skipped (with the reason) and records it; after commit, delivery claims each pending invitation
with a conditional update, makes its links and sends the e-mails over one connection. A second
send of the same campaign finds everyone already invited and sends nothing. An e-mail that the
mail server refused leaves its invitation pending (and its links deleted) for the next attempt.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit, snapshot
from paceline.surveys import emails
from paceline.surveys.models import (
    Campaign,
    CampaignStatus,
    Invitation,
    InvitationLink,
    InvitationStatus,
    LinkPurpose,
    Survey,
    Unsubscribe,
)
from paceline.surveys.services.audience import (
    AudiencePreview,
    Skip,
    audience_clean,
    sort_audience,
    unsubscribed_emails,
)
from paceline.surveys.services.links import digest, link_issue, link_resolve

logger = logging.getLogger(__name__)

CAMPAIGN_FIELDS = frozenset({"name", "audience", "subject", "message", "expires_days", "reminder_days"})
MAX_EXPIRES_DAYS = 90
MAX_MESSAGE = 5000
CHUNK = 200  # invitations claimed, then e-mailed, at a time
# Invitations whose link still works and whose survey is not answered yet.
OPEN = (InvitationStatus.SENT, InvitationStatus.OPENED, InvitationStatus.PARTIAL)
DEFAULT_SUBJECT = "A minute to tell us how we are doing?"
DEFAULT_MESSAGE = (
    "Hi {first_name},\n\n"
    "We would like to hear how things are going for {company}. It takes about a minute, and "
    "every answer is read by the team that works with you.\n\n"
    "Thank you!"
)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - CAMPAIGN_FIELDS)
    if unknown:
        raise ValidationError({name: "This field is unknown or cannot be set." for name in unknown})


def _shape(campaign: Campaign) -> None:
    errors: dict[str, str] = {}
    campaign.name = (campaign.name or "").strip()
    campaign.subject = (campaign.subject or "").strip()
    campaign.message = (campaign.message or "").strip()
    if not campaign.name:
        errors["name"] = "Give the campaign a name."
    if not campaign.subject:
        errors["subject"] = "Write the e-mail's subject."
    if not campaign.message:
        errors["message"] = "Write the e-mail's message."
    elif len(campaign.message) > MAX_MESSAGE:
        errors["message"] = f"Keep the message under {MAX_MESSAGE:,} characters."
    if not isinstance(campaign.expires_days, int) or not 1 <= campaign.expires_days <= MAX_EXPIRES_DAYS:
        errors["expires_days"] = f"A link lasts from 1 to {MAX_EXPIRES_DAYS} days."
    elif not isinstance(campaign.reminder_days, int) or not 0 <= campaign.reminder_days < campaign.expires_days:
        errors["reminder_days"] = "Remind before the link expires (0 for no reminder)."
    if errors:
        raise ValidationError(errors)
    campaign.audience = audience_clean(campaign.audience)


@transaction.atomic
def campaign_create(*, actor: Actor, survey: Survey, audience: dict, name: str = "", subject: str = DEFAULT_SUBJECT,
                    message: str = DEFAULT_MESSAGE, expires_days: int = 14, reminder_days: int = 5) -> Campaign:
    """A draft campaign: nothing is sent until ``campaign_send``."""
    if not survey.is_active:
        raise ValidationError({"survey": "This survey is inactive; activate it before sending it."})
    campaign = Campaign(
        survey=survey, audience=audience, name=name or f"{survey.name} · {timezone.localdate():%B %Y}",
        subject=subject, message=message, expires_days=expires_days, reminder_days=reminder_days,
        created_by=actor.user,
    )
    _shape(campaign)
    campaign.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=campaign, after=snapshot(campaign))
    return campaign


@transaction.atomic
def campaign_update(*, actor: Actor, campaign: Campaign, **fields: Any) -> Campaign:
    _check_fields(fields)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError({"campaign": "It was sent; its audience and message no longer change."})
    before = snapshot(campaign)
    for name, value in fields.items():
        setattr(campaign, name, value)
    _shape(campaign)
    campaign.save()
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=campaign, before=before,
                 after=snapshot(campaign))
    return campaign


def campaign_preview(*, campaign: Campaign, now: dt.datetime | None = None) -> AudiencePreview:
    """Who would receive the campaign if it were sent now, and who is skipped and why."""
    return sort_audience(campaign, now=now or timezone.now())


@dataclass(frozen=True)
class SendResult:
    invited: int
    skipped: int
    already: int
    retried: int = 0  # invited before, but their e-mail has not gone out yet: delivery tries again


def _check_sendable(campaign: Campaign) -> None:
    survey = campaign.survey
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError({"campaign": "This campaign is closed."})
    if not survey.is_active:
        raise ValidationError({"survey": "This survey is inactive; activate it before sending it."})
    if not survey.questions.exists():
        raise ValidationError({"survey": "This survey has no questions yet."})


@transaction.atomic
def campaign_send(*, actor: Actor, campaign: Campaign, now: dt.datetime | None = None) -> SendResult:
    """Invite the audience (those not skipped); the e-mails leave after commit."""
    now = now or timezone.now()
    # The lock makes two sends of one campaign queue up; the second then finds everyone invited.
    campaign = Campaign.objects.select_for_update().select_related("survey").get(pk=campaign.pk)
    _check_sendable(campaign)
    preview = sort_audience(campaign, now=now)
    existing = {inv.contact_id: inv for inv in campaign.invitations.all()}
    new: list[Invitation] = []
    changed: list[Invitation] = []
    for contact in preview.recipients:
        invitation = existing.get(contact.pk)
        if invitation is None:
            new.append(Invitation(campaign=campaign, contact=contact, account=contact.account,
                                  email=contact.email.strip(), status=InvitationStatus.PENDING))
        else:  # skipped last time, eligible now
            invitation.status, invitation.skipped_reason, invitation.email = (
                InvitationStatus.PENDING, "", contact.email.strip())
            changed.append(invitation)
    invited = len(new) + len(changed)
    already = 0
    for contact, reason in preview.skipped:
        if reason == Skip.ALREADY:
            already += 1
            continue
        invitation = existing.get(contact.pk)
        if invitation is None:
            new.append(Invitation(campaign=campaign, contact=contact, account=contact.account,
                                  email=(contact.email or "").strip(), status=InvitationStatus.SKIPPED,
                                  skipped_reason=reason))
        elif invitation.skipped_reason != reason:
            invitation.skipped_reason = reason
            changed.append(invitation)
    Invitation.objects.bulk_create(new, batch_size=500)
    Invitation.objects.bulk_update(changed, ["status", "skipped_reason", "email"], batch_size=500)
    if campaign.status == CampaignStatus.DRAFT:
        before = snapshot(campaign)
        campaign.status, campaign.sent_at = CampaignStatus.SENT, now
        campaign.save(update_fields=["status", "sent_at", "updated_at"])
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=campaign, before=before,
                     after=snapshot(campaign))
    pending = campaign.invitations.filter(status=InvitationStatus.PENDING).count()
    result = SendResult(invited=invited, skipped=len(preview.skipped) - already, already=already,
                        retried=pending - invited)
    if invited:
        event_emit(kind="survey.campaign_sent", account_id=None, actor=actor, subject=campaign, occurred_at=now,
                   payload={"survey_id": campaign.survey_id, "invited": result.invited, "skipped": result.skipped})
    if pending:
        transaction.on_commit(partial(_enqueue_delivery, campaign.pk))
    return result


def _enqueue_delivery(campaign_id: int) -> None:
    from paceline.surveys.tasks import deliver_campaign

    deliver_campaign.enqueue(campaign_id=campaign_id)


@dataclass(frozen=True)
class _Outgoing:
    invitation: Invitation
    respond: str
    unsubscribe: str


def _issue(invitation: Invitation) -> _Outgoing:
    return _Outgoing(invitation, link_issue(invitation=invitation, purpose=LinkPurpose.RESPOND),
                     link_issue(invitation=invitation, purpose=LinkPurpose.UNSUBSCRIBE))


def _dispatch(batch: list[_Outgoing], *, reminder: bool) -> None:
    """Send the batch (after commit); undo the claim of every e-mail the server did not take."""
    messages = []
    for item in batch:
        invitation, campaign = item.invitation, item.invitation.campaign
        respond_link, unsubscribe_link = emails.respond_url(item.respond), emails.unsubscribe_url(item.unsubscribe)
        rendered = emails.render_invitation(
            campaign=campaign, name=invitation.contact.name, company=invitation.account.name,
            respond_link=respond_link, unsubscribe_link=unsubscribe_link, expires_at=invitation.expires_at,
            reminder=reminder,
        )
        reply_to = getattr(campaign.created_by, "email", "") if campaign.created_by_id else ""
        messages.append((invitation.pk, emails.build_message(rendered, to=invitation.email,
                                                             unsubscribe_link=unsubscribe_link, reply_to=reply_to)))
    delivered = emails.send_all(messages)
    failed = [item for item in batch if item.invitation.pk not in delivered]
    if not failed:
        return
    ids = [item.invitation.pk for item in failed]
    with transaction.atomic():
        InvitationLink.objects.filter(digest__in=[digest(r) for i in failed for r in (i.respond, i.unsubscribe)]).delete()
        if reminder:
            Invitation.objects.filter(pk__in=ids).update(reminded_at=None)
        else:
            Invitation.objects.filter(pk__in=ids, status=InvitationStatus.SENT).update(
                status=InvitationStatus.PENDING, sent_at=None, expires_at=None, digest=None)
    logger.warning("Survey %s: %d of %d e-mails not delivered; they stay pending", "reminders" if reminder
                   else "invitations", len(failed), len(batch))


def _in_chunks(rows, claim, *, reminder: bool) -> int:
    """Walk ``rows`` (a queryset) by id, CHUNK at a time: each chunk is claimed in its own short
    transaction (SQLite's write lock is held briefly) and e-mailed once that commits. The id
    cursor means an e-mail refused in one chunk is not retried by a later one of the same run."""
    claimed, after = 0, 0
    while True:
        with transaction.atomic():
            chunk = list(rows.filter(pk__gt=after).order_by("pk")[:CHUNK])
            if not chunk:
                return claimed
            after = chunk[-1].pk
            batch = [item for item in (claim(invitation) for invitation in chunk) if item is not None]
            transaction.on_commit(partial(_dispatch, batch, reminder=reminder))
        claimed += len(batch)


def invitations_deliver(*, campaign_id: int, now: dt.datetime | None = None) -> int:
    """Claim and e-mail the campaign's pending invitations; returns how many were claimed."""
    now = now or timezone.now()
    unsubscribed = unsubscribed_emails()

    def claim(invitation: Invitation) -> _Outgoing | None:
        mine = Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING)
        if invitation.email.lower() in unsubscribed:
            mine.update(status=InvitationStatus.SKIPPED, skipped_reason=Skip.UNSUBSCRIBED)
            return None
        expires = now + dt.timedelta(days=invitation.campaign.expires_days)
        if not mine.update(status=InvitationStatus.SENT, sent_at=now, expires_at=expires):
            return None  # another worker took it
        invitation.status, invitation.sent_at, invitation.expires_at = InvitationStatus.SENT, now, expires
        item = _issue(invitation)
        Invitation.objects.filter(pk=invitation.pk).update(digest=digest(item.respond))
        return item

    pending = Invitation.objects.filter(campaign_id=campaign_id, status=InvitationStatus.PENDING).select_related(
        "contact", "account", "campaign", "campaign__survey", "campaign__created_by")
    return _in_chunks(pending, claim, reminder=False)


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """One reminder to each invitation still unanswered ``reminder_days`` after it was sent (once)."""
    now = now or timezone.now()
    unsubscribed = unsubscribed_emails()

    def claim(invitation: Invitation) -> _Outgoing | None:
        if invitation.email.lower() in unsubscribed:
            return None
        if not Invitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True).update(reminded_at=now):
            return None
        invitation.reminded_at = now
        return _issue(invitation)

    reminded = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.SENT, reminder_days__gt=0):
        due = campaign.invitations.filter(
            status__in=OPEN, reminded_at__isnull=True, expires_at__gt=now,
            sent_at__lte=now - dt.timedelta(days=campaign.reminder_days),
        ).select_related("contact", "account", "campaign", "campaign__survey", "campaign__created_by")
        reminded += _in_chunks(due, claim, reminder=True)
    return reminded


@transaction.atomic
def invitations_expire(*, now: dt.datetime | None = None) -> int:
    """Close the invitations whose link expired unanswered, telling the others: "survey.ignored"."""
    now = now or timezone.now()
    due = Invitation.objects.filter(status__in=OPEN, expires_at__lte=now).select_related("campaign__survey")
    count = 0
    for invitation in due:
        if not Invitation.objects.filter(pk=invitation.pk, status__in=OPEN).update(status=InvitationStatus.EXPIRED):
            continue
        count += 1
        survey = invitation.campaign.survey
        event_emit(kind="survey.ignored", account_id=invitation.account_id, subject=invitation,
                   occurred_at=invitation.expires_at,
                   payload={"survey_id": survey.pk, "survey_kind": survey.kind, "campaign_id": invitation.campaign_id,
                            "contact_id": invitation.contact_id, "started": invitation.status == InvitationStatus.PARTIAL})
    return count


def unsubscribe_check(*, token: str) -> Invitation:
    """The invitation an unsubscribe token belongs to (``InvitationLink.DoesNotExist`` if none)."""
    return link_resolve(token, purpose=LinkPurpose.UNSUBSCRIBE)


@transaction.atomic
def unsubscribe(*, token: str) -> Unsubscribe:
    """Never survey this e-mail address again. Works for as long as the link exists (no expiry)."""
    invitation = unsubscribe_check(token=token)
    email = (invitation.email or invitation.contact.email or "").strip().lower()
    entry, created = Unsubscribe.objects.get_or_create(email=email, defaults={"contact": invitation.contact})
    if created:
        event_emit(kind="survey.unsubscribed", account_id=invitation.account_id, subject=invitation.contact,
                   payload={"contact_id": invitation.contact_id, "campaign_id": invitation.campaign_id})
    return entry
