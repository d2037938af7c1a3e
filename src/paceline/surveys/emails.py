"""The survey e-mail: what it says, its two personal links, and delivery over one connection.

The links carry raw tokens, so an e-mail is built only at the moment it is sent and nothing of
it is logged: failures are logged by invitation id and error class only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)

# The message a CSM writes may greet the person and name their company; nothing else is filled in.
PLACEHOLDERS = {"{first_name}": "the contact's first name", "{company}": "the contact's company"}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def absolute_url(path: str) -> str:
    return settings.PACELINE_BASE_URL.rstrip("/") + path


def respond_url(raw: str) -> str:
    return absolute_url(reverse("respond:respond", args=[raw]))


def unsubscribe_url(raw: str) -> str:
    return absolute_url(reverse("respond:unsubscribe", args=[raw]))


def first_name(name: str) -> str:
    parts = (name or "").split()
    return parts[0] if parts else "there"


def personalise(text: str, *, name: str, company: str) -> str:
    # Plain replacement, not str.format: a brace in a CSM's message must not break or leak anything.
    return text.replace("{first_name}", first_name(name)).replace("{company}", company)


def render_invitation(
    *, campaign, name: str, company: str, respond_link: str, unsubscribe_link: str,
    expires_at: dt.datetime | None, reminder: bool = False,
) -> RenderedEmail:
    """The e-mail one contact gets (or, in the send wizard's preview, would get)."""
    subject = campaign.subject.strip()
    if reminder:
        subject = f"Reminder: {subject}"
    context = {
        "campaign": campaign, "survey": campaign.survey, "reminder": reminder, "expires_at": expires_at,
        "message": personalise(campaign.message, name=name, company=company),
        "respond_link": respond_link, "unsubscribe_link": unsubscribe_link,
    }
    return RenderedEmail(
        subject=subject,
        text=render_to_string("surveys/email_invitation.txt", context),
        html=render_to_string("surveys/email_invitation.html", context),
    )


def build_message(rendered: RenderedEmail, *, to: str, unsubscribe_link: str, reply_to: str = "") -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=rendered.subject, body=rendered.text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
        reply_to=[reply_to] if reply_to else None,
        # One-click unsubscribe (RFC 8058): mail clients show a button that POSTs to this URL.
        headers={"List-Unsubscribe": f"<{unsubscribe_link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def send_all(messages: Sequence[tuple[int, EmailMultiAlternatives]]) -> set[int]:
    """Send each (invitation id, message) over one connection; the ids that were delivered."""
    delivered: set[int] = set()
    if not messages:
        return delivered
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # any failure to connect leaves every message undelivered
        logger.warning("Survey e-mail: could not connect to the mail server (%s); %d not sent",
                       type(error).__name__, len(messages))
        return delivered
    try:
        for invitation_id, message in messages:
            message.connection = connection
            try:
                if connection.send_messages([message]):
                    delivered.add(invitation_id)
            except Exception as error:  # one refused address must not stop the others
                logger.warning("Survey e-mail for invitation %s not delivered (%s)", invitation_id,
                               type(error).__name__)
    finally:
        # Closing a broken connection has nothing left to report.
        with contextlib.suppress(Exception):
            connection.close()
    return delivered
