"""Who may open and who may change the success plan pages: every URL, every persona.

Viewers read; CS leaders and CSMs (of any book) write; only CS leaders change the template
library; anonymous visitors are sent to log in. An id is only reachable under its own parent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.success.models import (
    ActionItem,
    Goal,
    GoalStatus,
    Measurement,
    PlanTemplate,
    SuccessPlan,
)
from tests.factories import (
    AccountFactory,
    ContactFactory,
    GoalFactory,
    SuccessMetricFactory,
    SuccessPlanFactory,
)

TODAY = timezone.localdate()

READ_URLS = [
    "/accounts/{a}/plans/",
    "/plans/{p}/",
    "/plans/{p}/metrics/{m}/",
    "/success/templates/",
    "/success/templates/{t}/",
]
WRITE_URLS = [
    "/accounts/{a}/plans/new/",
    "/plans/{p}/edit/",
    "/plans/{p}/delete/",
    "/plans/{p}/measurements/upload/",
    "/plans/{p}/goals/new/",
    "/plans/{p}/goals/{g}/edit/",
    "/plans/{p}/goals/{g}/delete/",
    "/plans/{p}/goals/{g}/agree/",
    "/plans/{p}/goals/{g}/close/",
    "/plans/{p}/goals/{g}/replace/",
    "/plans/{p}/goals/{g}/metrics/new/",
    "/plans/{p}/metrics/{m}/edit/",
    "/plans/{p}/metrics/{m}/delete/",
    "/plans/{p}/metrics/{m}/renegotiate/",
    "/plans/{p}/goals/{g}/actions/new/",
    "/plans/{p}/actions/{x}/edit/",
    "/plans/{p}/actions/{x}/done/",
]
POST_ONLY = [
    "/plans/{p}/reviewed/",
    "/plans/{p}/goals/{g}/start/",
    "/plans/{p}/metrics/{m}/measurements/",
    "/plans/{p}/metrics/{m}/measurements/{ms}/delete/",
    "/plans/{p}/actions/{x}/cancel/",
]
LEADER_URLS = ["/success/templates/new/", "/success/templates/{t}/edit/"]
LEADER_POST_ONLY = ["/success/templates/{t}/deactivate/"]
EVERY_WRITE = WRITE_URLS + POST_ONLY + LEADER_URLS + LEADER_POST_ONLY


@pytest.fixture
def record(account):
    """A plan with one of everything, so every URL has something to point at."""
    sponsor = ContactFactory(account=account, name="Jane Roe")
    plan = SuccessPlanFactory(account=account, title="Year one")
    goal = GoalFactory(plan=plan, title="Team trained", status=GoalStatus.PROPOSED)
    active = GoalFactory(plan=plan, title="Adoption", status=GoalStatus.ACTIVE)
    metric = SuccessMetricFactory(goal=active)
    measurement = Measurement.objects.create(metric=metric, measured_on=TODAY, value=Decimal(10))
    action = ActionItem.objects.create(goal=goal, title="Invite users", side="customer", owner_contact=sponsor,
                                       due_on=TODAY + dt.timedelta(days=7))
    template = PlanTemplate.objects.get(name="Onboarding to first value")
    return {"a": account.pk, "p": plan.pk, "g": goal.pk, "m": metric.pk, "ms": measurement.pk, "x": action.pk,
            "t": template.pk}


def snapshot_of_everything() -> tuple:
    return (
        AuditEntry.objects.count(),
        list(SuccessPlan.objects.values_list("title", "reviewed_on")),
        list(Goal.objects.values_list("title", "status")),
        Measurement.objects.count(),
        list(ActionItem.objects.values_list("status", flat=True)),
        list(PlanTemplate.objects.values_list("name", "is_active")),
    )


@pytest.mark.parametrize("url", READ_URLS + EVERY_WRITE + ["/accounts/{a}/plans/{p}/"])
def test_anonymous_is_sent_to_log_in(anon_client, record, url):
    path = url.format(**record)
    for response in (anon_client.get(path), anon_client.post(path, {"title": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("url", READ_URLS)
@pytest.mark.parametrize("persona", ["viewer_client", "csm_client", "other_csm_client", "leader_client"])
def test_everyone_logged_in_can_read(request, persona, record, url):
    client = request.getfixturevalue(persona)
    assert client.get(url.format(**record)).status_code == 200


@pytest.mark.parametrize("url", EVERY_WRITE)
def test_a_viewer_is_refused_every_write_and_changes_nothing(viewer_client, record, url):
    path = url.format(**record)
    before = snapshot_of_everything()
    data = {"title": "Changed", "name": "Changed", "m1-value": "5", "m1-measured_on": str(TODAY)}
    assert viewer_client.get(path).status_code == 403
    assert viewer_client.post(path, data).status_code == 403
    assert viewer_client.post(path, data, HTTP_HX_REQUEST="true").status_code == 403
    assert snapshot_of_everything() == before


def test_a_viewer_sees_the_plan_without_a_way_to_change_it(viewer_client, record):
    html = viewer_client.get("/plans/{p}/".format(**record)).content.decode()
    assert "Team trained" in html and "Adoption" in html
    for sign_of_writing in ("Mark reviewed", "Record", "Add goal", "/edit/", "Agree…", "Share with the customer"):
        assert sign_of_writing not in html


@pytest.mark.parametrize("persona", ["csm_client", "other_csm_client", "leader_client"])
@pytest.mark.parametrize("url", WRITE_URLS + POST_ONLY)
def test_csms_of_any_book_and_leaders_may_open_every_write_page(request, persona, record, url):
    client = request.getfixturevalue(persona)
    expected = 405 if url in POST_ONLY else 200
    assert client.get(url.format(**record)).status_code == expected


@pytest.mark.parametrize("persona", ["csm_client", "other_csm_client"])
@pytest.mark.parametrize("url", LEADER_URLS + LEADER_POST_ONLY)
def test_csms_may_not_change_the_template_library(request, persona, record, url):
    client = request.getfixturevalue(persona)
    before = snapshot_of_everything()
    path = url.format(**record)
    assert client.get(path).status_code == 403
    assert client.post(path, {"name": "Mine", "structure": "[]"}).status_code == 403
    assert snapshot_of_everything() == before


@pytest.mark.parametrize("url", LEADER_URLS)
def test_a_leader_may_open_the_template_library_forms(leader_client, record, url):
    assert leader_client.get(url.format(**record)).status_code == 200


def test_a_csm_of_another_book_may_edit_a_plan(other_csm_client, other_csm, record):
    response = other_csm_client.post("/plans/{p}/edit/".format(**record), {
        "title": "Year one, revised by Olga", "status": "active", "owner": other_csm.pk})
    assert response.status_code == 302
    assert SuccessPlan.objects.get(pk=record["p"]).title == "Year one, revised by Olga"


@pytest.fixture
def elsewhere(db):
    """Another account's plan, with its own goal, metric, measurement and commitment."""
    account = AccountFactory(name="Other Co")
    plan = SuccessPlanFactory(account=account)
    goal = GoalFactory(plan=plan, status=GoalStatus.ACTIVE)
    metric = SuccessMetricFactory(goal=goal)
    measurement = Measurement.objects.create(metric=metric, measured_on=TODAY, value=Decimal(3))
    action = ActionItem.objects.create(goal=goal, title="Theirs", side="customer",
                                       owner_contact=ContactFactory(account=account), due_on=TODAY)
    return {"a": account.pk, "p": plan.pk, "g": goal.pk, "m": metric.pk, "ms": measurement.pk, "x": action.pk}


