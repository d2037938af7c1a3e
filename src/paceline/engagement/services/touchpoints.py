"""Touchpoint plans applied to accounts, and touchpoints kept, held or missed.

Matching is by account, kind and window: an interaction of the touchpoint's kind (or any
conversation: notes never count) logged within ``window_days`` of its date keeps the nearest open
touchpoint; with no summary it is *held* until the result is recorded. A planned touchpoint whose
window has passed is *missed*, once, with a ``touchpoint.missed`` event for the rules engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import SYSTEM, Actor, audit_record, event_emit, snapshot
from paceline.customers import services as customer_services
from paceline.customers.models import (
    Account,
    Interaction,
    InteractionKind,
    LifecycleStage,
    Subscription,
    SubscriptionStatus,
)
from paceline.engagement.models import (
    ANY_KIND,
    OPEN_TOUCHPOINT,
    OwnerRole,
    Touchpoint,
    TouchpointPlan,
    TouchpointStatus,
)

TOUCHPOINT_FIELDS = frozenset({"name", "kind", "purpose", "expected_result", "due_date", "window_days", "owner"})


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def first_leader():
    return get_user_model().objects.filter(role="leader", is_active=True).order_by("id").first()


def owner_for(role: str, account: Account, *, leader=None):
    """Who owns a step with this role on this account: its CSM, or a CS leader (also when the
    account has no CSM)."""
    if role == OwnerRole.ACCOUNT_OWNER and account.owner_id is not None:
        return account.owner
    return leader if leader is not None else first_leader()


def current_term_start(account: Account, *, today: dt.date | None = None) -> dt.date | None:
    """The start of the contract term the account is in today (the latest active subscription
    that has started), or None when it has none."""
    today = _today(today)
    return (
        Subscription.objects.filter(account=account, status=SubscriptionStatus.ACTIVE, start_date__lte=today)
        .order_by("-start_date")
        .values_list("start_date", flat=True)
        .first()
    )


def plan_for(account: Account) -> TouchpointPlan | None:
    """The plan applied automatically to this account: its segment's, else one for every segment."""
    plans = TouchpointPlan.objects.filter(active=True, auto_apply=True).filter(Q(segment=account.segment) | Q(segment=""))
    return min(plans, key=lambda p: (p.segment == "", p.name), default=None)


@transaction.atomic
def plan_apply(
    *, actor: Actor, plan: TouchpointPlan, account: Account, today: dt.date | None = None,
    term_start: dt.date | None = None,
) -> list[Touchpoint]:
    """Turn the plan into dated, owned touchpoints for the account's current term.

    Steps whose window has already passed, or that fall after the renewal, are left out. Applying
    the same plan twice for the same term adds nothing.
    """
    today = _today(today)
    start = term_start or current_term_start(account, today=today)
    if start is None:
        raise ValidationError({"account": f"{account.name} has no active contract: a plan runs from a term's start to its renewal."})
    renewal = account.next_renewal_date
    leader = first_leader()
    existing = set(Touchpoint.objects.filter(account=account, term_start=start, step__plan=plan).values_list("step_id", flat=True))
    created = []
    for step in plan.steps.all():
        due = step.due_on(start=start, renewal=renewal)
        if step.pk in existing or due is None or due + dt.timedelta(days=step.window_days) < today:
            continue
        if renewal is not None and due > renewal:
            continue
        created.append(Touchpoint(
            account=account, plan=plan, step=step, term_start=start, source="plan", name=step.name,
            kind=step.kind, purpose=step.purpose, expected_result=step.expected_result, due_date=due,
            window_days=step.window_days, owner=owner_for(step.owner_role, account, leader=leader),
        ))
    Touchpoint.objects.bulk_create(created)
    if created:
        event_emit(kind="touchpoint.plan_applied", account_id=account.pk, actor=actor, subject=plan,
                   payload={"plan": plan.name, "term_start": start, "touchpoints": len(created)})
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=account, account_id=account.pk,
                     before={"touchpoint_plan": None}, after={"touchpoint_plan": f"{plan.name} from {start:%Y-%m-%d}"})
    return created


