"""My work: a person's open tasks and touchpoints, most important first, and who is behind.

The order is an *impact* score, a pure function of what is at stake (see ``impact``), so a CSM
works on the $400k account renewing next month before the $5k one renewing next year, and on a
task three weeks late before one due today. Every score comes with its reasons, in words, so
the order can be checked rather than trusted.

Reads only; the actions on the cockpit are the existing services (``customers.services``,
``engagement.services``). Each list costs a fixed number of queries whatever its length.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from paceline.customers.models import Account, Task, TaskPriority, TaskStatus
from paceline.engagement.models import OPEN_TOUCHPOINT, Touchpoint, TouchpointStatus
from paceline.users.models import Role

# The impact formula's parts. Each is bounded, so the total is in [0, MAX_IMPACT].
ARR_POINTS = 40.0
ARR_SATURATES_AT = Decimal("1000000")  # ARR at or above this scores the full ARR points
RENEWAL_POINTS = 25.0
RENEWAL_HORIZON_DAYS = 180  # a renewal further away than this adds nothing
OVERDUE_POINTS = 25.0
OVERDUE_SATURATES_DAYS = 30  # a month late is as late as it gets
URGENCY_POINTS = {
    # Tasks: their priority.
    TaskPriority.LOW: 0.0,
    TaskPriority.NORMAL: 3.0,
    TaskPriority.HIGH: 6.0,
    TaskPriority.URGENT: 10.0,
    # Touchpoints: a held one has happened and only waits for its result; a planned one is still to do.
    TouchpointStatus.PLANNED: 5.0,
    TouchpointStatus.HELD: 8.0,
}
MAX_IMPACT = ARR_POINTS + RENEWAL_POINTS + OVERDUE_POINTS + max(URGENCY_POINTS.values())

DEFAULT_DAYS_AHEAD = 14
MAX_DAYS_AHEAD = 90
MISSED_LOOKBACK_DAYS = 30  # the team summary counts touchpoints missed this recently

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


@dataclass(frozen=True)
class Impact:
    score: float
    reasons: tuple[str, ...]

    @property
    def because(self) -> str:
        return ", ".join(self.reasons)


def money_short(amount: Decimal, currency: str) -> str:
    """$120k, €1.2M, 900 CHF: ARR as people say it."""
    value = float(amount)
    if value >= 1_000_000:
        text = f"{value / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    elif value >= 1_000:
        text = f"{value / 1_000:.0f}k"
    else:
        text = f"{value:.0f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def impact(*, arr: Decimal, currency: str, days_to_renewal: int | None, overdue_days: int, urgency: str) -> Impact:
    """How much doing this item now matters, in [0, MAX_IMPACT], with the reasons in words.

    The sum of four bounded parts:

    - ARR at stake: ``ARR_POINTS * log10(1 + arr/1000) / log10(1 + 1000)``, capped at ``ARR_POINTS``
      (reached at ``ARR_SATURATES_AT``). Logarithmic, so $10k vs $100k matters as much as
      $100k vs $1M. Amounts are taken as they are, whatever the currency.
    - Renewal: ``RENEWAL_POINTS * (1 - days/RENEWAL_HORIZON_DAYS)`` when the renewal is within the
      horizon (a passed renewal counts as today), else 0.
    - Overdue: ``OVERDUE_POINTS * min(overdue_days, OVERDUE_SATURATES_DAYS) / OVERDUE_SATURATES_DAYS``.
    - Urgency: ``URGENCY_POINTS`` of the task's priority or the touchpoint's status.

    More ARR, a closer renewal or more days overdue never lower the score; negative inputs count as
    zero. Pure: no clock and no database, so it is tested on its own.
    """
    reasons = []
    arr = max(arr, Decimal(0))
    capped = min(arr, ARR_SATURATES_AT)
    arr_part = ARR_POINTS * math.log10(1 + float(capped) / 1000) / math.log10(1 + float(ARR_SATURATES_AT) / 1000)
    if arr > 0:
        reasons.append(f"{money_short(arr, currency)} ARR")
    renewal_part = 0.0
    if days_to_renewal is not None and days_to_renewal <= RENEWAL_HORIZON_DAYS:
        days = max(days_to_renewal, 0)
        renewal_part = RENEWAL_POINTS * (1 - days / RENEWAL_HORIZON_DAYS)
        reasons.append("renewal date passed" if days_to_renewal < 0 else f"renewal in {_days(days)}")
    overdue = max(overdue_days, 0)
    overdue_part = OVERDUE_POINTS * min(overdue, OVERDUE_SATURATES_DAYS) / OVERDUE_SATURATES_DAYS
    if overdue:
        reasons.append(f"{_days(overdue)} overdue")
    urgency_part = URGENCY_POINTS.get(urgency, 0.0)
    if urgency in (TaskPriority.HIGH, TaskPriority.URGENT):
        reasons.append(f"{TaskPriority(urgency).label.lower()} priority")
    elif urgency == TouchpointStatus.HELD:
        reasons.append("held, result to record")
    score = arr_part + renewal_part + overdue_part + urgency_part
    return Impact(score=round(min(max(score, 0.0), MAX_IMPACT), 2), reasons=tuple(reasons))


# Work items --------------------------------------------------------------------------------------


class Bucket:
    OVERDUE = "overdue"
    TODAY = "today"
    UPCOMING = "upcoming"
    ORDER = (OVERDUE, TODAY, UPCOMING)
    LABELS = {OVERDUE: "Overdue", TODAY: "Today", UPCOMING: "Upcoming"}


@dataclass
class WorkItem:
    """A task or a touchpoint as the cockpit shows it."""

    kind: str  # "task" or "touchpoint"
    obj: Task | Touchpoint
    bucket: str
    overdue_days: int
    impact: Impact
    actionable: bool = False  # may the viewing user act on it: set by the page (``can_act``)

    @property
    def pk(self) -> int:
        return self.obj.pk

    @property
    def dom_id(self) -> str:
        return f"work-{self.kind}-{self.obj.pk}"

    @property
    def title(self) -> str:
        return self.obj.title if self.kind == "task" else self.obj.name

    @property
    def account(self) -> Account:
        return self.obj.account

    @property
    def owner(self):
        return self.obj.owner

    @property
    def due_date(self) -> dt.date:
        return self.obj.due_date

    @property
    def detail(self) -> str:
        if self.kind == "task":
            return self.obj.get_priority_display() + " priority"
        return self.obj.get_status_display()


def _item(kind: str, obj: Task | Touchpoint, urgency: str, today: dt.date) -> WorkItem:
    account = obj.account
    late = (today - obj.due_date).days
    bucket = Bucket.OVERDUE if late > 0 else Bucket.TODAY if late == 0 else Bucket.UPCOMING
    renewal = (account.next_renewal_date - today).days if account.next_renewal_date else None
    score = impact(arr=account.arr, currency=account.currency, days_to_renewal=renewal,
                   overdue_days=max(late, 0), urgency=urgency)
    return WorkItem(kind=kind, obj=obj, bucket=bucket, overdue_days=max(late, 0), impact=score)


def _owned(qs, owner_ids):
    return qs if owner_ids is None else qs.filter(owner_id__in=owner_ids)


def work_items(*, owner_ids: list[int] | None, today: dt.date | None = None,
               days_ahead: int = DEFAULT_DAYS_AHEAD) -> list[WorkItem]:
    """Open tasks and open touchpoints due up to ``days_ahead`` days from today (overdue ones
    however old), of these owners (None: everyone's), highest impact first.

    Tasks without a due date are not in it: they are neither today's, overdue nor upcoming. Two
    queries whatever the number of items.
    """
    today = today or timezone.localdate()
    until = today + dt.timedelta(days=days_ahead)
    tasks = _owned(Task.objects.filter(status=TaskStatus.OPEN, due_date__lte=until), owner_ids)
    touchpoints = _owned(Touchpoint.objects.filter(status__in=OPEN_TOUCHPOINT, due_date__lte=until), owner_ids)
    items = [_item("task", t, t.priority, today) for t in tasks.select_related("account", "owner")]
    items += [_item("touchpoint", t, t.status, today) for t in touchpoints.select_related("account", "owner")]
    items.sort(key=lambda i: (-i.impact.score, i.due_date, i.kind, i.pk))
    return items


def work_buckets(items: list[WorkItem]) -> list[tuple[str, str, list[WorkItem]]]:
    """(key, label, items) per bucket, overdue first; each keeps the impact order."""
    return [(key, Bucket.LABELS[key], [i for i in items if i.bucket == key]) for key in Bucket.ORDER]


def work_item(*, kind: str, pk: int, today: dt.date | None = None) -> WorkItem | None:
    """One open item as a row, or None when it is closed or gone."""
    if kind == "task":
        obj = Task.objects.select_related("account", "owner").filter(pk=pk, status=TaskStatus.OPEN).first()
        urgency = obj.priority if obj else ""
    else:
        obj = Touchpoint.objects.select_related("account", "owner").filter(pk=pk, status__in=OPEN_TOUCHPOINT).first()
        urgency = obj.status if obj else ""
    if obj is None or obj.due_date is None:
        return None
    return _item(kind, obj, urgency, today or timezone.localdate())


def assignees():
    """Who work can be handed to: active CSMs and CS leaders."""
    return get_user_model().objects.filter(is_active=True, role__in=[Role.CSM, Role.LEADER]).order_by("first_name", "last_name", "id")


def can_act(user, owner_id: int | None) -> bool:
    """CS leaders act on anyone's work; a CSM on their own only; viewers on none."""
    if not (user and user.is_authenticated and user.can_write):
        return False
    return user.is_leader or owner_id == user.pk


# Who is behind -----------------------------------------------------------------------------------


@dataclass
class PersonSummary:
    user: object
    overdue_tasks: int = 0
    overdue_touchpoints: int = 0
    missed_touchpoints: int = 0
    open_items: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def behind(self) -> int:
        return self.overdue_tasks + self.overdue_touchpoints + self.missed_touchpoints


def team_summary(*, today: dt.date | None = None, days_ahead: int = DEFAULT_DAYS_AHEAD) -> list[PersonSummary]:
    """Per active CSM and leader: overdue tasks, overdue open touchpoints, touchpoints missed in the
    last ``MISSED_LOOKBACK_DAYS`` days and open items in range; most behind first. Three queries."""
    today = today or timezone.localdate()
    until = today + dt.timedelta(days=days_ahead)
    since = today - dt.timedelta(days=MISSED_LOOKBACK_DAYS)
    people = {u.pk: PersonSummary(user=u) for u in assignees()}
    task_counts = Task.objects.filter(status=TaskStatus.OPEN, owner_id__in=people, due_date__lte=until).values("owner_id").annotate(
        overdue=Count("pk", filter=Q(due_date__lt=today)), open=Count("pk"))
    for row in task_counts:
        people[row["owner_id"]].overdue_tasks = row["overdue"]
        people[row["owner_id"]].open_items += row["open"]
    tp_counts = Touchpoint.objects.filter(owner_id__in=people).filter(
        Q(status__in=OPEN_TOUCHPOINT, due_date__lte=until) | Q(status=TouchpointStatus.MISSED, closed_on__gte=since)
    ).values("owner_id").annotate(
        overdue=Count("pk", filter=Q(status__in=OPEN_TOUCHPOINT, due_date__lt=today)),
        open=Count("pk", filter=Q(status__in=OPEN_TOUCHPOINT)),
        missed=Count("pk", filter=Q(status=TouchpointStatus.MISSED)),
    )
    for row in tp_counts:
        person = people[row["owner_id"]]
        person.overdue_touchpoints, person.missed_touchpoints = row["overdue"], row["missed"]
        person.open_items += row["open"]
    for person in people.values():
        person.reasons = _behind_reasons(person)
    return sorted(people.values(), key=lambda p: (-p.behind, -p.open_items, str(p.user)))


def _behind_reasons(person: PersonSummary) -> list[str]:
    parts = [
        (person.overdue_tasks, "overdue task", "overdue tasks"),
        (person.overdue_touchpoints, "overdue touchpoint", "overdue touchpoints"),
        (person.missed_touchpoints, f"touchpoint missed in {MISSED_LOOKBACK_DAYS} days",
         f"touchpoints missed in {MISSED_LOOKBACK_DAYS} days"),
    ]
    return [f"{n} {one if n == 1 else many}" for n, one, many in parts if n]