CROSSED = [
    # (url, which ids come from the other account's plan, the methods the URL answers)
    ("/accounts/{a}/plans/{p}/", {"a"}, "get"),
    ("/plans/{p}/metrics/{m}/", {"m"}, "get"),
    ("/plans/{p}/goals/{g}/edit/", {"g"}, "get post"),
    ("/plans/{p}/goals/{g}/agree/", {"g"}, "get post"),
    ("/plans/{p}/goals/{g}/start/", {"g"}, "post"),
    ("/plans/{p}/goals/{g}/metrics/new/", {"g"}, "get post"),
    ("/plans/{p}/goals/{g}/actions/new/", {"g"}, "get post"),
    ("/plans/{p}/metrics/{m}/edit/", {"m"}, "get post"),
    ("/plans/{p}/metrics/{m}/renegotiate/", {"m"}, "get post"),
    ("/plans/{p}/metrics/{m}/measurements/", {"m"}, "post"),
    ("/plans/{p}/metrics/{m}/measurements/{ms}/delete/", {"ms"}, "post"),
    ("/plans/{p}/actions/{x}/edit/", {"x"}, "get post"),
    ("/plans/{p}/actions/{x}/done/", {"x"}, "get post"),
    ("/plans/{p}/actions/{x}/cancel/", {"x"}, "post"),
]


@pytest.mark.parametrize(("url", "foreign", "methods"), CROSSED)
def test_an_id_is_never_reachable_under_another_parent(csm_client, record, elsewhere, url, foreign, methods):
    path = url.format(**{k: (elsewhere[k] if k in foreign else v) for k, v in record.items()})
    before = snapshot_of_everything()
    data = {"title": "Moved", "done_on": str(TODAY), f"m{elsewhere['m']}-value": "5",
            f"m{elsewhere['m']}-measured_on": str(TODAY)}
    for method in methods.split():
        response = csm_client.get(path) if method == "get" else csm_client.post(path, data)
        assert response.status_code == 404, method
    assert snapshot_of_everything() == before


def test_a_plan_is_reached_through_its_own_account(csm_client, record):
    response = csm_client.get("/accounts/{a}/plans/{p}/".format(**record))
    assert response.status_code == 302
    assert response["Location"] == "/plans/{p}/".format(**record)


@pytest.mark.parametrize("url", ["/plans/999999/", "/accounts/999999/plans/", "/accounts/999999/plans/new/",
                                 "/success/templates/999999/"])
def test_unknown_ids_are_404(csm_client, db, url):
    assert csm_client.get(url).status_code == 404
