"""Contracts: the core subscription renewed term after term, add-ons, and each renewal's outcome.

Every term of the fate becomes a ``Core platform`` subscription priced per seat. Some accounts
also buy an ``Analytics add-on`` (from the start or at an expansion) or ``Premium support``
(enterprise, from the start); add-ons co-terminate with the core and share its renewal date. Each
closed term gets a ``RenewalOutcome`` per subscription: the core carries the decision (churned /
contracted / renewed / expanded, with ARR before and after); add-ons renew flat, or churn with
the account, so "did this account churn on that date" has one answer.

Account ARR, MRR and next renewal date are computed here in bulk by ``commercials``, the same rule
as ``customers.services.account_refresh_commercials`` (the tests hold them to agreeing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from paceline.customers.models import (
    Account,
    RenewalKind,
    RenewalOutcome,
    Segment,
    Subscription,
    SubscriptionStatus,
)
from paceline.ops.demo.company import SEAT_PRICE
from paceline.ops.demo.world import AccountPlan, World, historical_timestamps

CORE = "Core platform"
ANALYTICS = "Analytics add-on"
SUPPORT = "Premium support"
AUTO_RENEW = {Segment.SMB: 0.7, Segment.MID_MARKET: 0.4, Segment.ENTERPRISE: 0.1}
NOTICE_DAYS = {Segment.SMB: 30, Segment.MID_MARKET: 60, Segment.ENTERPRISE: 90}
ANALYTICS_ODDS = {Segment.SMB: 0.05, Segment.MID_MARKET: 0.25, Segment.ENTERPRISE: 0.45}
SUPPORT_ODDS = {Segment.SMB: 0.0, Segment.MID_MARKET: 0.05, Segment.ENTERPRISE: 0.35}
CHURN_REASONS = (
    "Moved to a competitor after a pricing review.",
    "Budget cut: the project was shelved.",
    "Acquired; the new parent standardised on another tool.",
    "Low adoption: most seats were never used.",
    "The team never agreed on what success looked like; no measurable value at renewal.",
)
CONTRACT_REASONS = (
    "Reduced seats to match active users.",
    "Dropped a business unit after a reorganisation.",
    "Budget pressure: kept the core team only.",
)
EXPANSION_TEAMS = ("finance", "procurement", "operations", "a new region", "shared services", "IT")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Commercials:
    arr: Decimal
    mrr: Decimal
    next_renewal_date: dt.date | None


def commercials(subscriptions: list[Subscription], today: dt.date) -> Commercials:
    """An account's ARR, MRR and next renewal from its subscriptions (no database)."""
    active = [s for s in subscriptions if s.status == SubscriptionStatus.ACTIVE]
    arr = sum((s.arr for s in active), Decimal("0")).quantize(CENT)
    upcoming = [s.renewal_date or s.end_date for s in active if (s.renewal_date or s.end_date) >= today]
    return Commercials(arr=arr, mrr=(arr / 12).quantize(CENT), next_renewal_date=min(upcoming) if upcoming else None)


def _money(value: float) -> Decimal:
    return Decimal(round(value / 100) * 100).quantize(CENT)


def _note(rng, outcome: str, seats_before: int, seats_after: int, champion_gone: bool) -> str:
    if outcome == RenewalKind.CHURNED:
        return "Champion left and nobody picked the product up." if champion_gone else rng.choice(CHURN_REASONS)
    if outcome == RenewalKind.CONTRACTED:
        return f"{rng.choice(CONTRACT_REASONS)} {seats_before} → {seats_after} seats."
    if outcome == RenewalKind.EXPANDED:
        return f"Added {seats_after - seats_before} seats for {rng.choice(EXPANSION_TEAMS)}."
    return "Renewed on the same terms."


