"""The rules engine: candidates from triggers, filtered, deduplicated, capped, then acted on.

For each active rule, the trigger names candidates (account, cause, why): event triggers from a
batch of outbox events, scheduled triggers from one scan of the book. Then, in memory over one
row per account: conditions on account fields; snoozes (one query per rule); the causes already
fired (one query per rule and 500 causes); the frequency cap (firings of the rule per account in
the last ``cap_days``, one query). Each surviving candidate becomes a ``Firing`` and its actions
run in one transaction with it (each action in a savepoint: one failing action is logged and
does not undo the others). A candidate held back by the cap is logged as *capped*, with no
actions, so the log says why nothing happened.

The uniqueness of (rule, account, cause) makes evaluation idempotent: re-reading a batch of
events after a crash, or running the daily scan twice, fires nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from paceline.automation import actions as action_registry
from paceline.automation import conditions, triggers
from paceline.automation.models import Firing, FiringStatus, Rule, Snooze
from paceline.automation.params import coerce_params
from paceline.core.models import ActivityEvent
from paceline.core.services import Actor
from paceline.customers.models import Account

logger = logging.getLogger(__name__)

RULES_ACTOR = Actor(user=None, via="rule")
CHUNK = 500
# Events about things that happened longer ago than this (history imported or backfilled) do not
# fire rules: an alert about last year's departure is noise.
MAX_EVENT_AGE = dt.timedelta(days=14)


@dataclass
class Summary:
    candidates: int = 0
    fired: int = 0
    capped: int = 0
    failed: int = 0
    skipped: Counter = field(default_factory=Counter)  # condition, snoozed, duplicate

    def add(self, other: Summary) -> None:
        self.candidates += other.candidates
        self.fired += other.fired
        self.capped += other.capped
        self.failed += other.failed
        self.skipped.update(other.skipped)

    def as_dict(self) -> dict[str, int]:
        return {"candidates": self.candidates, "fired": self.fired, "capped": self.capped, "failed": self.failed,
                **{f"skipped_{k}": v for k, v in sorted(self.skipped.items())}}


def _account_rows(ids: Iterable[int] | None) -> dict[int, dict]:
    qs = Account.objects.all()
    if ids is not None:
        ids = list(ids)
        rows = {}
        for i in range(0, len(ids), CHUNK * 4):
            for row in qs.filter(pk__in=ids[i:i + CHUNK * 4]).values(*conditions.ACCOUNT_VALUES):
                rows[row["pk"]] = row
        return rows
    return {row["pk"]: row for row in qs.values(*conditions.ACCOUNT_VALUES).iterator(chunk_size=5000)}


def _accounts_to_act_on(ids: set[int]) -> dict[int, Account]:
    """The accounts a rule is about to act on, with their owners, in one query per chunk rather
    than one per firing (the actions need the model instances, not just the condition fields)."""
    ids_sorted = sorted(ids)
    found: dict[int, Account] = {}
    for i in range(0, len(ids_sorted), CHUNK * 4):
        found.update((a.pk, a) for a in Account.objects.select_related("owner").filter(pk__in=ids_sorted[i:i + CHUNK * 4]))
    return found


def _fired_causes(rule: Rule, candidates: list[triggers.Candidate]) -> set[tuple[int, str]]:
    causes = sorted({c.cause for c in candidates})
    seen: set[tuple[int, str]] = set()
    for i in range(0, len(causes), CHUNK):
        seen.update(Firing.objects.filter(rule=rule, cause__in=causes[i:i + CHUNK]).values_list("account_id", "cause"))
    return seen


def _recent_counts(rule: Rule, now: dt.datetime) -> dict[int, int]:
    if not rule.cap_days or not rule.cap_count:
        return {}
    rows = (Firing.objects.filter(rule=rule, fired_at__gte=now - dt.timedelta(days=rule.cap_days))
            .exclude(status=FiringStatus.CAPPED).values("account_id").annotate(n=Count("id")))
    return {r["account_id"]: r["n"] for r in rows}


def _run_actions(rule: Rule, account: Account, firing: Firing, why: dict, today: dt.date) -> tuple[list, bool]:
    ctx = action_registry.Context(rule=rule, account=account, firing=firing, why=why, actor=RULES_ACTOR, today=today)
    outcome, failed = [], False
    for i, spec in enumerate(rule.actions or [], start=1):
        try:
            action = action_registry.get(spec.get("type"))
            params = coerce_params(action.params, spec.get("params"), where=f"actions[{i}].params")
            with transaction.atomic():
                outcome.append({"ok": True, **action.run(ctx, params)})
        except Exception as exc:  # logged on the firing; the other actions still run
            failed = True
            message = "; ".join(exc.messages) if hasattr(exc, "messages") else f"{type(exc).__name__}: {exc}"
            outcome.append({"ok": False, "action": spec.get("type"), "error": message[:500]})
            logger.warning("Rule %s, action %s failed for account %s: %s", rule.pk, spec.get("type"), account.pk, message)
    return outcome, failed


def fire(rule: Rule, candidates: list[triggers.Candidate], *, now: dt.datetime, today: dt.date,
         accounts: dict[int, dict] | None = None) -> Summary:
    """Act on one rule's candidates (see the module's docstring for the order of the filters)."""
    summary = Summary(candidates=len(candidates))
    if not candidates:
        return summary
    # One candidate per (account, cause); the latest data wins.
    unique = {(c.account_id, c.cause): c for c in candidates if c.account_id is not None}
    candidates = list(unique.values())
    if accounts is None:
        accounts = _account_rows({c.account_id for c in candidates})
    conds = rule.conditions or []
    kept = []
    for c in candidates:
        row = accounts.get(c.account_id)
        if row is None or not conditions.all_hold(conds, row):
            summary.skipped["condition"] += 1
        else:
            kept.append(c)
    snoozed = set(Snooze.objects.filter(rule=rule, until__gte=today).values_list("account_id", flat=True))
    fired_before = _fired_causes(rule, kept)
    recent = _recent_counts(rule, now)
    loaded = _accounts_to_act_on({c.account_id for c in kept
                                  if c.account_id not in snoozed and (c.account_id, c.cause) not in fired_before})
    for c in sorted(kept, key=lambda c: (c.account_id, c.cause)):
        if c.account_id in snoozed:
            summary.skipped["snoozed"] += 1
            continue
        if (c.account_id, c.cause) in fired_before:
            summary.skipped["duplicate"] += 1
            continue
        capped = bool(rule.cap_days and rule.cap_count) and recent.get(c.account_id, 0) >= rule.cap_count
        try:
            with transaction.atomic():
                firing = Firing.objects.create(rule=rule, account_id=c.account_id, cause=c.cause[:200], fired_at=now,
                                               why=c.why, status=FiringStatus.CAPPED if capped else FiringStatus.DONE)
                if not capped:
                    # Each instance serves one firing: a second cause for the same account reads
                    # the account again, as the first one's actions may have changed it.
                    account = loaded.pop(c.account_id, None) or Account.objects.select_related("owner").get(
                        pk=c.account_id)
                    outcome, failed = _run_actions(rule, account, firing, c.why, today)
                    firing.outcome = outcome
                    firing.status = FiringStatus.FAILED if failed else FiringStatus.DONE
                    firing.save(update_fields=["outcome", "status"])
        except IntegrityError:  # another evaluator fired it first
            summary.skipped["duplicate"] += 1
            continue
        if capped:
            summary.capped += 1
        else:
            recent[c.account_id] = recent.get(c.account_id, 0) + 1
            summary.fired += 1
            summary.failed += firing.status == FiringStatus.FAILED
    return summary


def _usable(rules: list[Rule], *, scheduled: bool, summary: Summary) -> list[tuple[Rule, triggers.Trigger, dict]]:
    """The rules of one kind with their trigger's parameters. A rule whose stored parameters no
    longer check out (a trigger changed since it was saved) is skipped and logged: it must not
    hold back the others, nor stop the outbox cursor."""
    usable = []
    for rule in rules:
        trigger = triggers.TRIGGERS.get(rule.trigger)
        if trigger is None or trigger.scheduled != scheduled:
            continue
        try:
            params = coerce_params(trigger.params, rule.trigger_params, where="trigger_params")
        except ValidationError as exc:
            summary.skipped["invalid_rule"] += 1
            logger.warning("Rule %s skipped: its trigger parameters do not check out: %s", rule.pk, exc.messages)
            continue
        usable.append((rule, trigger, params))
    return usable


def evaluate_events(events: list[ActivityEvent], *, rules: list[Rule] | None = None,
                    now: dt.datetime | None = None) -> Summary:
    """Match a batch of outbox events against every active event-triggered rule."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rules = rules if rules is not None else list(Rule.objects.filter(active=True))
    by_kind: dict[str, list[ActivityEvent]] = defaultdict(list)
    stale = 0
    for e in events:
        if e.account_id is None:
            continue
        if e.occurred_at < now - MAX_EVENT_AGE:
            stale += 1
            continue
        by_kind[e.kind].append(e)
    summary = Summary()
    per_rule: list[tuple[Rule, list[triggers.Candidate]]] = []
    for rule, trigger, params in _usable(rules, scheduled=False, summary=summary):
        found = [c for kind in trigger.events for e in by_kind.get(kind, ()) if (c := trigger.match(e, params))]
        if found:
            per_rule.append((rule, found))
    if stale:
        summary.skipped["stale"] = stale
    if not per_rule:
        return summary
    accounts = _account_rows({c.account_id for _, found in per_rule for c in found})
    for rule, found in per_rule:
        summary.add(fire(rule, found, now=now, today=today, accounts=accounts))
    return summary


def evaluate_scheduled(*, today: dt.date | None = None, rules: list[Rule] | None = None,
                       now: dt.datetime | None = None) -> Summary:
    """Scan the book for every active scheduled rule (renewal in N days, N days of silence...)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    rules = rules if rules is not None else list(Rule.objects.filter(active=True))
    summary = Summary()
    scheduled = _usable(rules, scheduled=True, summary=summary)
    if not scheduled:
        return summary
    accounts = _account_rows(None)
    for rule, trigger, params in scheduled:
        summary.add(fire(rule, list(trigger.scan(params, today)), now=now, today=today, accounts=accounts))
    return summary
