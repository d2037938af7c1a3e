"""Shared configuration CS leaders edit: playbooks with their steps, and notification channels.

A playbook is saved with its whole list of steps: a step with an ``id`` is updated, one without is
added, one left out is removed (runs already started keep the tasks and touchpoints it made).
Every error names its place (``steps[2].title``) and nothing is half-written.

A channel's secret signs outbound webhooks. It is generated when none is given, returned once by
``channel_create`` so the page or API can show it, and never read back out afterwards.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from paceline.automation.models import (
    Channel,
    ChannelKind,
    Delivery,
    Playbook,
    PlaybookStep,
    StepKind,
)
from paceline.automation.services.delivery import notification_queue, shown_target
from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, snapshot

PLAYBOOK_FIELDS = frozenset({"name", "description", "active"})
STEP_FIELDS = ("kind", "title", "description", "due_in_days", "owner_role", "priority", "touchpoint_kind")
CHANNEL_FIELDS = frozenset({"name", "kind", "target", "active"})


def _unknown(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})


def _clean_steps(playbook: Playbook, steps: Any) -> list[PlaybookStep]:
    """The steps as unsaved rows in their order; errors name ``steps[i].<field>``."""
    if not isinstance(steps, list):
        raise ValidationError({"steps": "Give a list of steps."})
    existing = {s.pk: s for s in playbook.steps.all()} if playbook.pk else {}
    rows, errors = [], {}
    for i, spec in enumerate(steps, start=1):
        where = f"steps[{i}]"
        if not isinstance(spec, dict):
            errors[where] = ["Give {kind, title, due_in_days, ...}."]
            continue
        unknown = sorted(set(spec) - set(STEP_FIELDS) - {"id"})
        for name in unknown:
            errors[f"{where}.{name}"] = ["This field cannot be set here."]
        step_id = spec.get("id")
        if step_id is not None and step_id not in existing:
            errors[f"{where}.id"] = [f"This playbook has no step with id {step_id}."]
            continue
        step = existing.get(step_id) or PlaybookStep(playbook=playbook)
        for name in STEP_FIELDS:
            if name in spec:
                setattr(step, name, "" if spec[name] is None and name != "due_in_days" else spec[name])
        step.position = i
        if step.kind != StepKind.TOUCHPOINT:
            step.touchpoint_kind = ""
        try:
            step.full_clean(exclude=["playbook"])
        except ValidationError as exc:
            errors.update({f"{where}.{name}": messages for name, messages in exc.message_dict.items()})
        rows.append(step)
    if errors:
        raise ValidationError(errors)
    return rows


def _save_playbook(playbook: Playbook, steps: Any, *, actor: Actor, before: dict | None) -> Playbook:
    playbook.full_clean()
    rows = _clean_steps(playbook, steps) if steps is not None else None
    playbook.save()
    if rows is not None:
        kept = [s.pk for s in rows if s.pk]
        playbook.steps.exclude(pk__in=kept).delete()
        for step in rows:
            step.playbook = playbook
            step.save()
    after = snapshot(playbook) | {"steps": [f"{s.title} (day {s.due_in_days})" for s in playbook.steps.all()]}
    audit_record(actor=actor, action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
                 instance=playbook, before=before, after=after)
    return playbook


@transaction.atomic
def playbook_create(*, actor: Actor, steps: list | None = None, **fields: Any) -> Playbook:
    _unknown(fields, PLAYBOOK_FIELDS)
    return _save_playbook(Playbook(**fields), steps or [], actor=actor, before=None)


@transaction.atomic
def playbook_update(*, actor: Actor, playbook: Playbook, steps: list | None = None, **fields: Any) -> Playbook:
    """Change a playbook; ``steps``, when given, is its whole new list of steps."""
    _unknown(fields, PLAYBOOK_FIELDS)
    before = snapshot(playbook) | {"steps": [f"{s.title} (day {s.due_in_days})" for s in playbook.steps.all()]}
    for name, value in fields.items():
        setattr(playbook, name, value)
    return _save_playbook(playbook, steps, actor=actor, before=before)


@transaction.atomic
def playbook_delete(*, actor: Actor, playbook: Playbook) -> None:
    """Remove a playbook nobody has run; one with runs is switched off instead (its history stays)."""
    before = snapshot(playbook)
    try:
        playbook.delete()
    except ProtectedError:
        raise ValidationError({"playbook": "This playbook has runs: switch it off instead."}) from None
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=playbook, before=before)


def _check_target(kind: str, target: str) -> str:
    target = (target or "").strip()
    if not target:
        raise ValidationError({"target": "Give the e-mail addresses or the webhook's URL."})
    if kind == ChannelKind.EMAIL:
        addresses = [a.strip() for a in target.split(",") if a.strip()]
        wrong = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                wrong.append(address)
        if wrong:
            raise ValidationError({"target": f"Not an e-mail address: {', '.join(wrong)}."})
        return ", ".join(addresses)
    try:
        URLValidator(schemes=["https", "http"])(target)
    except ValidationError:
        raise ValidationError({"target": f"Give the webhook's http(s) URL, not {target!r}."}) from None
    return target


def _channel_snapshot(channel: Channel) -> dict[str, Any]:
    return snapshot(channel, exclude=("secret", "target")) | {"target": shown_target(channel),
                                                              "secret_set": bool(channel.secret)}


def _save_channel(channel: Channel, *, actor: Actor, before: dict | None) -> Channel:
    if channel.kind not in ChannelKind.values:
        raise ValidationError({"kind": f"Use one of: {', '.join(ChannelKind.values)} (not {channel.kind!r})."})
    channel.target = _check_target(channel.kind, channel.target)
    channel.full_clean()
    channel.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
                 instance=channel, before=before, after=_channel_snapshot(channel))
    return channel


@transaction.atomic
def channel_create(*, actor: Actor, secret: str = "", **fields: Any) -> tuple[Channel, str]:
    """A new channel and its signing secret (generated for a webhook when none is given).

    The secret is returned here so it can be shown once; nothing reads it back out later.
    """
    _unknown(fields, CHANNEL_FIELDS)
    if fields.get("kind") == ChannelKind.WEBHOOK and not secret:
        secret = secrets.token_urlsafe(32)
    channel = _save_channel(Channel(secret=secret or "", **fields), actor=actor, before=None)
    return channel, channel.secret


@transaction.atomic
def channel_update(*, actor: Actor, channel: Channel, secret: str | None = None, **fields: Any) -> Channel:
    """Change a channel; a new ``secret`` replaces the old one (which is never shown)."""
    _unknown(fields, CHANNEL_FIELDS)
    before = _channel_snapshot(channel)
    for name, value in fields.items():
        setattr(channel, name, value)
    if secret:
        channel.secret = secret
    return _save_channel(channel, actor=actor, before=before)


@transaction.atomic
def channel_deactivate(*, actor: Actor, channel: Channel) -> Channel:
    """Stop sending to a channel; deliveries waiting for it give up with a reason in the log."""
    return channel_update(actor=actor, channel=channel, active=False)


@transaction.atomic
def channel_test(*, actor: Actor, channel: Channel) -> Delivery:
    """Send a test notification, so a leader sees the channel work (or why not) in the delivery log."""
    if not channel.active:
        raise ValidationError({"channel": "This channel is switched off; switch it on to test it."})
    who = actor.user.get_full_name() or actor.user.email if actor.user else "Paceline"
    now = timezone.now()
    body = f"A test from Paceline, sent by {who}. If you can read this, the channel works."
    payload = {"event": "channel.test", "channel": {"id": channel.pk, "name": channel.name},
               "sent_at": now.isoformat(), "message": body}
    return notification_queue(channel=channel, subject=f"Paceline test: {channel.name}", body=body, payload=payload)
