"""What the five fundamentals read, for many accounts at once, as it was known on one day.

``load`` costs the same twelve queries for one account or a thousand. Each row keeps only the fields
the evaluation needs, with its business dates (needs opened and met, contacts recorded and left,
conversations, touchpoints closed, commitments due and done, goals closed, measurements).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from paceline.customers.models import (
    Account,
    Contact,
    ContactRole,
    Interaction,
    InteractionKind,
    Subscription,
)
from paceline.engagement.models import Need, NeedStatus, Resource, Touchpoint, TouchpointStatus
from paceline.success.models import (
    OPEN_GOAL_STATUSES,
    ActionItem,
    Goal,
    Measurement,
    PlanStatus,
    SuccessPlan,
)

Scope = list[int] | QuerySet  # account ids, or a query of accounts


@dataclass(frozen=True)
class AccountRow:
    id: int
    stage: str
    segment: str


@dataclass(frozen=True)
class ResourceRow:
    areas: frozenset[int]
    stages: tuple[str, ...]
    segments: tuple[str, ...]

    def serves(self, *, stage: str, segment: str) -> bool:
        return (not self.stages or stage in self.stages) and (not self.segments or segment in self.segments)


@dataclass(frozen=True)
class ContactRow:
    id: int
    name: str
    reports_to: int | None
    is_primary: bool
    is_champion: bool
    left_on: dt.date | None  # contacts recorded after the day read are not loaded (no other date exists)


@dataclass(frozen=True)
class TouchpointRow:
    term_start: dt.date
    name: str
    due: dt.date
    status: str
    closed_on: dt.date | None

    def kept_by(self, as_of: dt.date) -> bool:
        return self.status == TouchpointStatus.KEPT and self.closed_on is not None and self.closed_on <= as_of

    def missed_by(self, as_of: dt.date) -> bool:
        return self.status == TouchpointStatus.MISSED and self.closed_on is not None and self.closed_on <= as_of


@dataclass(frozen=True)
class CommitmentRow:
    side: str
    status: str
    due: dt.date
    done_on: dt.date | None


@dataclass(frozen=True)
class GoalRow:
    title: str
    status: str
    target_date: dt.date | None
    closed_on: dt.date | None

    def open_on(self, as_of: dt.date) -> bool:
        if self.status in OPEN_GOAL_STATUSES:
            return True
        return self.closed_on is not None and self.closed_on > as_of


@dataclass
class Book:
    accounts: dict[int, AccountRow]
    resources: list[ResourceRow]
    needs: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # account -> (area id, area name)
    contacts: dict[int, dict[int, ContactRow]] = field(default_factory=dict)
    talks: dict[int, dt.date] = field(default_factory=dict)  # contact -> last conversation in the window
    terms: dict[int, list[tuple[dt.date, dt.date]]] = field(default_factory=dict)  # account -> (start, renewal)
    touchpoints: dict[int, list[TouchpointRow]] = field(default_factory=dict)
    commitments: dict[int, list[CommitmentRow]] = field(default_factory=dict)
    goals: dict[int, list[GoalRow]] = field(default_factory=dict)
    reviewed: dict[int, dt.date] = field(default_factory=dict)
    measured: dict[int, dt.date] = field(default_factory=dict)

    def last_talk(self, contact_id: int, as_of: dt.date) -> dt.date | None:
        day = self.talks.get(contact_id)
        return day if day is not None and day <= as_of else None

    def term(self, account_id: int, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
        """The contract term running on ``as_of``: the latest started one not yet renewed."""
        running = [t for t in self.terms.get(account_id, []) if t[0] <= as_of <= t[1]]
        return max(running, default=None)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _local(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def _contacts(ids: Scope, as_of: dt.date) -> dict[int, dict[int, ContactRow]]:
    found: dict[int, dict[int, ContactRow]] = defaultdict(dict)
    rows = Contact.objects.filter(account_id__in=ids, created_at__lt=_day_start(as_of + dt.timedelta(days=1))).values_list(
        "id", "account_id", "name", "reports_to_id", "is_primary", "roles", "left_on")
    for pk, account_id, name, boss, primary, roles, left_on in rows:
        found[account_id][pk] = ContactRow(pk, name, boss, primary, ContactRole.CHAMPION in (roles or []), left_on)
    return found


def _talks(ids: Scope, as_of: dt.date, days: int) -> dict[int, dt.date]:
    through = Interaction.contacts.through
    rows = (through.objects.filter(interaction__account_id__in=ids,
                                   interaction__occurred_at__gte=_day_start(as_of - dt.timedelta(days=days)),
                                   interaction__occurred_at__lt=_day_start(as_of + dt.timedelta(days=1)))
            .exclude(interaction__kind=InteractionKind.NOTE)
            .values("contact_id").annotate(last=Max("interaction__occurred_at")).values_list("contact_id", "last"))
    return {contact_id: _local(last) for contact_id, last in rows}


def _terms(ids: Scope, as_of: dt.date) -> dict[int, list[tuple[dt.date, dt.date]]]:
    found: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    rows = Subscription.objects.filter(account_id__in=ids, start_date__lte=as_of).values_list(
        "account_id", "start_date", "renewal_date", "end_date")
    for account_id, start, renewal, end in rows:
        found[account_id].append((start, renewal or end))
    return found


def _touchpoints(ids: Scope, starts: set[dt.date]) -> dict[int, list[TouchpointRow]]:
    """Touchpoints of terms that started on one of ``starts`` (the running terms' first days)."""
    found: dict[int, list[TouchpointRow]] = defaultdict(list)
    rows = Touchpoint.objects.filter(account_id__in=ids, term_start__in=starts).exclude(status=TouchpointStatus.CANCELLED).values_list("account_id", "term_start", "name", "due_date", "status", "closed_on")
    for account_id, start, name, due, status, closed in rows:
        found[account_id].append(TouchpointRow(start, name, due, status, closed))
    return found


def _commitments(ids: Scope, as_of: dt.date, days: int) -> dict[int, list[CommitmentRow]]:
    found: dict[int, list[CommitmentRow]] = defaultdict(list)
    window = dt.timedelta(days=days)
    rows = (ActionItem.objects.filter(goal__plan__account_id__in=ids, due_on__gte=as_of - window, due_on__lte=as_of + window,
                                      created_at__lt=_day_start(as_of + dt.timedelta(days=1)))
            .exclude(goal__plan__status=PlanStatus.DRAFT)
            .values_list("goal__plan__account_id", "side", "status", "due_on", "done_on"))
    for account_id, side, status, due, done in rows:
        found[account_id].append(CommitmentRow(side, status, due, done if done is not None and done <= as_of else None))
    return found


def _goals(ids: Scope, as_of: dt.date) -> dict[int, list[GoalRow]]:
    found: dict[int, list[GoalRow]] = defaultdict(list)
    rows = Goal.objects.filter(plan__account_id__in=ids, created_at__lt=_day_start(as_of + dt.timedelta(days=1))).exclude(
        plan__status=PlanStatus.DRAFT).values_list("plan__account_id", "title", "status", "target_date", "closed_on")
    for account_id, title, status, target, closed in rows:
        found[account_id].append(GoalRow(title, status, target, closed))
    return found


def load(scope: Scope, *, as_of: dt.date, talk_days: int = 90, commitment_days: int = 180) -> Book:
    """``scope``: account ids, or a query of accounts' ids (read as a subquery, so a whole book costs
    the same queries without a long list of parameters)."""
    accounts = {pk: AccountRow(pk, stage, segment) for pk, stage, segment in
                Account.objects.filter(pk__in=scope).values_list("id", "lifecycle_stage", "segment")}
    ids = list(accounts) if isinstance(scope, list) else scope
    resources = [ResourceRow(frozenset(a.pk for a in r.areas.all()), tuple(r.stages or ()), tuple(r.segments or ()))
                 for r in Resource.objects.filter(active=True).prefetch_related("areas")]
    book = Book(accounts, resources)
    if not accounts:
        return book
    needs = Need.objects.filter(account_id__in=ids, opened_on__lte=as_of).filter(
        Q(status=NeedStatus.OPEN) | Q(met_on__gt=as_of)).values_list("account_id", "area_id", "area__name")
    for account_id, area_id, name in needs:
        book.needs.setdefault(account_id, []).append((area_id, name))
    book.contacts = _contacts(ids, as_of)
    book.talks = _talks(ids, as_of, talk_days)
    book.terms = _terms(ids, as_of)
    running = (book.term(a, as_of) for a in accounts)
    book.touchpoints = _touchpoints(ids, {t[0] for t in running if t is not None})
    book.commitments = _commitments(ids, as_of, commitment_days)
    book.goals = _goals(ids, as_of)
    book.reviewed = dict(SuccessPlan.objects.filter(account_id__in=ids, reviewed_on__lte=as_of).exclude(status=PlanStatus.DRAFT)
                         .values("account_id").annotate(last=Max("reviewed_on")).values_list("account_id", "last"))
    book.measured = dict(Measurement.objects.filter(metric__goal__plan__account_id__in=ids, measured_on__lte=as_of)
                         .values("metric__goal__plan__account_id").annotate(last=Max("measured_on"))
                         .values_list("metric__goal__plan__account_id", "last"))
    return book
