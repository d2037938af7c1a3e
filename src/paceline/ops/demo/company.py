"""The customers: accounts by segment and tier, parent companies with their subsidiaries, owners.

About 5% of accounts are parent companies (enterprise) with two to five subsidiaries each (a
subsidiary signs its own contract, after its parent, and is owned by the parent's CSM). The rest
stand alone: 7% enterprise, 33% mid-market, 60% SMB. Each account's fate is decided here (see
``fate``) because its lifecycle stage depends on it.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from paceline.customers.models import Account, Segment, Tier
from paceline.ops.demo import fate as fates
from paceline.ops.demo.team import book_owners
from paceline.ops.demo.world import AccountPlan, World, historical_timestamps

INDUSTRIES: dict[str, tuple[str, ...]] = {
    "Logistics": ("Logistics", "Freight", "Transport", "Shipping"),
    "Healthcare": ("Health", "Medical", "Care", "Clinics"),
    "Manufacturing": ("Manufacturing", "Industries", "Components", "Works"),
    "Financial services": ("Capital", "Financial", "Insurance", "Bancorp"),
    "Retail": ("Retail", "Stores", "Brands", "Outfitters"),
    "Software": ("Software", "Labs", "Systems", "Digital"),
    "Education": ("Learning", "Academy", "Education"),
    "Construction": ("Builders", "Construction", "Engineering"),
    "Energy": ("Energy", "Power", "Utilities"),
    "Hospitality": ("Hotels", "Hospitality", "Resorts"),
    "Food and beverage": ("Foods", "Beverages", "Kitchens"),
    "Professional services": ("Partners", "Consulting", "Advisors"),
}
PREFIXES = (
    "North", "Blue", "Summit", "Pioneer", "Harbor", "Evergreen", "Granite", "Silver", "Crescent",
    "Redwood", "Apex", "Meridian", "Lakeside", "Ironwood", "Bright", "Keystone", "Cascade", "Sterling",
)
DIVISIONS = ("Europe", "North America", "APAC", "UK", "Germany", "Canada", "Services", "Digital", "Labs", "Nordics")
SUFFIXES = ("", "", "", "", " Group", " Inc.", " Co.", " Holdings")

# (lowest, highest) initial ARR of the core contract, and its list price per seat per year.
ARR_RANGE = {
    Segment.SMB: (4_800, 28_000),
    Segment.MID_MARKET: (28_000, 120_000),
    Segment.ENTERPRISE: (120_000, 650_000),
}
SEAT_PRICE = {Segment.SMB: 480, Segment.MID_MARKET: 420, Segment.ENTERPRISE: 360}
EMPLOYEES = {Segment.SMB: (15, 250), Segment.MID_MARKET: (250, 2_500), Segment.ENTERPRISE: (2_500, 60_000)}


def _log_uniform(rng, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _tier(rng, segment: str, arr: int) -> str:
    if segment == Segment.ENTERPRISE:
        return Tier.TIER_2 if arr < 180_000 and rng.random() < 0.3 else Tier.TIER_1
    if segment == Segment.MID_MARKET:
        return Tier.TIER_1 if arr > 95_000 and rng.random() < 0.5 else Tier.TIER_2
    return Tier.TIER_2 if arr > 20_000 else Tier.TIER_3


def _start(rng) -> int:
    """Days before the anchor the first contract began: most accounts have two to three years."""
    roll = rng.random()
    if roll < 0.65:
        return -rng.randint(730, 1095)
    if roll < 0.9:
        return -rng.randint(365, 729)
    return -rng.randint(20, 364)


def _layout(world: World) -> list[tuple[int | None, str]]:
    """(parent position, segment) for every account: groups first, each parent then its subsidiaries."""
    rng = world.rng("company", "layout")
    total = world.config.accounts
    groups = max(1, round(total * 0.05)) if total >= 12 else 0
    layout: list[tuple[int | None, str]] = []
    for _ in range(groups):
        if len(layout) + 3 > total:
            break
        parent = len(layout)
        layout.append((None, Segment.ENTERPRISE))
        for _ in range(min(rng.randint(2, 5), total - len(layout))):
            layout.append((parent, Segment.ENTERPRISE if rng.random() < 0.4 else Segment.MID_MARKET))
    while len(layout) < total:
        roll = rng.random()
        segment = Segment.ENTERPRISE if roll < 0.07 else Segment.MID_MARKET if roll < 0.4 else Segment.SMB
        layout.append((None, segment))
    return layout


def plan(world: World) -> list[AccountPlan]:
    plans: list[AccountPlan] = []
    bases: dict[int, str] = {}
    taken: set[str] = set()
    for index, (parent, segment) in enumerate(_layout(world)):
        rng = world.rng("company", index)
        fake = world.faker("company", index)
        if parent is None:
            industry = rng.choice(sorted(INDUSTRIES))
            base = f"{fake.last_name() if rng.random() < 0.6 else rng.choice(PREFIXES)} {rng.choice(INDUSTRIES[industry])}"
            while base in taken:
                base = f"{base} {rng.choice(PREFIXES)}"
            bases[index] = base
            name = base + rng.choice(SUFFIXES)
            domain = f"{_slug(base)}.example"
            owner_pool = book_owners(segment)
            owner = rng.choice(owner_pool) if owner_pool else None
            if segment == Segment.SMB and rng.random() < 0.1:
                owner = None  # the pooled, unassigned tail of the tech-touch book
            start = _start(rng)
        else:
            mother = plans[parent]
            industry = mother.industry
            division = rng.choice(DIVISIONS)
            name = f"{bases[parent]} {division}"
            while name in taken:
                division = f"{division} {rng.choice(DIVISIONS)}"
                name = f"{bases[parent]} {division}"
            domain = f"{_slug(division)}.{mother.domain}"
            owner = mother.owner
            start = min(-30, mother.fate.start + rng.randint(30, 400))
        taken.add(name)
        taken.add(bases.get(index, name))
        low, high = ARR_RANGE[segment]
        price = SEAT_PRICE[segment]
        seats = max(5, round(_log_uniform(rng, low, high) / price))
        arr = seats * price
        employees = round(_log_uniform(rng, *EMPLOYEES[segment]))
        account = AccountPlan(
            index=index, name=name, domain=domain, industry=industry, employees=employees,
            segment=segment, tier=_tier(rng, segment, arr), arr0=Decimal(arr), seats0=seats,
            parent=parent, owner=owner,
        )
        account.fate = fates.decide_fate(world.rng("fate", index), segment=segment, start=start)
        plans.append(account)
    return plans


def run(world: World, progress) -> int:
    world.accounts = plan(world)
    progress.total(len(world.accounts))
    rows = []
    for account in world.accounts:
        created = world.moment(account.fate.start - 14, 10 * 60)
        rows.append(
            Account(
                name=account.name, external_id=account.external_id, domain=account.domain,
                industry=account.industry, employees=account.employees, segment=account.segment,
                tier=account.tier, lifecycle_stage=fates.lifecycle_stage(account.fate),
                owner=world.users.get(account.owner) if account.owner else None,
                currency="USD", created_at=created, updated_at=created,
            )
        )
        account.obj = rows[-1]
    with historical_timestamps(Account):
        # Parents first, so their subsidiaries can point at saved rows.
        top = [a.obj for a in world.accounts if a.parent is None]
        Account.objects.bulk_create(top, batch_size=2000)
        progress.advance(len(top))
        children = []
        for account in world.accounts:
            if account.parent is not None:
                account.obj.parent = world.accounts[account.parent].obj
                children.append(account.obj)
        Account.objects.bulk_create(children, batch_size=2000)
        progress.advance(len(children))
    return len(rows)
