"""The five fundamentals of seed 001, evaluated from the data (never ticked by hand).

1. **Availability**: for each open need of the account, an active resource serves its area at the
   account's lifecycle stage and segment.
2. **Escalation path**: someone above the primary contact (else the champion) in the customer's
   chain of command is known, and was in a conversation in the last ``ESCALATION_DAYS``.
3. **Prescriptive plan**: the current term has touchpoints reaching its renewal, and they are
   being kept (kept share at least ``PLAN_KEPT_SHARE``, none missed in ``PLAN_MISSED_DAYS``).
4. **Mutual accountability**: commitments of both sides are tracked, the customer keeps theirs
   (share at least ``COMMITMENTS_KEPT_SHARE``), and the primary contact or champion took part in a
   conversation in ``ENGAGED_DAYS``.
5. **Goals**: the success plan was reviewed (or measured, or a goal closed) in ``GOALS_REVIEW_DAYS``
   and no open goal is past its target date without a hit, miss or change.

Everything is read as it was known on ``as_of`` (business dates; a contact counts from when it was
recorded until it left), in a fixed number of queries for any number of accounts
(``fundamentals_data``). The resource catalogue has no history: it is read as it is now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from paceline.health.facts import Fact, Facts
from paceline.health.fundamentals_data import Book, ContactRow, load
from paceline.success.models import ActionStatus, Side

ESCALATION_DAYS = 90  # the next level up was in a conversation this recently
PLAN_REACH_DAYS = 60  # the last planned touchpoint is due at most this long before the renewal
PLAN_KEPT_SHARE = 0.7  # kept / (kept + missed) of the term's touchpoints so far
PLAN_MISSED_DAYS = 60  # no touchpoint missed this recently
COMMITMENTS_DAYS = 180  # commitments due in this window (either side of as_of) count as tracked
COMMITMENTS_KEPT_SHARE = 0.7  # customer commitments done by their due date / due so far
ENGAGED_DAYS = 60  # the primary contact or champion was in a conversation this recently
GOALS_REVIEW_DAYS = 90  # plan reviewed, a metric measured or a goal closed this recently

KEYS = ("availability", "escalation", "plan", "accountability", "goals")
LABELS = {
    "availability": "Availability",
    "escalation": "Escalation path",
    "plan": "Prescriptive plan",
    "accountability": "Mutual accountability",
    "goals": "Goals",
}
FACT_KEYS = {
    "escalation": "fundamentals.escalation_path",
    "plan": "fundamentals.plan_kept",
    "accountability": "fundamentals.accountability",
}


@dataclass(frozen=True)
class FundamentalResult:
    key: str
    passed: bool
    reason: str  # what was found, in words
    missing: str = ""  # what to put in place; empty when it passes
    # False when the account has none of the data this fundamental reads (no contact recorded, no
    # contract term, no success plan): it still fails on the page, but feeds no fact to the score,
    # where the model's missing-data policy decides.
    evaluated: bool = True

    @property
    def label(self) -> str:
        return LABELS[self.key]


def _day(value: dt.date) -> str:
    return value.isoformat()


def _active(c: ContactRow, as_of: dt.date) -> bool:
    return c.left_on is None or c.left_on > as_of


def start_contact(contacts: Iterable[ContactRow], as_of: dt.date) -> ContactRow | None:
    """Whom the chain of command starts from: the primary contact, else an active champion."""
    active = sorted((c for c in contacts if _active(c, as_of)), key=lambda c: c.id)
    return next((c for c in active if c.is_primary), None) or next((c for c in active if c.is_champion), None)


def next_up(start: ContactRow, by_id: dict[int, ContactRow], as_of: dt.date) -> ContactRow | None:
    """The first person above ``start`` still there on ``as_of`` (the same walk as escalations)."""
    seen = {start.id}
    node = by_id.get(start.reports_to) if start.reports_to else None
    while node is not None and node.id not in seen:
        if _active(node, as_of):
            return node
        seen.add(node.id)
        node = by_id.get(node.reports_to) if node.reports_to else None
    return None


def availability(book: Book, account_id: int) -> FundamentalResult:
    account = book.accounts[account_id]
    needs = book.needs.get(account_id, [])
    serving = [r for r in book.resources if r.serves(stage=account.stage, segment=account.segment)]
    if not needs:
        return FundamentalResult("availability", True, f"No open need; {len(serving)} resource(s) serve this stage and segment.")
    covered = {area for r in serving for area in r.areas}
    gaps = sorted({name for area, name in needs if area not in covered})
    if gaps:
        return FundamentalResult("availability", False, f"{len(gaps)} of {len(needs)} open need(s) have no resource.",
                                 "A resource for: " + ", ".join(gaps) + ".")
    return FundamentalResult("availability", True, f"Every open need ({len(needs)}) has a resource.")


def escalation(book: Book, account_id: int, as_of: dt.date) -> FundamentalResult:
    contacts = book.contacts.get(account_id, {})
    start = start_contact(contacts.values(), as_of)
    if start is None:
        return FundamentalResult("escalation", False, "No primary contact or champion.", "A primary contact, and the person they report to.",
                                 evaluated=any(_active(c, as_of) for c in contacts.values()))
    above = next_up(start, contacts, as_of)
    if above is None:
        return FundamentalResult("escalation", False, f"Nobody is known above {start.name}.",
                                 f"The person {start.name} reports to, in the chain of command.")
    last = book.last_talk(above.id, as_of)
    if last is None or (as_of - last).days > ESCALATION_DAYS:
        return FundamentalResult("escalation", False, f"No conversation with {above.name} (above {start.name}) in {ESCALATION_DAYS} days.",
                                 f"A conversation with {above.name} within {ESCALATION_DAYS} days.")
    return FundamentalResult("escalation", True, f"{above.name} is next up from {start.name}; met on {_day(last)}.")


def plan(book: Book, account_id: int, as_of: dt.date) -> FundamentalResult:
    term = book.term(account_id, as_of)
    if term is None:
        return FundamentalResult("plan", False, "No contract term on this day.", "A current subscription with its renewal date.",
                                 evaluated=False)
    start, renewal = term
    points = [t for t in book.touchpoints.get(account_id, []) if t.term_start == start]
    if not points:
        return FundamentalResult("plan", False, f"No touchpoint planned for the term starting {_day(start)}.",
                                 "A touchpoint plan applied to the current term.")
    last_due = max(t.due for t in points)
    if (renewal - last_due).days > PLAN_REACH_DAYS:
        return FundamentalResult("plan", False, f"The plan stops on {_day(last_due)}; renewal is {_day(renewal)}.",
                                 f"Touchpoints up to the renewal on {_day(renewal)}.")
    kept = sum(1 for t in points if t.kept_by(as_of))
    missed = [t for t in points if t.missed_by(as_of)]
    share = kept / (kept + len(missed)) if kept + len(missed) else None
    recent = [t for t in missed if (as_of - t.closed_on).days <= PLAN_MISSED_DAYS]
    if recent:
        return FundamentalResult("plan", False, f"{len(recent)} touchpoint(s) missed in {PLAN_MISSED_DAYS} days ("
                                 + ", ".join(t.name for t in recent) + ").", "The missed touchpoints held again.")
    if share is not None and share < PLAN_KEPT_SHARE:
        return FundamentalResult("plan", False, f"{kept} of {kept + len(missed)} touchpoints kept ({share:.0%}).",
                                 f"At least {PLAN_KEPT_SHARE:.0%} of touchpoints kept.")
    so_far = f"{kept} of {kept + len(missed)} kept" if share is not None else "none due yet"
    return FundamentalResult("plan", True, f"{len(points)} touchpoints through renewal on {_day(renewal)}; {so_far}.")


def accountability(book: Book, account_id: int, as_of: dt.date) -> FundamentalResult:
    items = [i for i in book.commitments.get(account_id, []) if abs((i.due - as_of).days) <= COMMITMENTS_DAYS]
    sides = {i.side for i in items}
    if sides != {Side.CUSTOMER, Side.VENDOR}:
        lacking = " and ".join(label for side, label in ((Side.CUSTOMER, "the customer's"), (Side.VENDOR, "our team's"))
                               if side not in sides)
        has_plan = bool(items) or bool(book.goals.get(account_id))
        return FundamentalResult("accountability", False, f"No commitment of {lacking} tracked within {COMMITMENTS_DAYS} days.",
                                 f"Commitments of {lacking} in the success plan.", evaluated=has_plan)
    due = [i for i in items if i.side == Side.CUSTOMER and i.due < as_of and i.status != ActionStatus.CANCELLED]
    kept = sum(1 for i in due if i.done_on is not None and i.done_on <= min(i.due, as_of))
    if due and kept / len(due) < COMMITMENTS_KEPT_SHARE:
        return FundamentalResult("accountability", False, f"The customer kept {kept} of {len(due)} commitments due.",
                                 f"The customer keeping at least {COMMITMENTS_KEPT_SHARE:.0%} of theirs.")
    start = start_contact(book.contacts.get(account_id, {}).values(), as_of)
    last = book.last_talk(start.id, as_of) if start else None
    if last is None or (as_of - last).days > ENGAGED_DAYS:
        who = start.name if start else "No primary contact or champion"
        return FundamentalResult("accountability", False, f"{who}: no conversation in {ENGAGED_DAYS} days.",
                                 "A conversation with the primary contact or champion (or a new one).")
    kept_words = f"customer kept {kept} of {len(due)}" if due else "none of the customer's due yet"
    return FundamentalResult("accountability", True, f"Both sides' commitments tracked; {kept_words}; {start.name} met on {_day(last)}.")


def goals(book: Book, account_id: int, as_of: dt.date) -> FundamentalResult:
    rows = book.goals.get(account_id, [])
    if not rows:
        return FundamentalResult("goals", False, "No success plan with goals.", "A success plan with the customer's goals.")
    signals = [d for d in (book.reviewed.get(account_id), book.measured.get(account_id)) if d]
    signals += [g.closed_on for g in rows if g.closed_on and g.closed_on <= as_of]
    last = max((d for d in signals if d <= as_of), default=None)
    overdue = [g for g in rows if g.open_on(as_of) and g.target_date and g.target_date < as_of]
    if overdue:
        return FundamentalResult("goals", False, f"{len(overdue)} open goal(s) past their target date ("
                                 + ", ".join(g.title for g in overdue[:3]) + ").", "Whether each was hit, missed or changed.")
    if last is None or (as_of - last).days > GOALS_REVIEW_DAYS:
        when = f"not reviewed since {_day(last)}" if last else "never reviewed"
        return FundamentalResult("goals", False, f"Goals {when}.", f"A review of the goals within {GOALS_REVIEW_DAYS} days.")
    return FundamentalResult("goals", True, f"Goals reviewed on {_day(last)}; every goal past its date has an outcome.")


def _evaluate_one(book: Book, account_id: int, as_of: dt.date) -> list[FundamentalResult]:
    return [availability(book, account_id), escalation(book, account_id, as_of), plan(book, account_id, as_of),
            accountability(book, account_id, as_of), goals(book, account_id, as_of)]


def evaluate(account_ids: Iterable[int] | QuerySet, *, as_of: dt.date) -> dict[int, list[FundamentalResult]]:
    """The five fundamentals of each account as of a day, in ``KEYS`` order (a fixed number of queries).

    ``account_ids`` may be a query of accounts: it is then read as a subquery (a whole book)."""
    scope = account_ids if isinstance(account_ids, QuerySet) else list(account_ids)
    book = load(scope, as_of=as_of, talk_days=max(ESCALATION_DAYS, ENGAGED_DAYS),
                commitment_days=COMMITMENTS_DAYS)
    return {account_id: _evaluate_one(book, account_id, as_of) for account_id in book.accounts}


def as_facts(results: list[FundamentalResult], as_of: dt.date) -> Facts:
    """The fundamentals that feed the health factors, as 0/1 facts with the reason as the note; one
    with nothing to read (``evaluated`` false) is left out: unknown, not a made-up zero."""
    return {FACT_KEYS[r.key]: Fact(1.0 if r.passed else 0.0, as_of, r.reason if r.passed else f"{r.reason} Missing: {r.missing}")
            for r in results if r.key in FACT_KEYS and r.evaluated}


def fundamental_facts(account_ids: Iterable[int], *, as_of: dt.date) -> dict[int, Facts]:
    """For ``facts.gather``: ``fundamentals.escalation_path``, ``.plan_kept``, ``.accountability``."""
    return {account_id: as_facts(results, as_of) for account_id, results in evaluate(account_ids, as_of=as_of).items()}


@dataclass(frozen=True)
class BookView:
    """One page of the fundamentals view: accounts' ids in order with their results, and the counts."""

    ids: list[int]  # every account that matches, in the query's order
    results: dict[int, list[FundamentalResult]]
    failing: dict[str, int]  # per fundamental: accounts failing it (of all that match the filters)
    total: int  # accounts evaluated (before the failing filter)


def book_view(accounts: QuerySet, *, as_of: dt.date, failing: str = "") -> BookView:
    """The fundamentals of a whole (filtered) book, in a fixed number of queries; ``failing`` keeps the
    accounts that fail that fundamental. The counts are over every account the filters keep."""
    results = evaluate(accounts, as_of=as_of)
    counts = {key: 0 for key in KEYS}
    for rows in results.values():
        for r in rows:
            counts[r.key] += not r.passed
    order = [pk for pk in accounts.values_list("pk", flat=True) if pk in results]
    if failing:
        position = KEYS.index(failing)
        order = [pk for pk in order if not results[pk][position].passed]
    return BookView(order, results, counts, len(results))


def facts_reader(account_ids: list[int], as_of: dt.date) -> dict[int, Facts]:
    """``fundamental_facts`` in the shape of ``gathering``'s readers."""
    return fundamental_facts(account_ids, as_of=as_of)
