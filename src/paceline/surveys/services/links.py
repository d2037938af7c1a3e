"""The tokens in survey e-mails: 256 random bits in the URL, only their SHA-256 in the database.

A database leak therefore leaks no working link. Resolving never says whether anything exists
behind a token: an unknown, tampered or wrong-purpose token is simply not found.
"""

from __future__ import annotations

import hashlib
import secrets

from paceline.surveys.models import Invitation, InvitationLink

MAX_TOKEN_LENGTH = 100


class LinkGone(Exception):
    """The link was real but its invitation expired or its campaign closed (HTTP 410)."""


class LinkUsed(Exception):
    """The survey behind the link was already answered: the link is single-use."""


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def link_issue(*, invitation: Invitation, purpose: str) -> str:
    """A new link for the invitation; returns the raw token (put it in the e-mail, nowhere else)."""
    raw = secrets.token_urlsafe(32)
    InvitationLink.objects.create(invitation=invitation, purpose=purpose, digest=digest(raw))
    return raw


def link_resolve(raw: str, *, purpose: str) -> Invitation:
    """The invitation behind a raw token of this purpose; ``InvitationLink.DoesNotExist`` otherwise."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        raise InvitationLink.DoesNotExist
    link = InvitationLink.objects.select_related(
        "invitation", "invitation__campaign", "invitation__campaign__survey", "invitation__contact",
        "invitation__account",
    ).get(digest=digest(raw), purpose=purpose)
    return link.invitation
