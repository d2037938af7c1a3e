"""Each account's hidden destiny: its contract terms, how each renewal ends, and how engaged it was.

This is the cause; everything on the timeline is its effect. Pure functions over plain data, no
database. The hidden rules (documented in ``paceline.ops.demo``'s docstring):

- Contracts are annual (365-day) terms renewed back to back. Each renewal ends as churned,
  contracted, renewed or expanded with odds that depend on the segment and on the previous
  outcome (a contraction doubles the churn odds of the next renewal; an expansion lowers them).
- Each term has a latent **engagement** in [0, 1], drawn *given* its outcome from a Beta
  distribution (churned ~ Beta(2, 5), contracted ~ Beta(3, 4), renewed ~ Beta(5, 3),
  expanded ~ Beta(6, 2)). The distributions overlap on purpose: a good score separates churners
  from renewers clearly but not perfectly.
- The **pressure** of a churn-bound term rises linearly from 0 to 1 over the 180 days before the
  customer's decision (half as much before a contraction); activity reads it to make touches
  fade, executives vanish and sentiment sour before a churn. Churners decide 20 to 80 days before
  the end of the term (notice), renewals 0 to 40 days before.
- The term open at the anchor has an outcome too, never written to the database: it is the
  account's destiny, and its first months already show the signal.
- A champion leaves in the 240 to 15 days before a churn decision with probability 0.5 (0.2
  before a contraction), and at a random time with probability 0.06 per term otherwise; at most
  once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from paceline.customers.models import LifecycleStage, RenewalKind

TERM_DAYS = 365
SIGNAL_DAYS = 180
PENDING_DAYS = 21

# Per renewal: churned, contracted, renewed, expanded.
ODDS = {
    "smb": (0.13, 0.08, 0.53, 0.26),
    "mid_market": (0.09, 0.09, 0.47, 0.35),
    "enterprise": (0.05, 0.10, 0.43, 0.42),
}
OUTCOMES = (RenewalKind.CHURNED, RenewalKind.CONTRACTED, RenewalKind.RENEWED, RenewalKind.EXPANDED)
ENGAGEMENT = {
    RenewalKind.CHURNED: (2.0, 5.0),
    RenewalKind.CONTRACTED: (3.0, 4.0),
    RenewalKind.RENEWED: (5.0, 3.0),
    RenewalKind.EXPANDED: (6.0, 2.0),
}


@dataclass(frozen=True)
class Term:
    index: int
    start: int
    end: int
    outcome: str
    engagement: float
    arr_factor: float
    decision: int  # the day the customer decides (before the end: notice periods, negotiations)
    decided: int | None  # the decision day once it has happened; None while the term is open


    @property
    def closed(self) -> bool:
        return self.decided is not None

    def _ramp(self, day: int) -> float:
        return min(1.0, max(0.0, (day - (self.decision - SIGNAL_DAYS)) / SIGNAL_DAYS))

    def pressure(self, day: int) -> float:
        """How far a doomed term has slid: 0 until 180 days before the decision, then up to 1."""
        weight = {RenewalKind.CHURNED: 1.0, RenewalKind.CONTRACTED: 0.5}.get(self.outcome, 0.0)
        return weight * self._ramp(day) if weight else 0.0

    def momentum(self, day: int) -> float:
        """The same ramp for an expansion: more meetings, more executives, as a deal takes shape."""
        return self._ramp(day) if self.outcome == RenewalKind.EXPANDED else 0.0


@dataclass(frozen=True)
class Fate:
    start: int
    terms: tuple[Term, ...]
    champion_left: int | None

    @property
    def churned(self) -> bool:
        last = self.terms[-1]
        return last.closed and last.outcome == RenewalKind.CHURNED

    @property
    def ended(self) -> int:
        """The last day of the story: the churn date, or the anchor (day 0)."""
        return self.terms[-1].end if self.churned else 0

    @property
    def current(self) -> Term:
        return self.terms[-1]

    def term_at(self, day: int) -> Term:
        for term in self.terms:
            if day < term.end:
                return term
        return self.terms[-1]


def draw_outcome(rng: random.Random, segment: str, previous: str | None) -> str:
    churn, contract, renew, expand = ODDS[segment]
    if previous == RenewalKind.CONTRACTED:
        churn *= 2.0
    elif previous == RenewalKind.EXPANDED:
        churn *= 0.6
    total = churn + contract + renew + expand
    pick = rng.random() * total
    for outcome, weight in zip(OUTCOMES, (churn, contract, renew, expand), strict=True):
        pick -= weight
        if pick < 0:
            return outcome
    return RenewalKind.RENEWED


def draw_factor(rng: random.Random, outcome: str) -> float:
    if outcome == RenewalKind.CHURNED:
        return 0.0
    if outcome == RenewalKind.CONTRACTED:
        return rng.uniform(0.55, 0.9)
    if outcome == RenewalKind.EXPANDED:
        return rng.uniform(1.12, 1.6)
    return 1.0


def decide_fate(rng: random.Random, *, segment: str, start: int) -> Fate:
    """The terms from ``start`` (days before the anchor, negative) to the anchor or to churn."""
    terms: list[Term] = []
    begin, previous = start, None
    while True:
        end = begin + TERM_DAYS
        outcome = draw_outcome(rng, segment, previous)
        engagement = rng.betavariate(*ENGAGEMENT[outcome])
        factor = draw_factor(rng, outcome)
        # Customers who leave usually say so early (their notice period); renewals close late.
        lead = rng.randint(20, 80) if outcome == RenewalKind.CHURNED else rng.randint(0, 40)
        decision = min(end - lead, -1) if end <= 0 else end - lead
        decided = None
        if end <= 0 and not (end > -PENDING_DAYS and rng.random() < 0.35):
            decided = decision
        terms.append(Term(len(terms), begin, end, outcome, engagement, factor, decision, decided))
        if decided is None or outcome == RenewalKind.CHURNED:
            break
        begin, previous = end, outcome
    return Fate(start=start, terms=tuple(terms), champion_left=_champion_departure(rng, terms))


def _champion_departure(rng: random.Random, terms: list[Term]) -> int | None:
    for term in terms:
        if term.outcome == RenewalKind.CHURNED:
            chance, low, high = 0.5, term.decision - 240, term.decision - 15
        elif term.outcome == RenewalKind.CONTRACTED:
            chance, low, high = 0.2, term.decision - 240, term.decision - 15
        else:
            chance, low, high = 0.06, term.start + 30, term.end - 30
        hit = rng.random() < chance
        day = rng.randint(max(low, term.start + 20), high)
        if hit and day < -1:
            return day
    return None


def lifecycle_stage(fate: Fate) -> str:
    """The stage a CSM would set, from the contract's age and the next renewal."""
    if fate.churned:
        return LifecycleStage.CHURNED
    current = fate.current
    if -fate.start < 90:
        return LifecycleStage.ONBOARDING
    if current.end <= 120:
        return LifecycleStage.RENEWAL
    if current.index == 0:
        return LifecycleStage.ADOPTION
    return LifecycleStage.MATURITY