def plan_subscriptions(world: World, account: AccountPlan) -> tuple[list[Subscription], list[RenewalOutcome]]:
    rng = world.rng("contracts", account.index)
    segment, fate = account.segment, account.fate
    price = SEAT_PRICE[segment]
    auto_renew = rng.random() < AUTO_RENEW[segment]
    notice = NOTICE_DAYS[segment]
    analytics_from = None
    if rng.random() < ANALYTICS_ODDS[segment]:
        expansions = [t.index + 1 for t in fate.terms if t.outcome == RenewalKind.EXPANDED and t.closed]
        analytics_from = rng.choice(expansions) if expansions and rng.random() < 0.6 else 0
    has_support = rng.random() < SUPPORT_ODDS[segment]
    seats = account.seats0
    subs: list[Subscription] = []
    outcomes: list[RenewalOutcome] = []
    previous: list[Subscription] = []
    previous_term = None
    for term in fate.terms:
        core_arr = Decimal(seats * price)
        lines = [(CORE, seats, core_arr)]
        if analytics_from is not None and term.index >= analytics_from:
            lines.append((ANALYTICS, 0, _money(float(core_arr) * 0.18)))
        if has_support:
            lines.append((SUPPORT, 0, _money(float(core_arr) * 0.10)))
        current: list[Subscription] = []
        for product, line_seats, arr in lines:
            created = world.moment(term.start - 7, 15 * 60)
            ended = term.closed
            sub = Subscription(
                account=account.obj, external_id=f"{account.external_id}-s{len(subs):02d}",
                product=product, seats=line_seats, currency="USD", arr=arr,
                start_date=world.date(term.start), end_date=world.date(term.end),
                renewal_date=world.date(term.end), auto_renew=auto_renew, notice_days=notice,
                status=SubscriptionStatus.ENDED if ended else SubscriptionStatus.ACTIVE,
                created_at=created, updated_at=world.moment(term.decided, 15 * 60) if ended else created,
            )
            subs.append(sub)
            current.append(sub)
        if previous_term is not None:
            _close(world, rng, previous_term, previous, current, outcomes, account)
        previous, previous_term = current, term
        if term.closed and term.outcome != RenewalKind.CHURNED:
            after = max(1, round(seats * term.arr_factor))
            if term.outcome == RenewalKind.EXPANDED:
                after = max(after, seats + 1)
            elif term.outcome == RenewalKind.CONTRACTED:
                after = min(after, seats - 1) if seats > 1 else seats
            seats = after
    if previous_term is not None and previous_term.closed:
        _close(world, rng, previous_term, previous, [], outcomes, account)
    return subs, outcomes


def _close(world, rng, term, ending: list[Subscription], renewed: list[Subscription], outcomes, account):
    """The RenewalOutcome rows of one closed term: one per subscription that ended."""
    left = account.fate.champion_left
    champion_gone = left is not None and left <= term.decided
    into = {s.product: s for s in renewed}
    for sub in ending:
        nxt = into.get(sub.product)
        arr_after = nxt.arr if nxt is not None else Decimal("0.00")
        if arr_after == 0:
            outcome = RenewalKind.CHURNED
        elif arr_after > sub.arr:
            outcome = RenewalKind.EXPANDED
        elif arr_after < sub.arr:
            outcome = RenewalKind.CONTRACTED
        else:
            outcome = RenewalKind.RENEWED
        note = ""
        if sub.product == CORE:
            note = _note(rng, outcome, sub.seats, nxt.seats if nxt is not None else 0, champion_gone)
        decided = world.moment(term.decided, 16 * 60)
        outcomes.append(
            RenewalOutcome(
                subscription=sub, account=account.obj, renewed_into=nxt, outcome=outcome,
                decided_on=world.date(term.decided), arr_before=sub.arr, arr_after=arr_after, note=note,
                created_at=decided, updated_at=decided,
            )
        )


def run(world: World, progress) -> int:
    progress.total(len(world.accounts))
    subs: list[Subscription] = []
    outcomes: list[RenewalOutcome] = []
    per_account: list[list[Subscription]] = []
    for account in world.accounts:
        mine, closed = plan_subscriptions(world, account)
        subs.extend(mine)
        outcomes.extend(closed)
        per_account.append(mine)
    with historical_timestamps(Subscription, RenewalOutcome):
        Subscription.objects.bulk_create(subs, batch_size=2000)
        RenewalOutcome.objects.bulk_create(outcomes, batch_size=2000)
    accounts = []
    for account, mine in zip(world.accounts, per_account, strict=True):
        numbers = commercials(mine, world.anchor)
        account.obj.arr, account.obj.mrr = numbers.arr, numbers.mrr
        account.obj.next_renewal_date = numbers.next_renewal_date
        accounts.append(account.obj)
        progress.advance()
    Account.objects.bulk_update(accounts, ["arr", "mrr", "next_renewal_date"], batch_size=1000)
    world.counts["renewal_outcomes"] = len(outcomes)
    return len(subs)
