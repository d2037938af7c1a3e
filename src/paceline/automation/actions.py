"""The registry of actions a rule can take when it fires.

Each action declares its parameters and ``run(ctx, params)``, which does the work through the
services of the apps below and returns what it did (kept on the firing, shown in the log).
Texts may use ``{account}``, ``{owner}``, ``{rule}``, ``{cause}`` and any key of the trigger's
data (``{days_quiet}``, ``{contact}``, ``{renewal_date}``...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from paceline.automation.models import Channel, Firing, Playbook, Rule
from paceline.automation.params import Param, render
from paceline.automation.services import delivery, escalation, playbooks
from paceline.core.services import Actor
from paceline.customers import services as customer_services
from paceline.customers.models import Account, LifecycleStage, Segment, TaskPriority, Tier
from paceline.engagement import services as engagement_services
from paceline.engagement.models import OwnerRole


@dataclass(frozen=True)
class Context:
    rule: Rule
    account: Account
    firing: Firing
    why: dict[str, Any]
    actor: Actor
    today: dt.date

    def values(self) -> dict[str, Any]:
        owner = self.account.owner
        return {**self.why, "account": self.account.name, "rule": self.rule.name, "cause": self.firing.cause,
                "owner": (owner.get_full_name() or owner.email) if owner else "nobody"}

    def reason(self) -> str:
        facts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in self.why.items() if v not in (None, "", []))
        return f"{self.rule.name}: {facts}" if facts else self.rule.name


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    params: tuple[Param, ...]
    run: Callable[[Context, dict], dict[str, Any]]
    check: Callable[[dict], None] | None = None  # references that must exist when the rule is saved


ACTIONS: dict[str, Action] = {}


def register(action: Action) -> Action:
    if action.key in ACTIONS and ACTIONS[action.key] != action:
        raise ValueError(f"An action {action.key!r} is already registered.")
    ACTIONS[action.key] = action
    return action


def get(key: str) -> Action:
    try:
        return ACTIONS[key]
    except KeyError:
        raise LookupError(f"Unknown action {key!r}; use one of: {', '.join(sorted(ACTIONS))}.") from None


def _by_id_or_name(model, ref: Any):
    query = Q(name=str(ref))
    if str(ref).isdigit():
        query |= Q(pk=int(ref))
    return model.objects.filter(query).first()


def _create_task(ctx: Context, p: dict) -> dict[str, Any]:
    values = ctx.values()
    task = customer_services.task_create(
        actor=ctx.actor, account=ctx.account, title=render(p["title"], values)[:300],
        description=render(p["description"], values) + f"\n\nWhy: {ctx.reason()}", priority=p["priority"],
        owner=engagement_services.owner_for(p["owner_role"], ctx.account),
        due_date=ctx.today + dt.timedelta(days=p["due_in_days"]), source="rule",
    )
    return {"action": "create_task", "task_id": task.pk, "title": task.title}


def _start_playbook(ctx: Context, p: dict) -> dict[str, Any]:
    playbook = _by_id_or_name(Playbook, p["playbook"])
    if playbook is None:
        raise ValidationError(f"There is no playbook {p['playbook']!r}.")
    run = playbooks.playbook_start(actor=ctx.actor, playbook=playbook, account=ctx.account, today=ctx.today,
                                   firing=ctx.firing)
    return {"action": "start_playbook", "run_id": run.pk, "playbook": playbook.name}


def _escalate(ctx: Context, p: dict) -> dict[str, Any]:
    esc = escalation.escalate(actor=ctx.actor, account=ctx.account, reason=ctx.reason(), firing=ctx.firing,
                              due_in_days=p["due_in_days"], today=ctx.today)
    return {"action": "escalate", "escalation_id": esc.pk, "task_id": esc.task_id,
            "to": esc.to_contact.name if esc.to_contact else None}


def _notify(ctx: Context, p: dict) -> dict[str, Any]:
    channel = _by_id_or_name(Channel, p["channel"])
    if channel is None:
        raise ValidationError(f"There is no channel {p['channel']!r}.")
    values = ctx.values()
    subject = render(p["subject"], values)
    body = render(p["message"], values) + f"\n\nWhy: {ctx.reason()}"
    payload = {"event": "rule.fired", "rule": {"id": ctx.rule.pk, "name": ctx.rule.name},
               "account": {"id": ctx.account.pk, "name": ctx.account.name, "external_id": ctx.account.external_id},
               "cause": ctx.firing.cause, "why": ctx.why, "fired_at": ctx.firing.fired_at.isoformat(),
               "message": body}
    d = delivery.notification_queue(channel=channel, subject=subject, body=body, payload=payload,
                                    account=ctx.account, firing=ctx.firing)
    return {"action": "notify", "delivery_id": d.pk, "channel": channel.name}


SETTABLE = {"lifecycle_stage": LifecycleStage, "tier": Tier, "segment": Segment}


def _set_field(ctx: Context, p: dict) -> dict[str, Any]:
    before = getattr(ctx.account, p["field"])
    customer_services.account_update(actor=ctx.actor, account=ctx.account, **{p["field"]: p["value"]})
    return {"action": "set_field", "field": p["field"], "from": before, "to": p["value"]}


def _check_playbook(p: dict) -> None:
    if _by_id_or_name(Playbook, p["playbook"]) is None:
        raise ValidationError({"playbook": f"There is no playbook {p['playbook']!r}."})


def _check_channel(p: dict) -> None:
    if _by_id_or_name(Channel, p["channel"]) is None:
        raise ValidationError({"channel": f"There is no channel {p['channel']!r}."})


def _check_field(p: dict) -> None:
    choices = SETTABLE[p["field"]]
    if p["value"] not in choices.values:
        raise ValidationError({"value": f"Use one of: {', '.join(choices.values)} (not {p['value']!r})."})


OWNER_ROLES = tuple(OwnerRole.choices)

register(Action("create_task", "Create a task", (
    Param("title", "Title", "str", required=True, help="e.g. Call {account}: {days_quiet} days quiet"),
    Param("description", "Description", "text", ""),
    Param("due_in_days", "Due in (days)", "int", 3, minimum=0),
    Param("priority", "Priority", "choice", TaskPriority.HIGH, tuple(TaskPriority.choices)),
    Param("owner_role", "Owner", "choice", OwnerRole.ACCOUNT_OWNER, OWNER_ROLES),
), _create_task))
register(Action("start_playbook", "Start a playbook", (
    Param("playbook", "Playbook (name or id)", "str", required=True),
), _start_playbook, _check_playbook))
register(Action("escalate", "Escalate up the customer's chain of command", (
    Param("due_in_days", "Task due in (days)", "int", 2, minimum=0),
), _escalate))
register(Action("notify", "Notify a channel (e-mail, Slack, webhook)", (
    Param("channel", "Channel (name or id)", "str", required=True),
    Param("subject", "Subject", "str", "{rule}: {account}"),
    Param("message", "Message", "text", "{rule} fired for {account} (owner: {owner})."),
), _notify, _check_channel))
register(Action("set_field", "Set an account field", (
    Param("field", "Field", "choice", "lifecycle_stage", tuple((k, k.replace("_", " ")) for k in SETTABLE)),
    Param("value", "Value", "str", required=True),
), _set_field, _check_field))
