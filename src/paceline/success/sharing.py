"""Read-only links that show one plan to the customer, without a login.

The raw token (256 random bits) is in the URL and shown once; only its SHA-256 is stored, so a
database leak does not leak working links. A link expires and can be revoked. Resolving never
says whether a plan exists: an unknown or tampered token is simply not found.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit
from paceline.success.models import ShareLink, SuccessPlan

MAX_DAYS = 365
DEFAULT_DAYS = 30


class LinkGone(Exception):
    """The link existed but expired or was revoked (HTTP 410)."""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def share_link_create(
    *, actor: Actor, plan: SuccessPlan, label: str = "", days: int = DEFAULT_DAYS
) -> tuple[ShareLink, str]:
    """A new link and its raw token (put it in the URL; it is not stored and not shown again)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"A link lasts between 1 and {MAX_DAYS} days."})
    raw = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        plan=plan, digest=_digest(raw), prefix=raw[:8], label=label.strip()[:200], created_by=actor.user,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=link,
                 after={"plan_id": plan.pk, "label": link.label, "prefix": link.prefix,
                        "expires_at": link.expires_at.isoformat()},
                 account_id=plan.account_id)
    event_emit(kind="success.plan_shared", account_id=plan.account_id, actor=actor, subject=link,
               payload={"plan_id": plan.pk, "label": link.label, "days": days})
    return link, raw


@transaction.atomic
def share_link_revoke(*, actor: Actor, link: ShareLink) -> ShareLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=link, before={"revoked_at": None},
                     after={"revoked_at": link.revoked_at.isoformat()}, account_id=link.plan.account_id)
    return link


def share_link_resolve(raw: str) -> ShareLink:
    """The usable link for a raw token; ShareLink.DoesNotExist or LinkGone otherwise.

    Counts the view. Never reveals anything about a plan for a token that does not match.
    """
    if not raw or len(raw) > 100:
        raise ShareLink.DoesNotExist
    link = ShareLink.objects.select_related("plan", "plan__account").get(digest=_digest(raw))
    if not link.is_usable:
        raise LinkGone
    ShareLink.objects.filter(pk=link.pk).update(view_count=F("view_count") + 1, last_viewed_at=timezone.now())
    return link
