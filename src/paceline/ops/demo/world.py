"""What the demo's steps share: the configuration, the dates, the randomness and the plans made so far.

Every date in the demo is a whole number of days relative to the anchor (day 0 = the load date
unless another is given); only ``World.date`` and ``World.moment`` turn offsets into calendar
values. So the same seed gives the same book, whatever the anchor, shifted in time.

Randomness is keyed, not shared: ``world.rng("activity", account.index)`` is a ``random.Random``
seeded from the seed, the step and the key. A step added later, or a change in how many draws one
account takes, never changes what another step or another account gets.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from faker import Faker

# A seed whose book is typical of the generator: churn counts and signal strengths near their
# averages over many seeds, at 120 accounts (the tests) as at 500 (the demo).
DEFAULT_SEED = 2
DEFAULT_ACCOUNTS = 500
# Bumped whenever the generator's output changes, so a loaded demo can say which version made it.
GENERATOR_VERSION = 5


@dataclass(frozen=True)
class DemoConfig:
    seed: int = DEFAULT_SEED
    accounts: int = DEFAULT_ACCOUNTS
    anchor: dt.date | None = None
    # Scales the number of interactions and tasks (the page benchmark uses it to reach its volume).
    activity_scale: float = 1.0

    def resolved_anchor(self) -> dt.date:
        return self.anchor or timezone.localdate()


@dataclass
class ContactPlan:
    key: int
    name: str
    email: str
    title: str
    level: str
    roles: list[str]
    reports_to: int | None
    joined: int
    left: int | None = None
    is_primary: bool = False
    phone: str = ""
    obj: Any = None

    def active_on(self, day: int) -> bool:
        return self.joined <= day and (self.left is None or day < self.left)


@dataclass
class AccountPlan:
    """One customer as the generator sees it; ``obj`` is the saved Account once the company step ran."""

    index: int
    name: str
    domain: str
    industry: str
    employees: int
    segment: str
    tier: str
    arr0: Decimal
    seats0: int
    parent: int | None
    owner: str | None
    fate: Any = None  # fate.Fate
    contacts: list[ContactPlan] = field(default_factory=list)
    obj: Any = None

    @property
    def external_id(self) -> str:
        return f"demo-{self.index:05d}"

    def contact(self, key: int | None) -> ContactPlan | None:
        if key is None:
            return None
        return self.contacts[key]

    def with_role(self, role: str, day: int | None = None) -> list[ContactPlan]:
        return [c for c in self.contacts if role in c.roles and (day is None or c.active_on(day))]

    def active_contacts(self, day: int) -> list[ContactPlan]:
        return [c for c in self.contacts if c.active_on(day)]


class World:
    """The state one demo load builds up, step by step."""

    def __init__(self, config: DemoConfig):
        self.config = config
        self.anchor = config.resolved_anchor()
        self.users: dict[str, Any] = {}
        self.accounts: list[AccountPlan] = []
        self.counts: dict[str, int] = {}
        # Per account index, the QBRs scheduled: (day, held). Activity fills it; tasks read it.
        self.qbrs: dict[int, list[tuple[int, bool]]] = {}
        # Per account id, the logged conversations (date, kind, id, summary), oldest first; the touchpoint
        # step reads them from the database once for the steps after it.
        self.conversations: dict[int, list[tuple[dt.date, str, int, str]]] = {}
        self._faker = Faker("en_US")

    def rng(self, *keys: object) -> random.Random:
        return random.Random("/".join(map(str, (self.config.seed, *keys))))

    def faker(self, *keys: object) -> Faker:
        self._faker.seed_instance("/".join(map(str, (self.config.seed, *keys))))
        return self._faker

    def date(self, offset: int) -> dt.date:
        return self.anchor + dt.timedelta(days=offset)

    def moment(self, offset: int, minute_of_day: int = 12 * 60) -> dt.datetime:
        """An aware datetime on the day ``offset``, at a minute of that day (UTC)."""
        return dt.datetime.combine(self.date(offset), dt.time(minute_of_day // 60, minute_of_day % 60), dt.UTC)

    def user_for(self, plan: AccountPlan):
        return self.users.get(plan.owner) if plan.owner else None


def business_day(offset: int, anchor: dt.date) -> int:
    """The offset moved off a weekend (Saturday to Friday, Sunday to Monday), never past the anchor."""
    weekday = (anchor + dt.timedelta(days=offset)).weekday()
    if weekday == 5:
        return offset - 1
    if weekday == 6:
        return offset + 1 if offset + 1 < 0 else offset - 2
    return offset


@contextmanager
def historical_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk inserts set ``created_at``/``updated_at`` to when things happened in the story.

    The demo tells two years of history; a point-in-time reading (what was known 180 days before a
    renewal) needs rows dated then, not at load time. ``auto_now``/``auto_now_add`` are switched
    off for the duration and restored even on error. The loader is single-threaded.
    """
    saved: list[tuple[models.Field, bool, bool]] = []
    try:
        for model in model_classes:
            for name in ("created_at", "updated_at"):
                try:
                    f = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = False
                f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now = auto_now
            f.auto_now_add = auto_now_add


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's method; the rates here are small)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, lam**0.5)))
    limit = 2.718281828459045 ** (-lam)
    k, p = 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
