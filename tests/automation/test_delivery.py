"""Notifications delivered for real: e-mail through Django's SMTP backend to a local aiosmtpd
server, Slack-compatible and signed webhooks to a local HTTP receiver; retries with backoff,
giving up, reviving a half-sent delivery, and sending once when claimed twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from paceline.automation import services
from paceline.automation.models import Channel, Delivery, DeliveryStatus
from paceline.automation.services import delivery as delivery_module
from paceline.automation.services.delivery import BACKOFF, MAX_ATTEMPTS, STALE
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-tests"


def queue(channel, *, capture, subject="Champion left: Acme", account=None):
    with capture(execute=True):
        return services.notification_queue(
            channel=channel, subject=subject, body="Jane Roe left Acme.", account=account,
            payload={"event": "rule.fired", "account": {"name": "Acme"}, "cause": "contact:1:left"})


def reload(delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


def codes(delivery) -> list:
    return list(delivery.log.order_by("id").values_list("status_code", flat=True))


def test_email_arrives_through_smtp(smtp, django_capture_on_commit_callbacks):
    channel = Channel.objects.create(name="Leaders", kind="email", target="lena@vendor.test, carl@vendor.test")
    d = queue(channel, capture=django_capture_on_commit_callbacks, account=AccountFactory())

    [message] = smtp.messages
    assert message["Subject"] == "Champion left: Acme"
    assert message["X-Envelope-To"] == "lena@vendor.test, carl@vendor.test"
    assert message["X-Paceline-Delivery"] == str(d.pk)
    assert "Jane Roe left Acme." in message.get_content()
    assert reload(d).status == DeliveryStatus.DELIVERED and codes(d) == [None]


def test_an_unreachable_smtp_server_is_retried(settings, django_capture_on_commit_callbacks):
    from tests.automation.receivers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", free_port(), False
    channel = Channel.objects.create(name="Leaders", kind="email", target="lena@vendor.test")
    d = reload(queue(channel, capture=django_capture_on_commit_callbacks))
    assert d.status == DeliveryStatus.PENDING and d.attempts == 1 and "ConnectionRefusedError" in d.last_error


def test_slack_gets_text_with_the_subject(receiver, django_capture_on_commit_callbacks):
    hook = receiver(200)
    d = queue(Channel.objects.create(name="Slack", kind="slack", target=hook.url), capture=django_capture_on_commit_callbacks)

    [request] = hook.requests
    assert json.loads(request.body) == {"text": "*Champion left: Acme*\nJane Roe left Acme."}
    assert request.headers["Content-Type"] == "application/json"
    assert reload(d).status == DeliveryStatus.DELIVERED and codes(d) == [200]


def test_a_signed_webhook_verifies_from_the_recorded_body_and_timestamp(receiver, django_capture_on_commit_callbacks):
    hook = receiver(204)
    d = queue(Channel.objects.create(name="Hook", kind="webhook", target=hook.url, secret=SECRET),
              capture=django_capture_on_commit_callbacks)

    [request] = hook.requests
    stamp = request.headers["X-Paceline-Timestamp"]
    expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Paceline-Signature"] == f"sha256={expected}"
    assert abs(int(stamp) - timezone.now().timestamp()) < 60
    assert request.headers["X-Paceline-Delivery"] == str(d.pk) and request.headers["X-Paceline-Event"] == "rule.fired"
    assert json.loads(request.body)["cause"] == "contact:1:left"
    forged = hmac.new(b"another secret", stamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Paceline-Signature"] != f"sha256={forged}"
    assert reload(d).status == DeliveryStatus.DELIVERED and codes(d) == [204]


def test_a_500_is_retried_with_backoff_and_the_sweep_delivers_when_due(receiver, django_capture_on_commit_callbacks):
    hook = receiver(500, 503, 200)
    d = queue(Channel.objects.create(name="Hook", kind="webhook", target=hook.url), capture=django_capture_on_commit_callbacks)
    first = reload(d)
    assert (first.status, first.attempts, first.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    assert BACKOFF[0] - dt.timedelta(seconds=30) < first.next_attempt_at - timezone.now() <= BACKOFF[0]

    assert services.deliveries_sweep()["due"] == 0  # not yet due: nothing sent
    assert len(hook.requests) == 1
    at = first.next_attempt_at
    assert services.deliveries_sweep(now=at) == {"revived": 0, "due": 1, "delivered": 0}
    second = reload(d)
    assert second.next_attempt_at == at + BACKOFF[1] and second.last_status_code == 503
    assert services.deliveries_sweep(now=at + BACKOFF[1]) == {"revived": 0, "due": 1, "delivered": 1}

    assert reload(d).status == DeliveryStatus.DELIVERED and codes(d) == [500, 503, 200]
    assert hook.answered() == [500, 503, 200]
    assert len({r.headers["X-Paceline-Delivery"] for r in hook.requests}) == 1


def test_410_gives_up_at_once_and_429_is_retried(receiver, django_capture_on_commit_callbacks):
    gone = receiver(410)
    busy = receiver(429, 200)
    d_gone = queue(Channel.objects.create(name="Gone", kind="slack", target=gone.url), capture=django_capture_on_commit_callbacks)
    d_busy = queue(Channel.objects.create(name="Busy", kind="slack", target=busy.url), capture=django_capture_on_commit_callbacks)

    gone_row, busy_row = reload(d_gone), reload(d_busy)
    assert (gone_row.status, gone_row.attempts, gone_row.last_error) == (DeliveryStatus.FAILED, 1, "Refused with HTTP 410")
    assert (busy_row.status, busy_row.last_status_code) == (DeliveryStatus.PENDING, 429)
    services.deliveries_sweep(now=timezone.now() + dt.timedelta(days=1))
    assert reload(d_busy).status == DeliveryStatus.DELIVERED and len(gone.requests) == 1


def test_gives_up_after_max_attempts_and_a_retry_from_the_log_starts_again(receiver, django_capture_on_commit_callbacks):
    hook = receiver(500)
    d = queue(Channel.objects.create(name="Down", kind="slack", target=hook.url), capture=django_capture_on_commit_callbacks)
    when = timezone.now()
    for _ in range(MAX_ATTEMPTS + 2):
        when += dt.timedelta(days=1)
        services.deliveries_sweep(now=when)

    failed = reload(d)
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert codes(d) == [500] * MAX_ATTEMPTS and len(hook.requests) == MAX_ATTEMPTS

    hook.answers = [200]
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_retry(delivery=failed)
    assert reload(d).status == DeliveryStatus.DELIVERED and len(hook.requests) == MAX_ATTEMPTS + 1


def test_a_delivery_stuck_in_sending_is_revived_after_stale_and_sent_once(receiver):
    hook = receiver(200)
    channel = Channel.objects.create(name="Hook", kind="webhook", target=hook.url)
    crashed_at = timezone.now()
    d = Delivery.objects.create(channel=channel, subject="s", body="b", payload={"event": "rule.fired"},
                                status=DeliveryStatus.SENDING, claimed_at=crashed_at, next_attempt_at=crashed_at)

    assert services.deliveries_sweep(now=crashed_at + STALE / 2) == {"revived": 0, "due": 0, "delivered": 0}
    assert services.deliveries_sweep(now=crashed_at + STALE + dt.timedelta(seconds=1)) == {
        "revived": 1, "due": 1, "delivered": 1}
    assert services.deliveries_sweep(now=crashed_at + 3 * STALE)["due"] == 0
    assert len(hook.requests) == 1 and reload(d).status == DeliveryStatus.DELIVERED


def test_a_delivery_claimed_twice_is_sent_once(receiver, monkeypatch):
    hook = receiver(200)
    channel = Channel.objects.create(name="Hook", kind="slack", target=hook.url)
    d = Delivery.objects.create(channel=channel, subject="s", body="b", next_attempt_at=timezone.now())
    real_send, inner = delivery_module._send, []

    def send_while_another_worker_claims(delivery):
        inner.append(delivery_module.delivery_send(delivery.pk))  # the second worker, mid-send of the first
        return real_send(delivery)

    monkeypatch.setattr(delivery_module, "_send", send_while_another_worker_claims)
    assert services.delivery_send(d.pk) == DeliveryStatus.DELIVERED
    assert inner == [DeliveryStatus.SENDING]
    assert services.delivery_send(d.pk) == DeliveryStatus.DELIVERED  # a late duplicate of the task
    assert len(hook.requests) == 1 and reload(d).attempts == 1


def test_a_switched_off_channel_fails_without_sending(receiver, django_capture_on_commit_callbacks):
    hook = receiver(200)
    channel = Channel.objects.create(name="Off", kind="slack", target=hook.url, active=False)
    d = reload(queue(channel, capture=django_capture_on_commit_callbacks))
    assert d.status == DeliveryStatus.FAILED and d.last_error == "The channel is switched off." and hook.requests == []


def test_an_email_channel_without_addresses_fails_instead_of_reporting_success(smtp, django_capture_on_commit_callbacks):
    channel = Channel.objects.create(name="Nobody", kind="email", target=" , ")
    d = reload(queue(channel, capture=django_capture_on_commit_callbacks))
    assert (d.status, d.last_error) == (DeliveryStatus.FAILED, "The channel has no e-mail address to send to.")
    assert smtp.messages == []


def test_an_unreachable_webhook_is_retried_and_its_token_is_neither_stored_nor_logged(
        django_capture_on_commit_callbacks, caplog):
    from tests.automation.receivers import free_port

    url = f"http://127.0.0.1:{free_port()}/services/T000/B000/very-secret-token"
    channel = Channel.objects.create(name="Slack", kind="slack", target=url)
    with caplog.at_level("INFO"):
        d = reload(queue(channel, capture=django_capture_on_commit_callbacks))
    assert d.status == DeliveryStatus.PENDING and d.attempts == 1 and "ConnectionError" in d.last_error
    assert "very-secret-token" not in d.last_error and "/…" in d.last_error
    assert "very-secret-token" not in caplog.text and "very-secret-token" not in d.log.get().error