def plans_apply_auto(*, today: dt.date | None = None, account_ids: Iterable[int] | None = None) -> int:
    """Apply each segment's automatic plan to live accounts whose current term has none yet."""
    today = _today(today)
    plans = list(TouchpointPlan.objects.filter(active=True, auto_apply=True).prefetch_related("steps"))
    if not plans:
        return 0
    accounts = Account.objects.exclude(lifecycle_stage=LifecycleStage.CHURNED).filter(
        subscriptions__status=SubscriptionStatus.ACTIVE, subscriptions__start_date__lte=today
    ).distinct()
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    terms = dict(
        Subscription.objects.filter(account__in=accounts, status=SubscriptionStatus.ACTIVE, start_date__lte=today)
        .order_by("account_id", "start_date").values_list("account_id", "start_date")
    )  # the latest start per account wins: ordered ascending, later rows overwrite
    covered = set(Touchpoint.objects.filter(source="plan", account__in=accounts).values_list("account_id", "term_start"))
    by_segment = {}
    for plan in sorted(plans, key=lambda p: (p.segment == "", p.name), reverse=True):
        by_segment[plan.segment] = plan  # keeps the first by name
    applied = 0
    for account in accounts.select_related("owner"):
        start = terms.get(account.pk)
        if start is None or (account.pk, start) in covered:
            continue
        plan = by_segment.get(account.segment) or by_segment.get("")
        if plan is None:
            continue
        if plan_apply(actor=SYSTEM, plan=plan, account=account, today=today, term_start=start):
            applied += 1
    return applied


# Touchpoints one by one ---------------------------------------------------------------------------


def _check(fields: dict[str, Any]) -> None:
    unknown = set(fields) - TOUCHPOINT_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})


def _save(tp: Touchpoint, *, actor: Actor, before: dict | None) -> Touchpoint:
    tp.full_clean()
    tp.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
                 instance=tp, before=before, after=snapshot(tp), account_id=tp.account_id)
    return tp


@transaction.atomic
def touchpoint_create(*, actor: Actor, account: Account, name: str, due_date: dt.date, source: str = "manual",
                      **fields: Any) -> Touchpoint:
    _check(fields)
    fields.setdefault("owner", account.owner)
    return _save(Touchpoint(account=account, name=name, due_date=due_date, source=source, **fields), actor=actor, before=None)


@transaction.atomic
def touchpoint_update(*, actor: Actor, touchpoint: Touchpoint, **fields: Any) -> Touchpoint:
    """Change a touchpoint; only an open one moves (a kept or missed one is history)."""
    _check(fields)
    if not touchpoint.is_open and {"due_date", "window_days"} & set(fields):
        raise ValidationError({"status": f"This touchpoint is {touchpoint.get_status_display().lower()}: only an open one moves."})
    before = snapshot(touchpoint)
    for name, value in fields.items():
        setattr(touchpoint, name, value)
    return _save(touchpoint, actor=actor, before=before)


def _close(tp: Touchpoint, *, actor: Actor, status: str, on: dt.date, interaction: Interaction | None = None,
           result: str | None = None) -> Touchpoint:
    before = snapshot(tp)
    tp.status = status
    tp.closed_on = on if status != TouchpointStatus.HELD else None
    if interaction is not None:
        tp.interaction = interaction
    if result is not None:
        tp.result = result
    _save(tp, actor=actor, before=before)
    if status in (TouchpointStatus.KEPT, TouchpointStatus.MISSED):
        event_emit(kind=f"touchpoint.{status}", account_id=tp.account_id, actor=actor, subject=tp,
                   payload={"name": tp.name, "due_date": tp.due_date, "owner_id": tp.owner_id, "kind": tp.kind},
                   occurred_at=timezone.make_aware(dt.datetime.combine(on, dt.time(12))))
    return tp


@transaction.atomic
def touchpoint_record_result(*, actor: Actor, touchpoint: Touchpoint, result: str,
                             interaction: Interaction | None = None, today: dt.date | None = None) -> Touchpoint:
    """Keep a touchpoint: its result, and the interaction it happened in (if not linked yet)."""
    if not (result or "").strip():
        raise ValidationError({"result": "Say what came of it: a touchpoint is kept with its result."})
    if touchpoint.status not in OPEN_TOUCHPOINT and touchpoint.status != TouchpointStatus.MISSED:
        raise ValidationError({"status": f"This touchpoint is {touchpoint.get_status_display().lower()}."})
    if interaction is not None and interaction.account_id != touchpoint.account_id:
        raise ValidationError({"interaction": "That interaction belongs to another account."})
    on = (interaction or touchpoint.interaction).occurred_at.date() if (interaction or touchpoint.interaction) else _today(today)
    return _close(touchpoint, actor=actor, status=TouchpointStatus.KEPT, on=on, interaction=interaction, result=result.strip())


