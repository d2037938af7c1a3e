"""Notifications, delivered for real: e-mail through Django's settings, Slack-compatible incoming
webhooks, and signed outbound webhooks.

A notification is a ``Delivery`` row written in the same transaction as what caused it; sending
is enqueued after commit. Sending claims the row with a conditional UPDATE (pending → sending), so
a delivery enqueued twice is sent once. A failure is retried with backoff (1 min, 5 min, 30 min,
2 h, 6 h), then given up; a client error other than 408/429 is given up at once. A worker that
crashed mid-send leaves the row in *sending*: the sweeper puts it back after ``STALE`` (so a
receiver may, rarely, see a delivery twice: it dedupes on ``X-Paceline-Delivery``).

Outbound webhooks are signed: ``X-Paceline-Signature: sha256=<hex>`` is the HMAC-SHA256 of
``"<timestamp>.<body>"`` with the channel's secret, ``X-Paceline-Timestamp`` the Unix time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from paceline.automation.models import (
    Channel,
    ChannelKind,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Firing,
)
from paceline.customers.models import Account

logger = logging.getLogger(__name__)

BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2),
           dt.timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1
STALE = dt.timedelta(minutes=10)
TIMEOUT = 10  # seconds


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def notification_queue(*, channel: Channel, subject: str, body: str, payload: dict[str, Any],
                       account: Account | None = None, firing: Firing | None = None) -> Delivery:
    """Write the delivery; it is sent once the surrounding transaction commits."""
    from paceline.automation.tasks import send_delivery  # the task module imports this one

    delivery = Delivery.objects.create(
        channel=channel, firing=firing, account=account, subject=subject[:300], body=body, payload=payload,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: send_delivery.enqueue(delivery.pk))
    return delivery


class _Refused(Exception):
    """The receiver answered with an error that retrying will not fix (or there is no receiver)."""

    def __init__(self, code: int | None, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


def _post(delivery: Delivery, url: str, body: bytes, headers: dict[str, str]) -> int:
    response = requests.post(url, data=body, headers={"Content-Type": "application/json", **headers}, timeout=TIMEOUT)
    if 200 <= response.status_code < 300:
        return response.status_code
    if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
        raise _Refused(response.status_code, f"Refused with HTTP {response.status_code}")
    raise requests.HTTPError(f"HTTP {response.status_code}", response=response)


def _send(delivery: Delivery) -> int | None:
    channel = delivery.channel
    if channel.kind == ChannelKind.EMAIL:
        to = [a.strip() for a in channel.target.split(",") if a.strip()]
        if not to:  # Django would "send" to nobody and report success
            raise _Refused(None, "The channel has no e-mail address to send to.")
        EmailMessage(subject=delivery.subject, body=delivery.body, from_email=settings.PACELINE_EMAIL_FROM, to=to,
                     headers={"X-Paceline-Delivery": str(delivery.pk)}).send(fail_silently=False)
        return None
    if channel.kind == ChannelKind.SLACK:
        body = json.dumps({"text": f"*{delivery.subject}*\n{delivery.body}"}).encode()
        return _post(delivery, channel.target, body, {})
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    stamp = int(time.time())
    headers = {"X-Paceline-Delivery": str(delivery.pk), "X-Paceline-Timestamp": str(stamp),
               "X-Paceline-Event": str(delivery.payload.get("event", "rule.fired"))}
    if channel.secret:
        headers["X-Paceline-Signature"] = sign(channel.secret, stamp, body)
    return _post(delivery, channel.target, body, headers)


def shown_target(channel: Channel) -> str:
    """The channel's target as it may be stored, logged or audited: a webhook URL is itself a
    credential (a Slack incoming webhook's path is its token), so only its scheme and host."""
    if channel.kind == ChannelKind.EMAIL:
        return channel.target
    parts = urlsplit(channel.target)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "…"


def scrub(error: str, channel: Channel) -> str:
    """The error without the webhook's path: network errors quote the URL."""
    if channel.kind == ChannelKind.EMAIL or not error:
        return error
    path = urlsplit(channel.target).path
    cleaned = error.replace(channel.target, shown_target(channel))
    return cleaned.replace(path, "/…") if path not in ("", "/") else cleaned


def delivery_send(delivery_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one delivery if it is due and nobody else is sending it. Returns its status after."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now).update(
        status=DeliveryStatus.SENDING, claimed_at=now)
    if not claimed:
        return Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first() or "gone"
    delivery = Delivery.objects.select_related("channel").get(pk=delivery_id)
    started = time.monotonic()
    code, error, give_up = None, "", False
    if not delivery.channel.active:
        error, give_up = "The channel is switched off.", True
    else:
        try:
            code = _send(delivery)
        except _Refused as exc:
            code, error, give_up = exc.code, exc.reason, True
        except requests.HTTPError as exc:
            code, error = exc.response.status_code if exc.response is not None else None, str(exc)
        except Exception as exc:  # network, SMTP: worth another try
            error = f"{type(exc).__name__}: {exc}"[:500]
    error = scrub(error, delivery.channel)
    attempts = delivery.attempts + 1
    DeliveryAttempt.objects.create(delivery=delivery, status_code=code, error=error[:500],
                                   duration_ms=int((time.monotonic() - started) * 1000))
    changes: dict[str, Any] = {"attempts": attempts, "last_status_code": code, "last_error": error[:500], "claimed_at": None}
    if not error:
        changes.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
    elif give_up or attempts >= MAX_ATTEMPTS:
        changes.update(status=DeliveryStatus.FAILED)
        logger.warning("Gave up delivery %s to %s after %s attempt(s): %s", delivery.pk, delivery.channel, attempts, error)
    else:
        # Counted from this attempt's clock, so a sweep run for a given time schedules from it.
        changes.update(status=DeliveryStatus.PENDING, next_attempt_at=now + BACKOFF[attempts - 1])
        logger.info("Delivery %s to %s failed (%s); retrying at %s", delivery.pk, delivery.channel, error,
                    changes["next_attempt_at"].isoformat())
    Delivery.objects.filter(pk=delivery.pk).update(**changes)
    return changes["status"]


def deliveries_sweep(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Put back deliveries a crashed worker left in *sending*, and send those due again."""
    now = now or timezone.now()
    revived = Delivery.objects.filter(status=DeliveryStatus.SENDING).filter(
        Q(claimed_at__lt=now - STALE) | Q(claimed_at__isnull=True)).update(status=DeliveryStatus.PENDING, claimed_at=None)
    due = list(Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    sent = sum(1 for pk in due if delivery_send(pk, now=now) == DeliveryStatus.DELIVERED)
    return {"revived": revived, "due": len(due), "delivered": sent}


@transaction.atomic
def delivery_retry(*, delivery: Delivery) -> Delivery:
    """Try a failed delivery again now (from the delivery log)."""
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0)
    from paceline.automation.tasks import send_delivery

    transaction.on_commit(lambda: send_delivery.enqueue(delivery.pk))
    delivery.refresh_from_db()
    return delivery
