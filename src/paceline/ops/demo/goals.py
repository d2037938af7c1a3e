"""The demo's goal library: what Brightwave's customers set out to achieve, sized to each account.

Brightwave sells procurement and accounts-payable software, so its customers' goals are about
invoices, approvals, suppliers, spend and the people trained to use it. Each idea draws its
numbers (baseline, target, team size) from the account's segment and size, so an SMB's
"suppliers on the portal" is dozens and an enterprise's is hundreds. Ideas are plain data plus a
small sizing function; ``success.py`` turns them into goals, metrics and commitments.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from paceline.customers.models import Segment
from paceline.ops.demo.world import AccountPlan


@dataclass(frozen=True)
class MetricShape:
    name: str
    unit: str
    direction: str
    baseline: Decimal
    target: Decimal
    currency: str = ""
    denominator: Decimal | None = None
    laps: int = 0  # evenly spaced checkpoints before the target (0: none)
    cumulative: bool = False  # a running total (people trained, savings): it never goes down


@dataclass(frozen=True)
class Commitment:
    title: str
    side: str  # "vendor" or "customer"
    at: float  # share of the way from the goal's start to its target date
    who: str = "champion"  # for the customer side: champion, admin, sponsor


@dataclass(frozen=True)
class GoalIdea:
    key: str
    title: str
    description: str  # the customer's words
    wants: str  # completes "success this year means ..."
    metrics: Callable[[random.Random, AccountPlan], list[MetricShape]]
    commitments: tuple[Commitment, ...]
    segments: tuple[str, ...] = (Segment.SMB, Segment.MID_MARKET, Segment.ENTERPRISE)
    days: tuple[int, int] = (150, 300)  # from the plan's start to the target date
    subgoals: tuple[SubGoal, ...] = ()


@dataclass(frozen=True)
class SubGoal:
    title: str
    description: str
    at: float  # its target date, as a share of the parent's span
    commitments: tuple[Commitment, ...] = field(default_factory=tuple)


def _d(value: float, places: int = 0) -> Decimal:
    return Decimal(str(round(value, places))) if places else Decimal(round(value))


def _scale(account: AccountPlan, smb: tuple[int, int], mid: tuple[int, int], ent: tuple[int, int]) -> tuple[int, int]:
    return {Segment.SMB: smb, Segment.MID_MARKET: mid}.get(account.segment, ent)


def team_size(rng: random.Random, account: AccountPlan) -> int:
    low, high = _scale(account, (6, 20), (20, 80), (60, 240))
    size = rng.randint(low, high)
    return max(10, round(size / 10) * 10) if size >= 20 else size


def _invoice_time(rng, account):
    base = rng.choice((8, 9, 10, 12, 14, 15))
    return [MetricShape("Invoice processing time", "days", "lower", _d(base), _d(base * rng.uniform(0.3, 0.45), 1), laps=2)]


def _training(rng, account):
    team = team_size(rng, account)
    share = rng.choice((50, 60, 75, 80))
    return [MetricShape("Finance team trained", "percent", "higher", Decimal(0), Decimal(share), denominator=Decimal(team),
                        cumulative=True)]


def _spend(rng, account):
    base = rng.randint(10, 35)
    return [MetricShape("Spend under management", "percent", "higher", Decimal(base), Decimal(rng.choice((60, 70, 75, 80))), laps=3)]


def _suppliers(rng, account):
    low, high = _scale(account, (20, 60), (80, 300), (300, 1500))
    target = round(rng.randint(low, high), -1)
    return [MetricShape("Suppliers invoicing through the portal", "count", "higher", Decimal(rng.randint(0, 8)), Decimal(target),
                        cumulative=True)]


def _touchless(rng, account):
    return [MetricShape("Invoices matched without a manual touch", "percent", "higher",
                        Decimal(rng.randint(5, 20)), Decimal(rng.choice((55, 60, 70, 80))), laps=2)]


def _savings(rng, account):
    low, high = _scale(account, (10, 40), (50, 300), (300, 2000))
    target = rng.randint(low, high) * 1000
    return [MetricShape("Negotiated savings realised", "currency", "higher", Decimal(0), Decimal(target), currency="USD", laps=3,
                        cumulative=True)]


def _close(rng, account):
    base = rng.randint(8, 14)
    return [MetricShape("Days to close the month", "days", "lower", Decimal(base), Decimal(rng.randint(4, 6)))]


def _requesters(rng, account):
    seats = max(account.seats0, 8)
    return [MetricShape("Weekly active requesters", "count", "higher", _d(seats * rng.uniform(0.05, 0.15)),
                        _d(seats * rng.uniform(0.6, 0.8)))]


def _approvals(rng, account):
    hours = rng.choice((24, 30, 36, 48))
    return [MetricShape("Median approval time for a standard request", "duration", "lower", Decimal(hours * 3600),
                        Decimal(rng.choice((4, 6, 8)) * 3600))]


def _discounts(rng, account):
    low, high = _scale(account, (5, 20), (20, 120), (100, 600))
    return [MetricShape("Early-payment discounts captured", "currency", "higher", Decimal(0),
                        Decimal(rng.randint(low, high) * 1000), currency="USD", cumulative=True)]


def _cycle(rng, account):
    base = rng.randint(10, 15)
    return [
        MetricShape("Requisition-to-order cycle time", "days", "lower", Decimal(base), Decimal(rng.randint(3, 5))),
        MetricShape("Purchases on contract", "percent", "higher", Decimal(rng.randint(30, 50)), Decimal(rng.choice((75, 80, 85)))),
    ]


V, C = "vendor", "customer"

IDEAS: tuple[GoalIdea, ...] = (
    GoalIdea(
        "invoice_time", "Cut invoice processing time", "Suppliers paid on time: invoices approved in days, not weeks.",
        "invoices approved in days, not weeks", _invoice_time,
        (Commitment("Configure the invoice approval rules", V, 0.08),
         Commitment("Send the list of approvers by cost centre", C, 0.05, "admin"),
         Commitment("Run the accounts-payable workshop", V, 0.2),
         Commitment("Move the top suppliers to e-invoicing", C, 0.45)),
    ),
    GoalIdea(
        "training", "Train {target}% of the finance team", "Everyone who touches an invoice knows the new way of working.",
        "a finance team that knows the new way of working", _training,
        (Commitment("Schedule the training sessions", V, 0.06),
         Commitment("Nominate the first training cohort", C, 0.08),
         Commitment("Make the course part of new-hire onboarding", C, 0.4, "sponsor"),
         Commitment("Send the completion report every month", V, 0.5)),
        days=(240, 365),
    ),
    GoalIdea(
        "spend", "Bring spend under management", "Every purchase goes through one process we can see and steer.",
        "every purchase going through one process", _spend,
        (Commitment("Map the current purchasing channels", V, 0.05),
         Commitment("Publish the purchasing policy to all requesters", C, 0.15, "sponsor"),
         Commitment("Load the catalogue of preferred suppliers", V, 0.3),
         Commitment("Retire the old purchase-request form", C, 0.55, "admin")),
        segments=(Segment.MID_MARKET, Segment.ENTERPRISE),
        subgoals=(SubGoal("Pilot with the head office", "One department on the new process first.", 0.3,
                          (Commitment("Configure the pilot", V, 0.3), Commitment("Pick the pilot users", C, 0.15))),),
    ),
    GoalIdea(
        "suppliers", "Onboard suppliers to the portal", "Suppliers send invoices and catalogues through the portal.",
        "suppliers working with them through the portal", _suppliers,
        (Commitment("Send the supplier invitation campaign", V, 0.1),
         Commitment("Share the supplier master list", C, 0.05, "admin"),
         Commitment("Tell suppliers the portal is the only way to invoice", C, 0.5, "sponsor")),
        segments=(Segment.MID_MARKET, Segment.ENTERPRISE),
        subgoals=(SubGoal("Top 50 suppliers onboarded", "The suppliers behind most of the spend come first.", 0.4,
                          (Commitment("Call the top 50 suppliers", C, 0.3), Commitment("Host the supplier webinar", V, 0.2))),),
    ),
    GoalIdea(
        "touchless", "Automate invoice matching", "Invoices that match their order and receipt are paid without anyone touching them.",
        "invoices paid without anyone touching them", _touchless,
        (Commitment("Turn on three-way matching", V, 0.1),
         Commitment("Clean up the open purchase orders", C, 0.2, "admin"),
         Commitment("Review the matching exceptions together", V, 0.5)),
        segments=(Segment.MID_MARKET, Segment.ENTERPRISE),
    ),
    GoalIdea(
        "savings", "Realise the negotiated savings", "The discounts we negotiate show up in what we actually pay.",
        "negotiated savings showing up in what they pay", _savings,
        (Commitment("Build the savings dashboard", V, 0.1),
         Commitment("Agree how savings are counted with finance", C, 0.1, "sponsor"),
         Commitment("Quarterly savings review", V, 0.5)),
        segments=(Segment.MID_MARKET, Segment.ENTERPRISE),
        subgoals=(SubGoal("Integrations live", "Orders and invoices flow from the ERP without re-keying.", 0.35,
                          (Commitment("Provide the ERP credentials", C, 0.1, "admin"),
                           Commitment("Configure the ERP sync", V, 0.3))),),
    ),
    GoalIdea(
        "close", "Close the books faster", "Month-end is a few days of checks, not two weeks of chasing.",
        "a faster month-end close", _close,
        (Commitment("Set up accrual reports", V, 0.1),
         Commitment("Agree the cut-off rules with the controller", C, 0.15, "sponsor"),
         Commitment("Review the first close together", V, 0.35)),
    ),
    GoalIdea(
        "requesters", "Get every buyer on the new request flow", "People ask for what they need in one place and get it.",
        "every buyer asking in one place", _requesters,
        (Commitment("Invite all licensed users", C, 0.05, "admin"),
         Commitment("Run the requester training", V, 0.12),
         Commitment("Switch off the request mailbox", C, 0.45)),
    ),
    GoalIdea(
        "approvals", "Approve standard requests the same day", "A standard request is approved within a working day.",
        "standard requests approved the same day", _approvals,
        (Commitment("Simplify the approval chains", V, 0.1),
         Commitment("Set approval limits by role", C, 0.15, "sponsor"),
         Commitment("Turn on mobile approvals", V, 0.3)),
        days=(120, 240),
    ),
    GoalIdea(
        "discounts", "Capture early-payment discounts", "We pay early where it pays us to.",
        "early-payment discounts captured", _discounts,
        (Commitment("Flag discount terms on invoices", V, 0.1),
         Commitment("Agree the payment-run calendar", C, 0.15),
         Commitment("Review missed discounts monthly", V, 0.4)),
        segments=(Segment.SMB, Segment.MID_MARKET),
    ),
    GoalIdea(
        "cycle", "Shorten the purchasing cycle", "An order goes out days after the request, on contract.",
        "orders out in days, on contract", _cycle,
        (Commitment("Configure catalogue buying", V, 0.1),
         Commitment("Load the framework contracts", C, 0.2, "admin"),
         Commitment("Review off-contract spend together", V, 0.5)),
        segments=(Segment.MID_MARKET, Segment.ENTERPRISE),
    ),
)

GOALS_PER_PLAN = {Segment.SMB: (1, 2), Segment.MID_MARKET: (2, 3), Segment.ENTERPRISE: (3, 4)}


def pick_ideas(rng: random.Random, account: AccountPlan) -> list[GoalIdea]:
    fitting = [idea for idea in IDEAS if account.segment in idea.segments]
    count = min(len(fitting), rng.randint(*GOALS_PER_PLAN[account.segment]))
    return rng.sample(fitting, count)


TRAINING = next(idea for idea in IDEAS if idea.key == "training")

DATE_PUSHED = (
    "The ERP upgrade slipped a quarter; the rollout waits for it.",
    "Year-end freeze: the second wave moves after it.",
    "The project lead was out for two months; both sides agreed more time.",
)
TARGET_LOWERED = (
    "Scope cut to the head office after the reorganisation.",
    "Budget for the second region was frozen; the target covers the first only.",
    "The subsidiaries stay on their own tools this year.",
)
TEAM_GREW = "The finance team grew from {old} to {new} people after an acquisition."
SAME_PEOPLE = "{new_pct}% of {new} is the same {people} people as {old_pct}% of {old}: the same success."


# Goals laid out for one plan: from an idea of the library or from a plan template ----------------


@dataclass
class MetricSpec:
    shape: MetricShape
    days: int  # from the plan's start to the metric's target date
    laps: list[tuple[int, Decimal, str]]  # (days from the start, target, label)


@dataclass
class GoalSpec:
    title: str
    description: str
    days: int
    metrics: list[MetricSpec]
    commitments: list[tuple[str, str, int, str]]  # (title, side, days from the start, who)
    subgoals: list[GoalSpec] = field(default_factory=list)
    wants: str = ""


PLACES = {"count": 0, "percent": 1, "currency": 0, "duration": 0, "days": 1, "ratio": 2, "score": 1}
BOUNDS = {"count": (0, None), "percent": (0, 100), "currency": (0, None), "duration": (0, None), "days": (0, None)}


def quantize(unit: str, value: float) -> Decimal:
    """A value as people record it in that unit (whole counts, one decimal of a percent, durations
    to the minute), in bounds."""
    low, high = BOUNDS.get(unit, (None, None))
    if low is not None:
        value = max(low, value)
    if high is not None:
        value = min(high, value)
    if unit == "duration":
        value = round(value / 60) * 60  # to the minute
    places = PLACES.get(unit, 2)
    return Decimal(str(round(value, places))) if places else Decimal(round(value))


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def even_laps(shape: MetricShape, days: int) -> list[tuple[int, Decimal, str]]:
    n = shape.laps + 1
    b, t = float(shape.baseline), float(shape.target)
    return [(round(days * i / n), quantize(shape.unit, b + (t - b) * i / n), f"Lap {i}") for i in range(1, shape.laps + 1)]


def from_idea(rng: random.Random, account: AccountPlan, idea: GoalIdea, *, subgoal_odds: float) -> GoalSpec:
    days = rng.randint(*idea.days)
    shapes = idea.metrics(rng, account)
    return GoalSpec(
        title=idea.title.format(target=_plain(shapes[0].target)),
        description=idea.description,
        days=days,
        metrics=[MetricSpec(shape, days, even_laps(shape, days)) for shape in shapes],
        commitments=[(c.title, c.side, round(days * c.at), c.who) for c in idea.commitments],
        subgoals=[
            GoalSpec(sub.title, sub.description, max(1, round(days * sub.at)), [],
                     [(c.title, c.side, round(days * c.at), c.who) for c in sub.commitments])
            for sub in idea.subgoals if rng.random() < subgoal_odds
        ],
        wants=idea.wants,
    )


def from_template(rng: random.Random, account: AccountPlan, goal: dict) -> GoalSpec:
    """A goal of a validated template structure, as ``plan_create_from_template`` lays it out; a
    weekly-active-users target is sized to the account's seats, as a CSM would before agreeing it."""
    metrics = []
    for m in goal.get("metrics", []):
        target = m["target"]
        if m["name"] == "Weekly active users":
            target = max(5, round(account.seats0 * rng.uniform(0.5, 0.8)))
        shape = MetricShape(m["name"], m["unit"], m["direction"], quantize(m["unit"], m["baseline"]), quantize(m["unit"], target))
        laps = [(c["days"], quantize(m["unit"], c["target"]), c.get("label", "")) for c in m.get("checkpoints", [])]
        metrics.append(MetricSpec(shape, m["days"], laps))
    return GoalSpec(
        title=goal["title"], description=goal.get("description", ""), days=goal["days"], metrics=metrics,
        commitments=[(a["title"], a["side"], a["days"], "champion") for a in goal.get("actions", [])],
        subgoals=[from_template(rng, account, sub) for sub in goal.get("subgoals", [])],
    )


def showcase_training(days: int = 365) -> GoalSpec:
    """The seed's example: train 50% of a finance team of 100 in year one."""
    shape = MetricShape("Finance team trained", "percent", "higher", Decimal(0), Decimal(50), denominator=Decimal(100),
                        cumulative=True)
    return GoalSpec(
        title="Train 50% of the finance team", description="Half of the finance team trained in year one: 50 people.",
        days=days, metrics=[MetricSpec(shape, days, [])],
        commitments=[(c.title, c.side, round(days * c.at), c.who) for c in TRAINING.commitments],
        wants=TRAINING.wants,
    )
