"""Reads of the engagement app for pages and the API: plans on a line, an account's touchpoints
this term, who is behind in the book, the catalogue of help and where it has gaps.

Every read costs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from paceline.customers.models import (
    Account,
    LifecycleStage,
    Segment,
    Subscription,
    SubscriptionStatus,
)
from paceline.engagement.models import (
    Anchor,
    Need,
    NeedArea,
    NeedStatus,
    Resource,
    ResourceKind,
    Touchpoint,
    TouchpointPlan,
    TouchpointStatus,
    TouchpointStep,
)
from paceline.engagement.services import current_term_start

# A plan's line is drawn as a one-year term: steps after the start are placed from the left,
# steps before the renewal from the right, whatever a given account's contract length.
LINE_DAYS = 365


# Plans --------------------------------------------------------------------------------------------


def plans_list() -> QuerySet[TouchpointPlan]:
    """Plans with how many steps they have and on how many accounts they run."""
    accounts = (
        Touchpoint.objects.filter(plan=OuterRef("pk")).order_by().values("plan")
        .annotate(n=Count("account", distinct=True)).values("n")
    )
    return TouchpointPlan.objects.annotate(
        step_count=Count("steps"),
        account_count=Coalesce(Subquery(accounts, output_field=IntegerField()), Value(0)),
    ).order_by("-active", "name")


@dataclass(frozen=True)
class LineStep:
    step: TouchpointStep
    left: float  # percent of the line where the step's window starts
    width: float  # percent of the line the window covers
    at: float  # percent of the line where its date falls


def plan_line(plan: TouchpointPlan) -> list[LineStep]:
    """The plan's steps placed on a day-1-to-renewal line, in date order."""
    def place(step: TouchpointStep) -> LineStep:
        day = step.offset_days if step.anchor == Anchor.CONTRACT_START else LINE_DAYS - step.offset_days
        day = min(max(day, 0), LINE_DAYS)
        start, end = max(day - step.window_days, 0), min(day + step.window_days, LINE_DAYS)
        pct = lambda d: round(100 * d / LINE_DAYS, 2)  # noqa: E731
        return LineStep(step=step, left=pct(start), width=max(pct(end - start), 0.5), at=pct(day))

    return sorted((place(s) for s in plan.steps.all()), key=lambda s: (s.at, s.step.position))


# An account's touchpoints ---------------------------------------------------------------------------


@dataclass
class AccountTouchpoints:
    term_start: dt.date | None
    renewal: dt.date | None
    touchpoints: list[Touchpoint] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    @property
    def upcoming(self) -> int:
        return self.counts[TouchpointStatus.PLANNED] - self.counts["overdue"]


def account_touchpoints(*, account: Account, today: dt.date | None = None) -> AccountTouchpoints:
    """The account's touchpoints of its current term through renewal (every one when it has no
    term), each marked ``overdue`` when planned and its date has passed."""
    today = today or timezone.localdate()
    start, renewal = current_term_start(account, today=today), account.next_renewal_date
    qs = account.touchpoints.select_related("owner", "interaction", "plan").order_by("due_date", "id")
    if start is not None:
        qs = qs.filter(due_date__gte=start)
    if renewal is not None:
        qs = qs.filter(due_date__lte=renewal)
    result = AccountTouchpoints(term_start=start, renewal=renewal, touchpoints=list(qs))
    for tp in result.touchpoints:
        tp.overdue = tp.status == TouchpointStatus.PLANNED and tp.due_date < today
        result.counts[tp.status] += 1
        result.counts["overdue"] += tp.overdue
    return result


def touchpoints_of(account: Account) -> QuerySet[Touchpoint]:
    return account.touchpoints.select_related("owner").order_by("due_date", "id")


def _term_start_of_account(today: dt.date) -> Subquery:
    latest = Subscription.objects.filter(
        account=OuterRef("pk"), status=SubscriptionStatus.ACTIVE, start_date__lte=today,
    ).order_by("-start_date").values("start_date")[:1]
    return Subquery(latest)


def _count(qs: QuerySet) -> Subquery:
    return Subquery(qs.order_by().values("account").annotate(n=Count("pk")).values("n"), output_field=IntegerField())


