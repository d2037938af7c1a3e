"""Reads on success plans, with their joins, for pages, the API, shares and exports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from paceline.customers.models import Account
from paceline.success.models import (
    GOOD_PACE,
    OPEN_GOAL_STATUSES,
    ActionItem,
    Goal,
    Measurement,
    PaceStatus,
    PlanStatus,
    SuccessMetric,
    SuccessPlan,
)


def _count(qs: QuerySet) -> Subquery:
    return Subquery(qs.order_by().values("plan__account").annotate(n=Count("pk")).values("n"), output_field=IntegerField())


def annotate_goal_pace(qs: QuerySet[Account]) -> QuerySet[Account]:
    """Each account's open, measured goals and how many of them are on pace (one query)."""
    measured = Goal.objects.filter(
        plan__account=OuterRef("pk"), plan__status=PlanStatus.ACTIVE, status__in=OPEN_GOAL_STATUSES,
    ).exclude(pace_status__in=("", PaceStatus.NO_DATA))
    return qs.annotate(
        goals_measured=Coalesce(_count(measured), Value(0)),
        goals_on_pace=Coalesce(_count(measured.filter(pace_status__in=GOOD_PACE)), Value(0)),
    )


def goals_on_pace(goals) -> tuple[int, int]:
    """Of the open goals that are measured, how many are on pace (ahead, on pace or hit)."""
    measured = [g for g in goals if g.is_open and g.pace_status not in ("", PaceStatus.NO_DATA)]
    return sum(1 for g in measured if g.pace_status in GOOD_PACE), len(measured)


def account_plans(*, account: Account) -> list[SuccessPlan]:
    """The account's plans with their goals (two queries), active first, then drafts, then closed,
    newest first within each; each plan carries
    ``goals_on_pace`` and ``goals_measured``."""
    plans = list(
        account.success_plans.select_related("owner", "customer_owner")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("position", "id")))
        .order_by(Case(When(status=PlanStatus.ACTIVE, then=0), When(status=PlanStatus.DRAFT, then=1), default=2),
                  "-created_at")
    )
    for plan in plans:
        plan.goals_on_pace, plan.goals_measured = goals_on_pace(plan.goals.all())
    return plans


@dataclass
class PlanTree:
    """A plan with everything its page, its share page and its exports show."""

    plan: SuccessPlan
    goals: list[Goal]  # top-level goals; each has .children, .metric_list, .action_list
    metrics: list[SuccessMetric] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)

    @property
    def pace_counts(self) -> Counter:
        return Counter(g.pace_status for g in self.all_goals if g.is_open and g.pace_status)

    @property
    def all_goals(self) -> list[Goal]:
        return [g for top in self.goals for g in (top, *top.children)]

    @property
    def goals_on_pace(self) -> tuple[int, int]:
        return goals_on_pace(self.all_goals)


def plan_tree(*, plan_id: int) -> PlanTree:
    """One plan, its goals, sub-goals, metrics with checkpoints, measurements and changes, and
    commitments: a fixed number of queries whatever the size of the plan."""
    plan = SuccessPlan.objects.select_related("account", "owner", "customer_owner", "template").get(pk=plan_id)
    goals = list(
        plan.goals.select_related("agreed_by_contact", "agreed_by_user", "replaced_by").order_by("position", "id")
    )
    metrics = list(
        SuccessMetric.objects.filter(goal__plan=plan)
        .prefetch_related(
            "checkpoints",
            Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on")),
            "changes__agreed_by_contact",
            "changes__agreed_by_user",
        )
        .order_by("id")
    )
    actions = list(
        ActionItem.objects.filter(goal__plan=plan).select_related("owner_user", "owner_contact").order_by("due_on", "id")
    )
    by_goal_metrics: dict[int, list] = {}
    for metric in metrics:
        by_goal_metrics.setdefault(metric.goal_id, []).append(metric)
    by_goal_actions: dict[int, list] = {}
    for action in actions:
        by_goal_actions.setdefault(action.goal_id, []).append(action)
    goals_by_id = {goal.pk: goal for goal in goals}
    for item in (*metrics, *actions):
        item.goal = goals_by_id[item.goal_id]  # already loaded: no query per metric or commitment
    by_parent: dict[int | None, list[Goal]] = {}
    for goal in goals:
        goal.metric_list = by_goal_metrics.get(goal.pk, [])
        goal.action_list = by_goal_actions.get(goal.pk, [])
        by_parent.setdefault(goal.parent_id, []).append(goal)
    for goal in goals:
        goal.children = by_parent.get(goal.pk, [])
    return PlanTree(plan=plan, goals=by_parent.get(None, []), metrics=metrics, actions=actions)


@dataclass(frozen=True)
class Commitments:
    """Kept, late, missed and open commitments of one side."""

    kept: int = 0
    late: int = 0  # done, after the due date
    missed: int = 0  # still open past the due date
    open: int = 0


def commitment_counts(actions: list[ActionItem]) -> dict[str, Commitments]:
    """Per side (vendor, customer): how each commitment turned out."""
    result = {}
    for side in ("vendor", "customer"):
        outcomes = Counter(a.outcome for a in actions if a.side == side)
        result[side] = Commitments(
            kept=outcomes["kept"], late=outcomes["late"], missed=outcomes["missed"], open=outcomes["open"],
        )
    return result


def account_commitments(*, account: Account) -> dict[str, Commitments]:
    actions = list(ActionItem.objects.filter(goal__plan__account=account).exclude(status="cancelled")
                   .only("side", "status", "due_on", "done_on"))
    return commitment_counts(actions)


def open_goal_filter() -> Q:
    return Q(status__in=OPEN_GOAL_STATUSES)
