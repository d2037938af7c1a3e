"""Who a campaign reaches: the audience's contacts, and who of them is skipped and why.

The same sorting serves the send wizard's preview and the send itself, so what the preview says
is what happens. A contact is skipped, with the first reason that applies, when already invited
in this campaign, gone from the company, without an e-mail, unsubscribed, surveyed within the
throttle interval (an invitation sent or a response recorded, in any campaign), or sharing an
e-mail with a recipient listed before them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from paceline.customers.models import (
    Account,
    Contact,
    ContactRole,
    ContactStatus,
    LifecycleStage,
    Segment,
)
from paceline.surveys.models import Campaign, Invitation, InvitationStatus, Response, Unsubscribe

AUDIENCE_KEYS = ("segments", "stages", "roles", "account_ids")
ALLOWED = {"segments": Segment, "stages": LifecycleStage, "roles": ContactRole}


class Skip:
    ALREADY = "Already invited in this campaign"
    LEFT = "Left the company"
    NO_EMAIL = "No e-mail address"
    UNSUBSCRIBED = "Unsubscribed from surveys"
    THROTTLED = "Surveyed in the last {days} days"
    DUPLICATE = "Same e-mail as another recipient"


def throttle_days() -> int:
    return settings.PACELINE_SURVEY_THROTTLE_DAYS


def audience_clean(audience: Any) -> dict[str, list]:
    """The audience as stored: known segments, stages, roles and existing account ids.

    At least one segment, stage or account must be chosen, so a campaign never reaches every
    customer by accident. Errors are keyed by the audience's part.
    """
    if not isinstance(audience, dict):
        raise ValidationError({"audience": "Give the audience as segments, stages, roles and account_ids."})
    errors: dict[str, str] = {}
    unknown = sorted(set(audience) - set(AUDIENCE_KEYS))
    if unknown:
        errors["audience"] = f"Unknown part(s) {', '.join(unknown)}; use {', '.join(AUDIENCE_KEYS)}."
    cleaned: dict[str, list] = {}
    for key, enum in ALLOWED.items():
        values = audience.get(key) or []
        if not isinstance(values, (list, tuple)):
            values = [values]
        bad = [str(v) for v in values if v not in enum.values]
        if bad:
            errors[key] = f"Unknown {key[:-1]}(s) {', '.join(bad)}; use {', '.join(enum.values)}."
        cleaned[key] = sorted(set(values) - set(bad), key=list(enum.values).index)
    ids = audience.get("account_ids") or []
    try:
        ids = sorted({int(i) for i in (ids if isinstance(ids, (list, tuple)) else [ids])})
    except (TypeError, ValueError):
        errors["account_ids"] = "Account ids are whole numbers."
        ids = []
    missing = sorted(set(ids) - set(Account.objects.filter(pk__in=ids).values_list("pk", flat=True)))
    if missing:
        errors["account_ids"] = f"No account with id {', '.join(map(str, missing))}."
    cleaned["account_ids"] = ids
    if not errors and not (cleaned["segments"] or cleaned["stages"] or cleaned["account_ids"]):
        errors["audience"] = "Choose at least one segment, lifecycle stage or account."
    if errors:
        raise ValidationError(errors)
    return cleaned


def audience_accounts(audience: dict) -> QuerySet[Account]:
    """Accounts of the chosen segments and stages (churned ones only when that stage is chosen),
    plus the accounts named one by one."""
    chosen = Q(pk__in=audience.get("account_ids") or [])
    if audience.get("segments") or audience.get("stages"):
        matching = Q()
        if audience.get("segments"):
            matching &= Q(segment__in=audience["segments"])
        if audience.get("stages"):
            matching &= Q(lifecycle_stage__in=audience["stages"])
        else:
            matching &= ~Q(lifecycle_stage=LifecycleStage.CHURNED)
        chosen |= matching
    return Account.objects.filter(chosen)


def audience_contacts(audience: dict) -> list[Contact]:
    """The contacts of the audience's accounts with one of its roles (any role when none is chosen)."""
    contacts = (
        Contact.objects.filter(account__in=audience_accounts(audience))
        .select_related("account")
        .order_by("account__name", "account_id", "name", "id")
    )
    roles = set(audience.get("roles") or [])
    # Roles are a JSON list; matching in Python keeps SQLite and PostgreSQL the same.
    return [c for c in contacts if not roles or roles & set(c.roles or [])]


@dataclass
class AudiencePreview:
    recipients: list[Contact] = field(default_factory=list)
    skipped: list[tuple[Contact, str]] = field(default_factory=list)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        return Counter(reason for _, reason in self.skipped).most_common()

    @property
    def total(self) -> int:
        return len(self.recipients) + len(self.skipped)


def unsubscribed_emails() -> set[str]:
    return {email.lower() for email in Unsubscribe.objects.values_list("email", flat=True)}


def recently_surveyed(contacts: QuerySet[Contact], *, campaign: Campaign | None, now: dt.datetime) -> set[int]:
    days = throttle_days()
    if days <= 0:
        return set()
    since = now - dt.timedelta(days=days)
    invited = Invitation.objects.filter(contact__in=contacts, sent_at__gte=since)
    if campaign is not None and campaign.pk:
        invited = invited.exclude(campaign=campaign)
    answered = Response.objects.filter(contact__in=contacts, submitted_at__gte=since)
    return set(invited.values_list("contact_id", flat=True)) | set(answered.values_list("contact_id", flat=True))


def sort_audience(campaign: Campaign, *, now: dt.datetime) -> AudiencePreview:
    """Recipients and skipped contacts (with reasons) of the campaign's audience, right now."""
    contacts = audience_contacts(campaign.audience)
    scope = Contact.objects.filter(account__in=audience_accounts(campaign.audience))
    invited = {}
    if campaign.pk:
        invited = dict(campaign.invitations.exclude(status=InvitationStatus.SKIPPED).values_list("contact_id", "status"))
    unsubscribed = unsubscribed_emails()
    throttled = recently_surveyed(scope, campaign=campaign, now=now)
    throttle_reason = Skip.THROTTLED.format(days=throttle_days())
    preview = AudiencePreview()
    seen: set[str] = set()
    for contact in contacts:
        email = (contact.email or "").strip().lower()
        if contact.pk in invited:
            reason = Skip.ALREADY
        elif contact.status == ContactStatus.LEFT:
            reason = Skip.LEFT
        elif not email:
            reason = Skip.NO_EMAIL
        elif email in unsubscribed:
            reason = Skip.UNSUBSCRIBED
        elif contact.pk in throttled:
            reason = throttle_reason
        elif email in seen:
            reason = Skip.DUPLICATE
        else:
            reason = ""
        if reason == Skip.ALREADY and email:
            seen.add(email)
        if reason:
            preview.skipped.append((contact, reason))
        else:
            seen.add(email)
            preview.recipients.append(contact)
    return preview
