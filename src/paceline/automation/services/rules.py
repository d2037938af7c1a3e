"""Rules as data: saved only once trigger, parameters, conditions and actions all check out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paceline.automation import actions as action_registry
from paceline.automation import conditions, triggers
from paceline.automation.models import Rule, Snooze
from paceline.automation.params import coerce_params
from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, snapshot
from paceline.customers.models import Account

RULE_FIELDS = frozenset({"name", "description", "active", "trigger", "trigger_params", "conditions", "actions",
                         "cap_count", "cap_days"})


def rule_clean(data: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise a rule's definition; every error names its place."""
    errors: dict[str, Any] = {}
    cleaned = dict(data)
    trigger = triggers.TRIGGERS.get(data.get("trigger") or "")
    if trigger is None:
        errors["trigger"] = f"Unknown trigger {data.get('trigger')!r}; use one of: {', '.join(sorted(triggers.TRIGGERS))}."
    else:
        try:
            cleaned["trigger_params"] = coerce_params(trigger.params, data.get("trigger_params"), where="trigger_params")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        cleaned["conditions"] = conditions.clean(data.get("conditions"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    specs = data.get("actions")
    if not isinstance(specs, list) or not specs:
        errors["actions"] = "Give at least one action: a rule that does nothing is noise."
    else:
        cleaned_actions = []
        for i, spec in enumerate(specs, start=1):
            where = f"actions[{i}]"
            if not isinstance(spec, dict):
                errors[where] = "Give {type, params}."
                continue
            action = action_registry.ACTIONS.get(spec.get("type") or "")
            if action is None:
                errors[f"{where}.type"] = f"Unknown action {spec.get('type')!r}; use one of: {', '.join(sorted(action_registry.ACTIONS))}."
                continue
            try:
                params = coerce_params(action.params, spec.get("params"), where=f"{where}.params")
                if action.check is not None:
                    action.check(params)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    name = key if key.startswith(where) else f"{where}.params.{key}"
                    errors[name] = messages
                continue
            cleaned_actions.append({"type": action.key, "params": params})
        cleaned["actions"] = cleaned_actions
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save(rule: Rule, *, actor: Actor, before: dict | None) -> Rule:
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
                 instance=rule, before=before, after=snapshot(rule))
    return rule


def _unknown(fields: dict[str, Any]) -> None:
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})


@transaction.atomic
def rule_create(*, actor: Actor, **fields: Any) -> Rule:
    _unknown(fields)
    cleaned = rule_clean(fields)
    return _save(Rule(created_by=actor.user, **cleaned), actor=actor, before=None)


@transaction.atomic
def rule_update(*, actor: Actor, rule: Rule, **fields: Any) -> Rule:
    _unknown(fields)
    current = {name: getattr(rule, name) for name in RULE_FIELDS}
    cleaned = rule_clean(current | fields)
    before = snapshot(rule)
    for name in RULE_FIELDS:
        setattr(rule, name, cleaned[name])
    return _save(rule, actor=actor, before=before)


@transaction.atomic
def rule_delete(*, actor: Actor, rule: Rule) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=rule, before=snapshot(rule))
    rule.delete()


@transaction.atomic
def snooze_set(*, actor: Actor, rule: Rule, account: Account, until: dt.date, reason: str = "") -> Snooze:
    if until < timezone.localdate():
        raise ValidationError({"until": "Snooze until a day that has not passed."})
    snooze, _ = Snooze.objects.update_or_create(rule=rule, account=account, defaults={
        "until": until, "reason": reason[:300], "created_by": actor.user})
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=snooze, account_id=account.pk,
                 after={"rule": rule.name, "until": until.isoformat(), "reason": reason})
    return snooze


@transaction.atomic
def snooze_clear(*, actor: Actor, snooze: Snooze) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=snooze, account_id=snooze.account_id,
                 before={"rule": snooze.rule.name, "until": snooze.until.isoformat()})
    snooze.delete()