def annotate_touchpoints_behind(qs: QuerySet[Account], *, today: dt.date | None = None) -> QuerySet[Account]:
    """Each account's missed touchpoints this term and planned ones past their date: subqueries
    in the book's one list query. Without a current term, since the account was created."""
    today = today or timezone.localdate()
    qs = qs.annotate(tp_term_start=Coalesce(_term_start_of_account(today), TruncDate("created_at")))
    mine = Touchpoint.objects.filter(account=OuterRef("pk"), due_date__gte=OuterRef("tp_term_start"))
    return qs.annotate(
        touchpoints_missed=Coalesce(_count(mine.filter(status=TouchpointStatus.MISSED)), Value(0)),
        touchpoints_overdue=Coalesce(_count(mine.filter(status=TouchpointStatus.PLANNED, due_date__lt=today)), Value(0)),
    )


# Resources and gaps ---------------------------------------------------------------------------------


def resources_all(*, include_inactive: bool = True) -> list[Resource]:
    """The catalogue with each resource's areas, and its stages and segments as people read them."""
    qs = Resource.objects.prefetch_related(Prefetch("areas", queryset=NeedArea.objects.order_by("name")))
    if not include_inactive:
        qs = qs.filter(active=True)
    resources = list(qs.order_by("kind", "title", "id"))
    for resource in resources:
        resource.stage_labels = [LifecycleStage(s).label for s in resource.stages]
        resource.segment_labels = [Segment(s).label for s in resource.segments]
    return resources


def resources_by_kind(*, include_inactive: bool) -> list[tuple[str, list[Resource]]]:
    """The catalogue grouped by kind, in the kinds' own order."""
    groups: dict[str, list[Resource]] = defaultdict(list)
    for resource in resources_all(include_inactive=include_inactive):
        groups[resource.kind].append(resource)
    return [(label, groups[value]) for value, label in ResourceKind.choices if groups[value]]


@dataclass(frozen=True)
class NeedGap:
    area: NeedArea
    stage: str
    segment: str
    accounts: int

    @property
    def stage_label(self) -> str:
        return LifecycleStage(self.stage).label

    @property
    def segment_label(self) -> str:
        return Segment(self.segment).label


@dataclass
class GapsReport:
    stages: list[tuple[str, str]]
    rows: list[tuple[NeedArea, list[int]]]  # per area, how many active resources serve each stage
    need_gaps: list[NeedGap]

    @property
    def empty_cells(self) -> int:
        return sum(1 for _, counts in self.rows for n in counts if n == 0)


def gaps_report() -> GapsReport:
    """Need areas × lifecycle stages with the active resources serving each, and the open needs on
    accounts that no active resource serves for the account's stage and segment (three queries)."""
    stages = [c for c in LifecycleStage.choices if c[0] != LifecycleStage.CHURNED]
    areas = list(NeedArea.objects.order_by("name"))
    resources = resources_all(include_inactive=False)
    by_area: dict[int, list[Resource]] = defaultdict(list)
    for resource in resources:
        for area in resource.areas.all():
            by_area[area.pk].append(resource)
    rows = [
        (area, [sum(1 for r in by_area[area.pk] if not r.stages or stage in r.stages) for stage, _ in stages])
        for area in areas
    ]
    areas_by_id = {a.pk: a for a in areas}
    open_needs = (
        Need.objects.filter(status=NeedStatus.OPEN).order_by()
        .values("area_id", "account__lifecycle_stage", "account__segment")
        .annotate(accounts=Count("account", distinct=True))
    )
    need_gaps = [
        NeedGap(area=areas_by_id[n["area_id"]], stage=n["account__lifecycle_stage"], segment=n["account__segment"],
                accounts=n["accounts"])
        for n in open_needs
        if not any(r.serves(stage=n["account__lifecycle_stage"], segment=n["account__segment"])
                   for r in by_area[n["area_id"]])
    ]
    need_gaps.sort(key=lambda g: (-g.accounts, g.area.name, g.stage, g.segment))
    return GapsReport(stages=stages, rows=rows, need_gaps=need_gaps)


@dataclass
class AccountHelp:
    resources: list[Resource]  # what is available for the account's stage and segment
    needs: list[Need]  # open first; each open one has .resources (possibly empty: a gap)


def account_help(*, account: Account) -> AccountHelp:
    """The help available to the account now, and its needs with the resources for each."""
    available = [r for r in resources_all(include_inactive=False)
                 if r.serves(stage=account.lifecycle_stage, segment=account.segment)]
    needs = list(account.needs.select_related("area", "contact").order_by("status", "-opened_on", "id"))
    for need in needs:
        need.resources = [r for r in available if any(a.pk == need.area_id for a in r.areas.all())]
    return AccountHelp(resources=available, needs=needs)


def needs_of(account: Account) -> QuerySet[Need]:
    return account.needs.select_related("area", "contact").order_by("status", "-opened_on", "id")
