"""The plan pages: start a plan (from scratch or a template), the account panel, the plan page's
header and tree, marking it reviewed by HTMX, and a fixed number of queries whatever its size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from paceline.core.services import Actor
from paceline.success import services
from paceline.success.models import Goal, GoalStatus, PlanTemplate, SuccessPlan
from tests.factories import (
    AccountFactory,
    ContactFactory,
    GoalFactory,
    SuccessMetricFactory,
    SuccessPlanFactory,
)

TODAY = timezone.localdate()


@pytest.fixture
def sponsor(account):
    return ContactFactory(account=account, name="Jane Roe", title="VP Operations", is_primary=True)


@pytest.fixture
def onboarding(db):
    return PlanTemplate.objects.get(name="Onboarding to first value")


def test_a_csm_starts_a_plan_from_scratch(csm_client, csm, account, sponsor):
    response = csm_client.post(f"/accounts/{account.pk}/plans/new/", {
        "title": "Year one", "start": str(TODAY), "owner": csm.pk, "customer_owner": sponsor.pk,
        "summary": "Everyone in operations plans their week in Paceline.", "internal_notes": "Budget is tight."})
    plan = SuccessPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    assert (plan.account, plan.title, plan.owner, plan.customer_owner) == (account, "Year one", csm, sponsor)
    assert not plan.goals.exists()
    html = csm_client.get(response["Location"]).content.decode()
    assert "Everyone in operations plans their week in Paceline." in html
    assert "Budget is tight." in html  # internal notes are shown to our team, marked internal
    assert 'id="plan-owner">Carl Csm<' in html
    assert 'id="plan-customer-owner">Jane Roe<' in html


def test_a_plan_from_a_template_lays_out_its_goals_from_the_start_date(csm_client, csm, account, sponsor, onboarding):
    start = TODAY - dt.timedelta(days=10)
    response = csm_client.post(f"/accounts/{account.pk}/plans/new/", {
        "template": onboarding.pk, "start": str(start), "owner": csm.pk, "customer_owner": sponsor.pk})
    plan = SuccessPlan.objects.get()
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert plan.title == "Onboarding to first value" and plan.template == onboarding
    assert plan.customer_owner == sponsor  # the page's fields are applied on top of the template
    goal = plan.goals.get(title="Reach first value")
    assert goal.target_date == start + dt.timedelta(days=90)
    html = csm_client.get(f"/plans/{plan.pk}/").content.decode()
    for title in ("Reach first value", "Integrations live", "Weekly active use", "Users who completed onboarding"):
        assert title in html


def test_only_active_templates_are_offered_and_accepted(csm_client, leader, account, onboarding):
    services.template_deactivate(actor=Actor(user=leader), template=onboarding)
    page = csm_client.get(f"/accounts/{account.pk}/plans/new/").content.decode()
    assert "Procurement process rollout" in page and "Onboarding to first value" not in page
    response = csm_client.post(f"/accounts/{account.pk}/plans/new/", {"template": onboarding.pk, "start": str(TODAY)})
    assert response.status_code == 400
    assert "Choose one of the active templates" in response.context["form"].errors["template"][0]
    assert not SuccessPlan.objects.exists()


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"title": ""}, "title", "Give the plan a title"),
    ({"title": "x", "start": "31/02/2026"}, "start", "Enter a valid date"),
])
def test_a_new_plan_with_bad_input_names_the_field_and_saves_nothing(csm_client, account, data, field, says):
    response = csm_client.post(f"/accounts/{account.pk}/plans/new/", {"start": str(TODAY), **data})
    assert response.status_code == 400
    assert says in " ".join(response.context["form"].errors[field])
    assert not SuccessPlan.objects.exists()


def test_the_customer_owner_must_be_a_contact_of_this_account(csm_client, account):
    stranger = ContactFactory(account=AccountFactory(name="Other Co"))
    response = csm_client.post(f"/accounts/{account.pk}/plans/new/", {
        "title": "Year one", "start": str(TODAY), "customer_owner": stranger.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["customer_owner"] == ["Choose a contact of this account."]
    assert not SuccessPlan.objects.exists()


def _measured_plan(account, actor, *, title="Year one", ahead=1, behind=1) -> SuccessPlan:
    """A plan whose goals are ``ahead`` goals well ahead of pace and ``behind`` goals behind it."""
    plan = SuccessPlanFactory(account=account, title=title)
    for index in range(ahead + behind):
        goal = GoalFactory(plan=plan, title=f"Goal {index}", status=GoalStatus.ACTIVE)
        metric = SuccessMetricFactory(goal=goal, baseline=Decimal(0), target=Decimal(100),
                                      baseline_date=TODAY - dt.timedelta(days=50),
                                      target_date=TODAY + dt.timedelta(days=50))
        value = Decimal(90) if index < ahead else Decimal(40)
        services.measurement_record(actor=actor, metric=metric, measured_on=TODAY, value=value)
    return plan


def test_the_account_panel_lists_plans_with_goals_on_pace_and_offers_a_new_plan(csm_client, viewer_client, account,
                                                                                actor):
    plan = _measured_plan(account, actor, ahead=1, behind=2)
    html = csm_client.get(f"/accounts/{account.pk}/").content.decode()
    assert f'href="/plans/{plan.pk}/"' in html
    assert "1 of 3 goals on pace" in html
    assert f'href="/accounts/{account.pk}/plans/new/"' in html
    viewer_html = viewer_client.get(f"/accounts/{account.pk}/").content.decode()
    assert "1 of 3 goals on pace" in viewer_html
    assert "/plans/new/" not in viewer_html


def test_the_plan_header_counts_goals_on_pace_and_sums_up_their_statuses(csm_client, account, actor):
    plan = _measured_plan(account, actor, ahead=2, behind=1)
    response = csm_client.get(f"/plans/{plan.pk}/")
    html = response.content.decode()
    assert "2 of 3 goals on pace" in html
    summary = {item["status"]: item["count"] for item in response.context["pace_summary"]}
    assert summary == {"ahead": 2, "behind": 1}
    assert 'data-status="behind">1 behind<' in html


def test_mark_reviewed_by_htmx_swaps_the_header_in_place(csm_client, account):
    plan = SuccessPlanFactory(account=account)
    response = csm_client.post(f"/plans/{plan.pk}/reviewed/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card plan-header" id="plan-header">')
    assert "<html" not in html
    assert TODAY.strftime("%-d %b %Y") in html
    assert "HX-Request" in response["Vary"]
    plan.refresh_from_db()
    assert plan.reviewed_on == TODAY


def test_mark_reviewed_without_htmx_redirects_to_the_plan(csm_client, account):
    plan = SuccessPlanFactory(account=account)
    response = csm_client.post(f"/plans/{plan.pk}/reviewed/")
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    plan.refresh_from_db()
    assert plan.reviewed_on == TODAY


def test_a_review_in_the_future_is_refused_by_field(csm_client, csm, account):
    plan = SuccessPlanFactory(account=account, title="Year one")
    response = csm_client.post(f"/plans/{plan.pk}/edit/", {
        "title": "Year one", "status": "active", "reviewed_on": str(TODAY + dt.timedelta(days=1))})
    assert response.status_code == 400
    assert "cannot be in the future" in response.context["form"].errors["reviewed_on"][0]
    plan.refresh_from_db()
    assert plan.reviewed_on is None


def test_deleting_a_plan_asks_first_then_goes_back_to_the_account(csm_client, account):
    plan = SuccessPlanFactory(account=account, title="Old plan")
    assert "Delete the plan “Old plan”?" in csm_client.get(f"/plans/{plan.pk}/delete/").content.decode()
    response = csm_client.post(f"/plans/{plan.pk}/delete/")
    assert response["Location"] == f"/accounts/{account.pk}/"
    assert not SuccessPlan.objects.exists()


def _big_plan(account, actor, sponsor, goals: int, metrics: int, measurements: int) -> SuccessPlan:
    """A plan with every kind of row its page shows, ``goals`` times (each with a sub-goal)."""
    plan = SuccessPlanFactory(account=account, customer_owner=sponsor, owner=actor.user)
    start = TODAY - dt.timedelta(days=measurements + 5)
    for g in range(goals):
        goal = GoalFactory(plan=plan, title=f"Goal {g}", status=GoalStatus.PROPOSED)
        GoalFactory(plan=plan, parent=goal, title=f"Sub-goal {g}")
        services.goal_agree(actor=actor, goal=goal, contact=sponsor)
        for m in range(metrics):
            metric = services.metric_create(
                actor=actor, goal=goal, name=f"Share trained {g}.{m}", unit="percent", baseline=Decimal(0),
                baseline_date=start, target=Decimal(50), target_date=TODAY + dt.timedelta(days=60),
                denominator=Decimal(100), checkpoints=[(TODAY + dt.timedelta(days=10), Decimal(20), "lap")])
            for day in range(measurements):
                services.measurement_record(actor=actor, metric=metric, measured_on=start + dt.timedelta(days=day + 1),
                                            value=Decimal(day))
            services.metric_renegotiate(actor=actor, metric=metric, new_target=Decimal(25), new_denominator=Decimal(200),
                                        reason="The team doubled.", agreed_by_contact=sponsor)
        services.action_create(actor=actor, goal=goal, title="Ours", side="vendor", owner_user=actor.user, due_on=TODAY)
        services.action_create(actor=actor, goal=goal, title="Theirs", side="customer", owner_contact=sponsor,
                               due_on=TODAY - dt.timedelta(days=1))
    return plan


@pytest.mark.parametrize("size", [(1, 1, 1), (4, 3, 6)], ids=["small", "big"])
def test_the_plan_page_costs_a_fixed_number_of_queries(csm_client, account, actor, django_assert_num_queries, size):
    sponsor = ContactFactory(account=account, name="Jane Roe")
    plan = _big_plan(account, actor, sponsor, *size)
    csm_client.get(f"/plans/{plan.pk}/")  # the session and the user are loaded alike in both runs below
    with django_assert_num_queries(12):
        response = csm_client.get(f"/plans/{plan.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('class="metric-card"') == size[0] * size[1]


@pytest.mark.parametrize("size", [(1, 1, 1), (3, 2, 4)], ids=["small", "big"])
def test_a_metric_card_costs_a_fixed_number_of_queries(csm_client, account, actor,
                                                                           django_assert_num_queries, size):
    sponsor = ContactFactory(account=account, name="Jane Roe")
    plan = _big_plan(account, actor, sponsor, *size)
    metric = Goal.objects.filter(plan=plan).first().metrics.first()
    with django_assert_num_queries(13):
        response = csm_client.get(f"/plans/{plan.pk}/metrics/{metric.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="metric-{metric.pk}"' in response.content.decode()


def test_the_account_plans_page_lists_every_plan_of_the_account(viewer_client, account):
    ours = SuccessPlanFactory(account=account, title="Year one")
    theirs = SuccessPlanFactory(account=AccountFactory(name="Other Co"), title="Not ours")
    html = viewer_client.get(f"/accounts/{account.pk}/plans/").content.decode()
    assert f'href="/plans/{ours.pk}/"' in html
    assert f'href="/plans/{theirs.pk}/"' not in html and "Not ours" not in html
