"""The naive evaluator the rules engine is measured against: each rule, each account, with queries.

For each account and each active rule, in the engine's order (event rules, then scheduled ones,
each by name): fetch the account and check the conditions; then ask the database for what the
trigger needs about that one account (its events since the cursor, or its last conversation);
for each candidate, whether the rule is snoozed there, whether the cause fired already, and how
often the rule fired there recently; then fire as the engine does, with the same actions. This is
what a first version written with the ORM one object at a time looks like.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from paceline.automation import conditions, engine, triggers
from paceline.automation.models import Firing, FiringStatus, Rule, Snooze
from paceline.automation.params import coerce_params
from paceline.core.models import ActivityEvent
from paceline.customers.models import Account, Interaction, LifecycleStage


def in_engine_order(rules: list[Rule]) -> list[Rule]:
    """Event rules first (the outbox is read before the daily scan), each group by name."""
    return sorted(rules, key=lambda r: (triggers.TRIGGERS[r.trigger].scheduled, r.name))


def _scheduled(rule: Rule, account: Account, params: dict, today: dt.date) -> list[triggers.Candidate]:
    if account.lifecycle_stage == LifecycleStage.CHURNED:
        return []
    days = params["days"]
    if rule.trigger == "renewal_in":
        renewal = account.next_renewal_date
        if renewal is None or not today <= renewal <= today + dt.timedelta(days=days):
            return []
        return [triggers.Candidate(account.pk, f"renewal:{renewal.isoformat()}", {
            "renewal_date": renewal.isoformat(), "days_to_renewal": (renewal - today).days, "arr": str(account.arr)})]
    last = (Interaction.objects.filter(account_id=account.pk, kind__in=triggers.CONVERSATIONS)
            .aggregate(last=Max("occurred_at"))["last"])
    day = timezone.localdate(last) if last else None
    if day is None or day >= today - dt.timedelta(days=days):
        return []  # every account of the benchmark has conversations
    return [triggers.Candidate(account.pk, f"silent-since:{day.isoformat()}", {
        "last_conversation": day.isoformat(), "days_quiet": (today - day).days})]


def _from_events(trigger: triggers.Trigger, account: Account, params: dict, *, after_event: int,
                 now: dt.datetime) -> list[triggers.Candidate]:
    events = ActivityEvent.objects.filter(account_id=account.pk, kind__in=trigger.events, id__gt=after_event,
                                          occurred_at__gte=now - engine.MAX_EVENT_AGE).order_by("id")
    found = {}
    for event in events:
        candidate = trigger.match(event, params)
        if candidate:
            found[candidate.cause] = candidate
    return list(found.values())


def _fire(rule: Rule, account: Account, candidate: triggers.Candidate, *, now: dt.datetime,
          today: dt.date) -> str | None:
    if Snooze.objects.filter(rule=rule, account_id=account.pk, until__gte=today).exists():
        return None
    if Firing.objects.filter(rule=rule, account_id=account.pk, cause=candidate.cause).exists():
        return None
    capped = False
    if rule.cap_days and rule.cap_count:
        recent = (Firing.objects.filter(rule=rule, account_id=account.pk,
                                        fired_at__gte=now - dt.timedelta(days=rule.cap_days))
                  .exclude(status=FiringStatus.CAPPED).count())
        capped = recent >= rule.cap_count
    with transaction.atomic():
        firing = Firing.objects.create(rule=rule, account=account, cause=candidate.cause[:200], fired_at=now,
                                       why=candidate.why, status=FiringStatus.CAPPED if capped else FiringStatus.DONE)
        if not capped:
            firing.outcome, failed = engine._run_actions(rule, account, firing, candidate.why, today)
            firing.status = FiringStatus.FAILED if failed else FiringStatus.DONE
            firing.save(update_fields=["outcome", "status"])
    return firing.status


def evaluate(rules: list[Rule], account_ids: list[int], *, after_event: int,
             now: dt.datetime) -> tuple[set[tuple], dict[str, float]]:
    """Fire every rule on every account, one at a time; everything it wrote is rolled back.

    Returns the firings it made as (rule, account, cause, status) and the seconds spent on event
    and on scheduled rules.
    """
    today = timezone.localdate(now)
    fired: set[tuple] = set()
    spent = {"events": 0.0, "scheduled": 0.0}
    with transaction.atomic():
        for pk in account_ids:
            for rule in rules:
                began = time.perf_counter()
                trigger = triggers.TRIGGERS[rule.trigger]
                account = Account.objects.select_related("owner").get(pk=pk)
                row = {"pk": pk, **{name: getattr(account, name) for name in conditions.FIELDS}}
                if conditions.all_hold(rule.conditions or [], row):
                    params = coerce_params(trigger.params, rule.trigger_params, where="trigger_params")
                    found = (_scheduled(rule, account, params, today) if trigger.scheduled
                             else _from_events(trigger, account, params, after_event=after_event, now=now))
                    for candidate in found:
                        status = _fire(rule, account, candidate, now=now, today=today)
                        if status:
                            fired.add((rule.pk, pk, candidate.cause, status))
                spent["scheduled" if trigger.scheduled else "events"] += time.perf_counter() - began
        transaction.set_rollback(True)
    return fired, spent
