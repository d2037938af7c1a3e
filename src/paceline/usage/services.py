"""Writes of the usage capability: write keys, key features, and appending to the ingestion inbox.

Only CS leaders manage write keys and key features (the views and endpoints check it; the
services trust their callers, like every service here).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.db import transaction
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, snapshot
from paceline.usage.models import InboxBatch, KeyFeature, WriteKey

WRITE_KEY_PREFIX = "wk_"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def write_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def write_key_create(*, actor: Actor, name: str) -> tuple[WriteKey, str]:
    """Create a write key and return it with its raw value, which is never stored nor shown again."""
    name = (name or "").strip()
    if not name:
        raise ValueError("name: name the write key after the source that sends with it (e.g. 'web app')")
    raw = WRITE_KEY_PREFIX + secrets.token_urlsafe(24)
    key = WriteKey.objects.create(name=name[:120], prefix=raw[:8], key_hash=write_key_hash(raw),
                                  created_by=actor.user)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=key,
                 after={"name": key.name, "prefix": key.prefix})
    return key, raw


@transaction.atomic
def write_key_revoke(*, actor: Actor, key: WriteKey) -> WriteKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=key,
                     before={"revoked_at": None}, after={"revoked_at": key.revoked_at.isoformat()})
    return key


def write_key_authenticate(raw: str) -> WriteKey | None:
    """The active key with this raw value, or None (unknown or revoked)."""
    if not raw:
        return None
    return WriteKey.objects.filter(key_hash=write_key_hash(raw), revoked_at__isnull=True).first()


def _clean_feature(*, key: str, name: str, event_names: list[str]) -> tuple[str, str, list[str]]:
    key = (key or "").strip().lower()
    if not _SLUG.match(key):
        raise ValueError("key: use lower-case letters, digits, '-' or '_' (up to 60), e.g. 'reports'")
    name = (name or "").strip()
    if not name:
        raise ValueError("name: give the feature a name people will recognise")
    names = [n.strip() for n in event_names if n and n.strip()]
    if not names:
        raise ValueError("event_names: list at least one event name that counts as using the feature")
    for n in names:
        if len(n) > 200:
            raise ValueError(f"event_names: {n[:40]!r}... is longer than 200 characters")
    return key, name, sorted(dict.fromkeys(names))


@transaction.atomic
def key_feature_create(*, actor: Actor, key: str, name: str, event_names: list[str],
                       description: str = "") -> KeyFeature:
    key, name, names = _clean_feature(key=key, name=name, event_names=event_names)
    if KeyFeature.objects.filter(key=key).exists():
        raise ValueError(f"key: a key feature {key!r} already exists")
    feature = KeyFeature.objects.create(key=key, name=name, event_names=names, description=description.strip())
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=feature, after=snapshot(feature))
    _all_days_dirty()
    return feature


@transaction.atomic
def key_feature_update(*, actor: Actor, feature: KeyFeature, name: str, event_names: list[str],
                       description: str = "") -> KeyFeature:
    _, name, names = _clean_feature(key=feature.key, name=name, event_names=event_names)
    before = snapshot(feature)
    feature.name, feature.event_names, feature.description = name, names, description.strip()
    feature.save()
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=feature, before=before,
                 after=snapshot(feature))
    _all_days_dirty()
    return feature


@transaction.atomic
def key_feature_delete(*, actor: Actor, feature: KeyFeature) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=feature, before=snapshot(feature))
    feature.delete()
    _all_days_dirty()


def _all_days_dirty() -> None:
    """Key features changed: breadth and feature adoption must be recomputed for every day."""
    from paceline.usage.models import AccountUsageDay, DirtyDay

    first = AccountUsageDay.objects.order_by("day").values_list("day", flat=True).first()
    if first is None:
        return
    today = timezone.localdate()
    days = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
    existing = set(DirtyDay.objects.filter(day__gte=first).values_list("day", flat=True))
    DirtyDay.objects.bulk_create([DirtyDay(day=d) for d in days if d not in existing], batch_size=1000)


def seats_changed(subscription, *, since: dt.date) -> None:
    """A subscription was saved or deleted: its seats may have changed for days already computed
    from ``since`` on (its start, or its start before the change if that was earlier).

    The metrics job recomputes from its earliest dirty day to today, so marking the account's first
    computed day from ``since`` restates its utilisation from there on (at the job's next run; the
    worker's is nightly).
    """
    from paceline.usage.models import AccountUsageDay, DirtyDay

    first = (AccountUsageDay.objects.filter(account_id=subscription.account_id, day__gte=since)
             .order_by("day").values_list("day", flat=True).first())
    if first is not None and first <= timezone.localdate():
        DirtyDay.objects.get_or_create(day=first)


def write_key_touch(key: WriteKey, *, at: dt.datetime) -> None:
    """Note when a key was last used, at most once a minute (not a write per request)."""
    if key.last_used_at is None or at - key.last_used_at > dt.timedelta(minutes=1):
        WriteKey.objects.filter(pk=key.pk).update(last_used_at=at)


def inbox_append(*, payload: bytes, count: int, write_key: WriteKey | None, source: str = "http") -> InboxBatch:
    """Journal one request's events. Durable when the surrounding transaction commits."""
    return InboxBatch.objects.create(received_at=timezone.now(), write_key=write_key, source=source,
                                     count=count, payload=payload)
