"""Reads of the automation app, each a fixed number of queries whatever the size of the list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from paceline.automation import actions as action_registry
from paceline.automation import conditions, triggers
from paceline.automation.models import (
    Channel,
    Delivery,
    Escalation,
    Firing,
    Playbook,
    PlaybookRun,
    PlaybookRunItem,
    Rule,
    Snooze,
)
from paceline.automation.services import run_progress
from paceline.customers.models import Account

RECENT_DAYS = 30


def rules_list() -> QuerySet[Rule]:
    """Every rule with how many times it fired (not counting capped) in the last 30 days."""
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    return Rule.objects.annotate(
        recent_firings=Count("firings", filter=Q(firings__fired_at__gte=since) & ~Q(firings__status="capped")),
    ).order_by("-active", "name")


def trigger_label(key: str) -> str:
    trigger = triggers.TRIGGERS.get(key)
    return trigger.label if trigger else f"{key} (unknown trigger)"


def describe_trigger(rule: Rule) -> str:
    trigger = triggers.TRIGGERS.get(rule.trigger)
    return trigger.explain(rule.trigger_params or {}) if trigger else f"{rule.trigger} (unknown trigger)"


def describe_conditions(rule: Rule) -> str:
    try:
        return conditions.describe(rule.conditions or [])
    except KeyError:
        return "conditions on fields that no longer exist"


def describe_actions(rule: Rule) -> list[str]:
    return [action_registry.ACTIONS[a["type"]].label if a.get("type") in action_registry.ACTIONS else str(a.get("type"))
            for a in rule.actions or []]


def firings(*, rule: Rule | None = None, account: Account | None = None, status: str = "",
            account_id: int | None = None, rule_id: int | None = None) -> QuerySet[Firing]:
    qs = Firing.objects.select_related("rule", "account")
    if rule is not None:
        qs = qs.filter(rule=rule)
    if rule_id is not None:
        qs = qs.filter(rule_id=rule_id)
    if account is not None:
        qs = qs.filter(account=account)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if status:
        qs = qs.filter(status=status)
    return qs


def snoozes(*, rule: Rule | None = None, account: Account | None = None, active_only: bool = True) -> QuerySet[Snooze]:
    qs = Snooze.objects.select_related("rule", "account", "created_by")
    if active_only:
        qs = qs.filter(until__gte=timezone.localdate())
    if rule is not None:
        qs = qs.filter(rule=rule)
    if account is not None:
        qs = qs.filter(account=account)
    return qs


def playbooks_list() -> QuerySet[Playbook]:
    return Playbook.objects.annotate(
        step_count=Count("steps", distinct=True),
        active_runs=Count("runs", filter=Q(runs__status="active"), distinct=True),
    ).order_by("-active", "name")


def runs(*, playbook: Playbook | None = None, account: Account | None = None, status: str = "") -> QuerySet[PlaybookRun]:
    """Runs with what progress needs prefetched: items, their task and touchpoint."""
    items = PlaybookRunItem.objects.select_related("task", "touchpoint", "step")
    qs = PlaybookRun.objects.select_related("playbook", "account", "started_by").prefetch_related(
        Prefetch("items", queryset=items))
    if playbook is not None:
        qs = qs.filter(playbook=playbook)
    if account is not None:
        qs = qs.filter(account=account)
    if status:
        qs = qs.filter(status=status)
    return qs


def with_progress(run_list) -> list[PlaybookRun]:
    """The runs with ``done``, ``total`` and ``percent`` set (items already prefetched)."""
    out = list(run_list)
    for run in out:
        run.done, run.total = run_progress(run)
        run.percent = round(100 * run.done / run.total) if run.total else 0
    return out


def channels_list() -> QuerySet[Channel]:
    return Channel.objects.annotate(
        failed=Count("deliveries", filter=Q(deliveries__status="failed")),
        waiting=Count("deliveries", filter=Q(deliveries__status__in=["pending", "sending"])),
    ).order_by("-active", "name")


def deliveries(*, status: str = "", channel_id: int | None = None) -> QuerySet[Delivery]:
    qs = Delivery.objects.select_related("channel", "account", "firing__rule")
    if status:
        qs = qs.filter(status=status)
    if channel_id is not None:
        qs = qs.filter(channel_id=channel_id)
    return qs


def account_automation(account: Account, *, firings_shown: int = 10) -> dict[str, Any]:
    """What the account page's Automation panel shows: a fixed number of queries."""
    return {
        "firings": list(firings(account=account)[:firings_shown]),
        "runs": with_progress(runs(account=account).order_by("status", "-started_on")[:10]),
        "snoozes": list(snoozes(account=account)),
        "escalations": list(Escalation.objects.filter(account=account)
                            .select_related("from_contact", "to_contact", "task")[:5]),
    }