@transaction.atomic
def touchpoint_complete(*, actor: Actor, touchpoint: Touchpoint, result: str, kind: str | None = None,
                        occurred_at: dt.datetime | None = None, contacts: Iterable | None = None) -> Touchpoint:
    """Log the conversation that kept the touchpoint on the timeline, and keep it (the cockpit's
    one-click complete)."""
    if not (result or "").strip():
        raise ValidationError({"result": "Say what came of it: a touchpoint is kept with its result."})
    if kind in (None, "", ANY_KIND):
        kind = touchpoint.kind if touchpoint.kind != ANY_KIND else InteractionKind.MEETING
    interaction = customer_services.interaction_create(
        actor=actor, account=touchpoint.account, kind=kind, occurred_at=occurred_at or timezone.now(),
        subject=touchpoint.name, summary=result.strip(), contacts=contacts,
        users=[actor.user] if actor.user is not None else None,
    )
    return touchpoint_record_result(actor=actor, touchpoint=touchpoint, result=result, interaction=interaction)


@transaction.atomic
def touchpoint_cancel(*, actor: Actor, touchpoint: Touchpoint, today: dt.date | None = None) -> Touchpoint:
    if not touchpoint.is_open:
        raise ValidationError({"status": f"This touchpoint is already {touchpoint.get_status_display().lower()}."})
    return _close(touchpoint, actor=actor, status=TouchpointStatus.CANCELLED, on=_today(today))


# Matching and the daily check ---------------------------------------------------------------------


def interactions_match(interaction_ids: Iterable[int]) -> int:
    """Let newly logged interactions keep (or hold) the open touchpoints they fall on. Idempotent."""
    ids = list(interaction_ids)
    if not ids:
        return 0
    linked = set(Touchpoint.objects.filter(interaction_id__in=ids).values_list("interaction_id", flat=True))
    interactions = [i for i in Interaction.objects.filter(pk__in=ids).exclude(kind=InteractionKind.NOTE)
                    .order_by("occurred_at", "id") if i.pk not in linked]
    matched = 0
    for interaction in interactions:
        day = timezone.localdate(interaction.occurred_at)
        candidates = [
            tp for tp in Touchpoint.objects.filter(
                account_id=interaction.account_id, status=TouchpointStatus.PLANNED, kind__in=[ANY_KIND, interaction.kind],
                due_date__gte=day - dt.timedelta(days=90), due_date__lte=day + dt.timedelta(days=90),
            ) if tp.window_start <= day <= tp.window_end
        ]
        if not candidates:
            continue
        tp = min(candidates, key=lambda t: (abs((t.due_date - day).days), t.kind == ANY_KIND, t.pk))
        with transaction.atomic():
            if interaction.summary.strip():
                _close(tp, actor=SYSTEM, status=TouchpointStatus.KEPT, on=day, interaction=interaction,
                       result=interaction.summary.strip())
            else:
                _close(tp, actor=SYSTEM, status=TouchpointStatus.HELD, on=day, interaction=interaction)
        matched += 1
    return matched


def touchpoints_check_missed(*, today: dt.date | None = None) -> int:
    """Mark planned touchpoints whose window ended before today as missed (each once)."""
    today = _today(today)
    missed = 0
    due = Touchpoint.objects.filter(status=TouchpointStatus.PLANNED, due_date__lt=today).order_by("due_date", "id")
    for tp in due.iterator(chunk_size=500):
        if tp.window_end >= today:
            continue
        with transaction.atomic():
            locked = Touchpoint.objects.select_for_update().get(pk=tp.pk)
            if locked.status != TouchpointStatus.PLANNED:
                continue
            _close(locked, actor=SYSTEM, status=TouchpointStatus.MISSED, on=locked.window_end)
        missed += 1
    return missed
