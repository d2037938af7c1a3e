"""Survey e-mail through a real SMTP server (aiosmtpd on a free local port): the invitation
arrives, its link records the answer; a second send, an unsubscribed contact, the throttle, a
refused delivery and the reminder; and no token in the logs."""

from __future__ import annotations

import datetime as dt
import email
import logging
import socket
from email import policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from paceline.surveys import services
from paceline.surveys.models import Invitation, InvitationLink, InvitationStatus, Response
from tests.factories import ContactFactory
from tests.surveys.test_services import (
    LINK,
    UNSUBSCRIBE_LINK,
    campaign_for,
    default_survey,
    events,
    send,
)

REFUSED = "nobody@acme.test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An SMTP handler that keeps what it receives and refuses one address."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.port = free_port()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.PACELINE_BASE_URL = "https://cs.vendor.test"
    yield inbox
    controller.stop()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def path_of(message: EmailMessage, pattern=LINK) -> str:
    """The link's path, read from the received e-mail as a person would click it."""
    match = pattern.search(text_of(message))
    start = text_of(message).rfind("https://", 0, match.start())
    url = text_of(message)[start:match.end()]
    assert url.startswith("https://cs.vendor.test/")
    return urlsplit(url).path


@pytest.fixture
def survey(db):
    return default_survey()


def test_the_invitation_arrives_and_its_link_records_the_answer(smtp, actor, account, survey, anon_client,
                                                                django_capture_on_commit_callbacks):
    ann = ContactFactory(account=account, name="Ann Able", email="ann@acme.test")
    ContactFactory(account=account, name="Bo Berg", email="bo@acme.test")
    ContactFactory(account=account, name="No Mail", email="")
    campaign = campaign_for(actor, survey, [account], subject="How are we doing?",
                            message="Hi {first_name}, a minute for {company}?")
    result = send(actor, campaign, django_capture_on_commit_callbacks)
    assert (result.invited, result.skipped) == (2, 1)
    assert sorted(m["To"] for m in smtp.messages) == ["ann@acme.test", "bo@acme.test"]
    [message] = smtp.to("ann@acme.test")
    assert message["Subject"] == "How are we doing?"
    assert "Hi Ann, a minute for Acme Corp?" in text_of(message)
    unsubscribe_path = path_of(message, UNSUBSCRIBE_LINK)
    assert message["List-Unsubscribe"].strip() == f"<https://cs.vendor.test{unsubscribe_path}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    respond_path = path_of(message)
    assert respond_path in message.get_body(preferencelist=("html",)).get_content()
    assert Invitation.objects.get(contact=ann).status == InvitationStatus.SENT

    page = anon_client.get(respond_path)
    assert page.status_code == 200 and "How likely are you to recommend us" in page.content.decode()
    answered = anon_client.post(respond_path, {"q-nps": "4", "q-reason": "Too many outages.", "action": "submit"})
    assert answered.status_code == 200
    stored = Response.objects.get(contact=ann)
    assert (stored.score, stored.comment, stored.is_complete, stored.invitation.campaign) == (
        4, "Too many outages.", True, campaign)
    [event] = events("survey.responded")
    assert (event.payload["score"], event.payload["band"], event.account_id) == (4, "detractor", account.pk)
    assert Invitation.objects.get(contact=ann).status == InvitationStatus.COMPLETED
    # The database holds hashes only: the token in the e-mail is nowhere in it.
    token = respond_path.split("/")[2]
    assert not InvitationLink.objects.filter(digest=token).exists()
    assert token not in str(list(Invitation.objects.values()))


def test_sending_the_same_campaign_again_delivers_nothing(smtp, actor, account, survey,
                                                          django_capture_on_commit_callbacks):
    ContactFactory(account=account, email="ann@acme.test")
    campaign = campaign_for(actor, survey, [account])
    send(actor, campaign, django_capture_on_commit_callbacks)
    again = send(actor, campaign, django_capture_on_commit_callbacks)
    assert (again.invited, again.already) == (0, 1)
    assert len(smtp.messages) == 1
    assert services.invitations_deliver(campaign_id=campaign.pk) == 0
    assert len(smtp.messages) == 1


