"""Goals and commitments on the pages: the tree, the lifecycle with the customer, the next goal
after a hit, and both sides' commitments with kept, late, missed and open counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paceline.customers.models import Interaction
from paceline.success import services
from paceline.success.models import ActionItem, Goal, GoalStatus
from tests.factories import AccountFactory, ContactFactory, GoalFactory, SuccessPlanFactory

TODAY = timezone.localdate()


def day(offset: int) -> str:
    return str(TODAY + dt.timedelta(days=offset))


@pytest.fixture
def plan(account):
    return SuccessPlanFactory(account=account, title="Year one")


@pytest.fixture
def sponsor(account):
    return ContactFactory(account=account, name="Jane Roe", title="VP Operations")


@pytest.fixture
def stranger(db):
    return ContactFactory(account=AccountFactory(name="Other Co"), name="Sam Stranger")


def test_goals_and_sub_goals_are_added_in_the_customers_words(csm_client, plan):
    response = csm_client.post(f"/plans/{plan.pk}/goals/new/", {
        "title": "Team trained", "description": "Everyone can plan their own week.",
        "internal_notes": "They churned a tool last year.", "target_date": day(90)})
    goal = Goal.objects.get()
    assert response["Location"] == f"/plans/{plan.pk}/#goal-{goal.pk}"
    assert (goal.status, goal.description, goal.parent) == ("proposed", "Everyone can plan their own week.", None)
    form = csm_client.get(f"/plans/{plan.pk}/goals/new/?parent={goal.pk}")
    assert form.context["form"].initial["parent"] == goal.pk
    csm_client.post(f"/plans/{plan.pk}/goals/new/", {"title": "Admins trained", "parent": goal.pk})
    sub = Goal.objects.get(title="Admins trained")
    assert sub.parent == goal and sub.position == 0
    html = csm_client.get(f"/plans/{plan.pk}/").content.decode()
    assert html.index("<h2>Team trained</h2>") < html.index("<h3>Admins trained</h3>")
    assert 'class="card plan-goal goal-proposed plan-subgoal"' in html


def test_sub_goals_go_one_level_deep(csm_client, plan):
    goal = GoalFactory(plan=plan)
    sub = GoalFactory(plan=plan, parent=goal)
    response = csm_client.post(f"/plans/{plan.pk}/goals/new/", {"title": "Too deep", "parent": sub.pk})
    assert response.status_code == 400
    assert "one level deep" in response.context["form"].errors["parent"][0]
    assert not Goal.objects.filter(title="Too deep").exists()


def test_a_goal_of_another_plan_cannot_be_a_parent(csm_client, plan):
    elsewhere = GoalFactory(plan=SuccessPlanFactory(account=plan.account))
    response = csm_client.post(f"/plans/{plan.pk}/goals/new/", {"title": "Lost", "parent": elsewhere.pk})
    assert response.status_code == 400 and "parent" in response.context["form"].errors
    assert not Goal.objects.filter(title="Lost").exists()


def test_a_goal_is_agreed_started_and_shows_who_agreed(csm_client, plan, sponsor):
    goal = GoalFactory(plan=plan, title="Team trained")
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/agree/", {"contact": sponsor.pk, "on": day(-2)})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.status, goal.agreed_by_contact, goal.agreed_by_user.username, goal.agreed_on) == (
        "agreed", sponsor, "carl", TODAY - dt.timedelta(days=2))
    assert csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/start/").status_code == 302
    goal.refresh_from_db()
    assert goal.status == "active"
    html = csm_client.get(f"/plans/{plan.pk}/").content.decode()
    expected = f"Agreed on {(TODAY - dt.timedelta(days=2)):%-d %b %Y} by Jane Roe (customer) and Carl Csm (us)."
    assert expected in html


@pytest.mark.parametrize(("who", "on", "field", "says"), [
    ("stranger", day(0), "contact", "Choose a contact of this account."),
    ("nobody", day(0), "contact", "required"),
    ("sponsor", day(3), "on", "cannot be in the future"),
])
def test_an_agreement_with_bad_input_is_refused_by_field(csm_client, plan, sponsor, stranger, who, on, field, says):
    goal = GoalFactory(plan=plan)
    contact = {"stranger": stranger.pk, "sponsor": sponsor.pk, "nobody": ""}[who]
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/agree/", {"contact": contact, "on": on})
    assert response.status_code == 400
    assert says in " ".join(response.context["form"].errors[field])
    goal.refresh_from_db()
    assert goal.status == "proposed" and goal.agreed_by_contact is None


def test_a_goal_cannot_be_agreed_twice(csm_client, actor, plan, sponsor):
    goal = GoalFactory(plan=plan)
    services.goal_agree(actor=actor, goal=goal, contact=sponsor)
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/agree/", {"contact": sponsor.pk, "on": day(0)})
    assert response.status_code == 400
    assert "Only a proposed goal can be agreed" in response.content.decode()


def test_a_closed_goal_cannot_be_started(csm_client, plan):
    goal = GoalFactory(plan=plan, status=GoalStatus.MISSED)
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/start/")
    assert response.status_code == 400
    assert "Only a proposed or agreed goal can be started." in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == "missed"


def test_a_hit_is_celebrated_and_the_plan_offers_the_next_goal(csm_client, actor, plan, sponsor):
    goal = GoalFactory(plan=plan, title="Team trained", description="Everyone plans their week.",
                       target_date=TODAY + dt.timedelta(days=30))
    services.goal_agree(actor=actor, goal=goal, contact=sponsor, on=TODAY - dt.timedelta(days=60))
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/close/", {
        "status": "hit", "on": day(0), "reason": "All 50 trained a month early."})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.status, goal.closed_on, goal.close_reason) == ("hit", TODAY, "All 50 trained a month early.")
    assert Interaction.objects.filter(account=plan.account, subject="Goal hit: Team trained").exists()
    html = csm_client.get(f"/plans/{plan.pk}/").content.decode()
    assert f'href="/plans/{plan.pk}/goals/new/?after={goal.pk}">Set the next goal<' in html
    assert f"Hit on {TODAY:%-d %b %Y}: All 50 trained a month early." in html
    following = csm_client.get(f"/plans/{plan.pk}/goals/new/?after={goal.pk}")
    initial = following.context["form"].initial
    assert initial["title"] == "Team trained" and initial["description"] == "Everyone plans their week."
    assert initial["target_date"] == TODAY + dt.timedelta(days=90)  # as long as the last goal took
    assert "was hit" in following.content.decode()


def test_closing_as_missed_needs_a_reason(csm_client, plan):
    goal = GoalFactory(plan=plan, status=GoalStatus.ACTIVE)
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/close/", {"status": "missed", "on": day(0)})
    assert response.status_code == 400
    assert "Say why" in response.context["form"].errors["reason"][0]
    goal.refresh_from_db()
    assert goal.status == "active"


def test_a_changed_goal_is_replaced_by_its_successor(csm_client, plan):
    goal = GoalFactory(plan=plan, title="Train 50 people", status=GoalStatus.ACTIVE)
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/replace/", {
        "title": "Certify 20 admins", "reason": "They outsourced end-user training.", "description": "",
        "target_date": day(120)})
    successor = Goal.objects.get(title="Certify 20 admins")
    assert response["Location"] == f"/plans/{plan.pk}/#goal-{successor.pk}"
    goal.refresh_from_db()
    assert (goal.status, goal.replaced_by, goal.close_reason) == ("changed", successor,
                                                                  "They outsourced end-user training.")
    html = csm_client.get(f"/plans/{plan.pk}/").content.decode()
    assert f'Replaced by <a href="#goal-{successor.pk}">Certify 20 admins</a>' in html


def test_a_replacement_without_a_reason_is_refused(csm_client, plan):
    goal = GoalFactory(plan=plan, status=GoalStatus.ACTIVE)
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/replace/", {"title": "Other", "reason": " "})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert Goal.objects.count() == 1


# Commitments ------------------------------------------------------------------------------------


def test_commitments_of_both_sides_are_added_with_owners_of_their_side(csm_client, csm, plan, sponsor):
    goal = GoalFactory(plan=plan)
    ours = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/actions/new/", {
        "title": "Send the training plan", "side": "vendor", "owner_user": csm.pk, "owner_contact": sponsor.pk,
        "due_on": day(7)})
    theirs = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/actions/new/", {
        "title": "Invite all users", "side": "customer", "owner_contact": sponsor.pk, "due_on": day(14)})
    assert ours.status_code == 302 and theirs.status_code == 302
    rows = list(ActionItem.objects.order_by("due_on").values_list("title", "side", "owner_user", "owner_contact"))
    # The other side's select is ignored: a commitment has one owner, on its side.
    assert rows == [("Send the training plan", "vendor", csm.pk, None), ("Invite all users", "customer", None, sponsor.pk)]


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"side": "customer", "owner_contact": "stranger"}, "owner_contact", "Choose a contact of this account."),
    ({"side": "customer", "owner_contact": ""}, "owner_contact", "owned by one of their contacts"),
    ({"side": "vendor", "owner_user": ""}, "owner_user", "owned by one of our users"),
    ({"side": "neither"}, "side", "Select a valid choice"),
])
def test_a_commitment_with_the_wrong_owner_is_refused_by_field(csm_client, plan, stranger, data, field, says):
    goal = GoalFactory(plan=plan)
    if data.get("owner_contact") == "stranger":
        data["owner_contact"] = stranger.pk
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/actions/new/", {
        "title": "Invite all users", "due_on": day(14), **data})
    assert response.status_code == 400
    assert says in " ".join(response.context["form"].errors[field])
    assert not ActionItem.objects.exists()


def test_the_commitments_table_counts_kept_late_missed_and_open_per_side(csm_client, actor, csm, plan, sponsor):
    goal = GoalFactory(plan=plan)

    def commit(title, side, due):
        owner = {"owner_user": csm} if side == "vendor" else {"owner_contact": sponsor}
        return services.action_create(actor=actor, goal=goal, title=title, side=side,
                                      due_on=TODAY + dt.timedelta(days=due), **owner)

    kept = commit("Kick-off", "vendor", -10)
    late = commit("Admin training", "vendor", -8)
    missed = commit("Invite users", "customer", -3)
    commit("Name a champion", "customer", 5)
    cancelled = commit("Dropped", "customer", -1)
    assert csm_client.post(f"/plans/{plan.pk}/actions/{kept.pk}/done/", {"done_on": day(-11)}).status_code == 302
    assert csm_client.post(f"/plans/{plan.pk}/actions/{late.pk}/done/", {"done_on": day(-2)}).status_code == 302
    assert csm_client.post(f"/plans/{plan.pk}/actions/{cancelled.pk}/cancel/").status_code == 302
    response = csm_client.get(f"/plans/{plan.pk}/")
    counts = response.context["commitments"]
    assert (counts["vendor"].kept, counts["vendor"].late, counts["vendor"].missed, counts["vendor"].open) == (1, 1, 0, 0)
    assert (counts["customer"].kept, counts["customer"].late, counts["customer"].missed,
            counts["customer"].open) == (0, 0, 1, 1)
    assert [a.pk for a in response.context["overdue"]] == [missed.pk]
    html = response.content.decode()
    assert f'<a href="#action-{missed.pk}">Invite users</a> <span class="badge bad">Overdue since' in html
    assert f'<tr id="action-{missed.pk}" class="outcome-missed">' in html
    assert f'<tr id="action-{cancelled.pk}" class="outcome-cancelled">' in html


def test_a_commitment_cannot_be_done_in_the_future(csm_client, actor, csm, plan):
    goal = GoalFactory(plan=plan)
    action = services.action_create(actor=actor, goal=goal, title="Kick-off", side="vendor", owner_user=csm,
                                    due_on=TODAY)
    response = csm_client.post(f"/plans/{plan.pk}/actions/{action.pk}/done/", {"done_on": day(1)})
    assert response.status_code == 400
    assert "cannot be done in the future" in response.context["form"].errors["done_on"][0]
    action.refresh_from_db()
    assert action.status == "open"


def test_editing_a_commitment_moves_its_due_date(csm_client, actor, csm, plan, sponsor):
    goal = GoalFactory(plan=plan)
    action = services.action_create(actor=actor, goal=goal, title="Invite users", side="customer",
                                    owner_contact=sponsor, due_on=TODAY)
    response = csm_client.post(f"/plans/{plan.pk}/actions/{action.pk}/edit/", {
        "title": "Invite users", "side": "customer", "owner_contact": sponsor.pk, "due_on": day(21)})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due_on == TODAY + dt.timedelta(days=21)
