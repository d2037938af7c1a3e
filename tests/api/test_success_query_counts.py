"""The plan detail and the lists cost a fixed number of queries whatever their size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from paceline.core.services import Actor
from paceline.success import services, sharing
from paceline.success.models import GoalStatus, PlanTemplate, SuccessMetric
from tests.factories import AccountFactory, ContactFactory

TODAY = timezone.localdate()

# The token, then plan_tree: the plan, goals, metrics, their checkpoints, measurements, changes and
# the two sides who agreed each change, and the commitments.
PLAN_DETAIL = 10


def _plan(csm, *, goals: int, metrics: int, laps: int, days: int):
    """A plan with ``goals`` goals each with a sub-goal, metrics with laps, measurements and a
    renegotiation, and commitments on both sides."""
    actor = Actor(user=csm, via="web")
    account = AccountFactory(owner=csm)
    sponsor = ContactFactory(account=account)
    plan = services.plan_create(actor=actor, account=account, title=f"{goals} goals")
    start = TODAY - dt.timedelta(days=days)
    for g in range(goals):
        goal = services.goal_create(actor=actor, plan=plan, title=f"Goal {g}", position=g)
        sub = services.goal_create(actor=actor, plan=plan, parent=goal, title=f"Sub-goal {g}")
        for m in range(metrics):
            metric = services.metric_create(
                actor=actor, goal=goal if m % 2 == 0 else sub, name=f"Metric {m}", baseline=Decimal(0),
                baseline_date=start, target=Decimal(100), target_date=TODAY + dt.timedelta(days=60),
                checkpoints=[(start + dt.timedelta(days=lap + 1), Decimal(lap + 1), "") for lap in range(laps)],
            )
            for d in range(days):
                services.measurement_record(actor=actor, metric=metric, measured_on=start + dt.timedelta(days=d + 1),
                                            value=Decimal(d), evaluate=False)
            services.metric_renegotiate(actor=actor, metric=metric, new_target=Decimal(90), reason="Smaller scope",
                                        agreed_by_contact=sponsor)
        services.goal_agree(actor=actor, goal=goal, contact=sponsor)
        for side, owner in (("vendor", {"owner_user": csm}), ("customer", {"owner_contact": sponsor})):
            services.action_create(actor=actor, goal=sub, title=f"{side} {g}", side=side,
                                   due_on=TODAY + dt.timedelta(days=g - 2), **owner)
    assert plan.goals.filter(status=GoalStatus.AGREED).count() == goals
    return plan


@pytest.fixture
def small_and_big(csm):
    return _plan(csm, goals=1, metrics=1, laps=1, days=2), _plan(csm, goals=6, metrics=4, laps=3, days=8)


def test_the_plan_detail_costs_the_same_for_a_small_and_a_big_plan(csm_api, small_and_big, django_assert_num_queries):
    csm_api.get("/plans")  # the token's first use is stamped once; measure the requests after it
    sizes = []
    for plan in small_and_big:
        with django_assert_num_queries(PLAN_DETAIL):
            response = csm_api.get(f"/plans/{plan.pk}")
        assert response.status_code == 200
        body = response.json()
        metrics = [m for g in body["goals"] for branch in (g, *g["subgoals"]) for m in branch["metrics"]]
        assert all(m["changes"] and m["pace"]["current"] for m in metrics)
        sizes.append((len(body["goals"]), len(metrics)))
    assert sizes == [(1, 1), (6, 24)]


@pytest.fixture
def busy_success(csm):
    actor = Actor(user=csm, via="web")
    plans = [_plan(csm, goals=2, metrics=1, laps=1, days=2) for _ in range(6)]
    for plan in plans:
        for n in range(2):
            sharing.share_link_create(actor=actor, plan=plan, label=f"Link {n}")
    for n in range(4):
        PlanTemplate.objects.create(name=f"Template {n}", structure=[{"title": "G", "days": 10}])
    metric = SuccessMetric.objects.filter(goal__plan=plans[0]).first()
    services.metric_renegotiate(actor=actor, metric=metric, new_target=Decimal(80), reason="Smaller again",
                                agreed_by_contact=metric.goal.plan.account.contacts.first())
    return plans[0], metric


def test_the_lists_cost_a_fixed_number_of_queries(csm_api, busy_success, django_assert_num_queries):
    plan, metric = busy_success
    # The token, the count and the page; a list under a plan or a metric looks that up first.
    expected = {
        "/plans": 3,
        "/action-items": 3,
        "/plan-templates": 3,
        f"/plans/{plan.pk}/share-links": 4,
        f"/metrics/{metric.pk}/measurements": 4,
        f"/metrics/{metric.pk}/changes": 4,
    }
    csm_api.get("/plans")
    for path, queries in expected.items():
        counts = []
        for limit in (1, 2):
            with django_assert_num_queries(queries):
                response = csm_api.get(path, {"limit": limit})
            assert response.status_code == 200
            counts.append(len(response.json()["items"]))
        assert counts == [1, 2], path