def test_a_contact_who_unsubscribed_is_skipped_from_then_on(smtp, actor, account, survey, anon_client, settings,
                                                           django_capture_on_commit_callbacks):
    settings.PACELINE_SURVEY_THROTTLE_DAYS = 0
    ContactFactory(account=account, email="ann@acme.test")
    ContactFactory(account=account, email="bo@acme.test")
    send(actor, campaign_for(actor, survey, [account]), django_capture_on_commit_callbacks)
    # The mail client's one-click button: a POST with no cookie and no CSRF token.
    one_click = anon_client.post(path_of(smtp.to("ann@acme.test")[0], UNSUBSCRIBE_LINK),
                                 {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    second = campaign_for(actor, survey, [account], name="Second wave")
    preview = services.campaign_preview(campaign=second)
    assert [(c.email, reason) for c, reason in preview.skipped] == [("ann@acme.test", "Unsubscribed from surveys")]
    send(actor, second, django_capture_on_commit_callbacks)
    assert len(smtp.to("ann@acme.test")) == 1 and len(smtp.to("bo@acme.test")) == 2
    skipped = Invitation.objects.get(campaign=second, contact__email="ann@acme.test")
    assert (skipped.status, skipped.skipped_reason, skipped.sent_at) == ("skipped", "Unsubscribed from surveys", None)


def test_no_contact_is_surveyed_more_often_than_the_throttle_allows(smtp, actor, account, survey, settings,
                                                                    django_capture_on_commit_callbacks):
    ContactFactory(account=account, email="ann@acme.test")
    send(actor, campaign_for(actor, survey, [account]), django_capture_on_commit_callbacks)
    csat = default_survey("Support CSAT")
    result = send(actor, campaign_for(actor, csat, [account]), django_capture_on_commit_callbacks)
    assert (result.invited, result.skipped) == (0, 1)
    assert len(smtp.messages) == 1
    assert Invitation.objects.get(campaign__survey=csat).skipped_reason == "Surveyed in the last 90 days"
    Invitation.objects.filter(campaign__survey=survey).update(sent_at=timezone.now() - dt.timedelta(days=91))
    later = send(actor, campaign_for(actor, csat, [account], name="Later"), django_capture_on_commit_callbacks)
    assert later.invited == 1 and len(smtp.messages) == 2


def test_a_refused_delivery_stays_pending_and_goes_out_later(smtp, actor, account, survey, settings, caplog,
                                                             monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("paceline.surveys.services.campaigns.CHUNK", 1)  # each e-mail its own chunk
    ContactFactory(account=account, name="Ann", email="ann@acme.test")
    ContactFactory(account=account, name="Nobody", email=REFUSED)
    campaign = campaign_for(actor, survey, [account])
    with caplog.at_level(logging.DEBUG):
        send(actor, campaign, django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp.messages] == ["ann@acme.test"]
    refused = Invitation.objects.get(email=REFUSED)
    assert (refused.status, refused.sent_at, refused.digest) == (InvitationStatus.PENDING, None, None)
    assert not refused.links.exists()
    # Everything logged on our side ("mail.log" is the test's SMTP server, which logs what it gets).
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "not delivered" in logged and "invitation" in logged
    token = LINK.search(text_of(smtp.messages[0])).group(1)
    assert token not in logged and "/r/" not in logged

    # The mail server is down: nothing is lost, nothing is marked sent.
    Invitation.objects.filter(pk=refused.pk).update(email="nobody-else@acme.test")
    settings.EMAIL_PORT = free_port()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_deliver(campaign_id=campaign.pk)
    assert Invitation.objects.get(pk=refused.pk).status == InvitationStatus.PENDING
    settings.EMAIL_PORT = smtp.port
    # Sending the campaign again delivers what did not go out, and only that.
    again = send(actor, campaign, django_capture_on_commit_callbacks)
    assert (again.invited, again.retried) == (0, 1)
    assert [m["To"] for m in smtp.messages] == ["ann@acme.test", "nobody-else@acme.test"]
    assert Invitation.objects.get(pk=refused.pk).status == InvitationStatus.SENT


def test_the_reminder_arrives_once_with_a_link_of_its_own(smtp, actor, account, survey, anon_client,
                                                         django_capture_on_commit_callbacks):
    ContactFactory(account=account, email="ann@acme.test")
    send(actor, campaign_for(actor, survey, [account], reminder_days=3), django_capture_on_commit_callbacks)
    for days in (2, 4, 5):
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_send(now=timezone.now() + dt.timedelta(days=days))
    first, reminder = smtp.to("ann@acme.test")
    assert reminder["Subject"].startswith("Reminder: ")
    assert "A gentle reminder" in text_of(reminder)
    assert path_of(reminder) != path_of(first)
    assert anon_client.post(path_of(reminder), {"q-nps": "10", "action": "submit"}).status_code == 200
    assert "You already answered" in anon_client.get(path_of(first)).content.decode()
