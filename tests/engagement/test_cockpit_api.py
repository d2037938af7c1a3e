"""GET /api/v1/work: the cockpit's list for the token's user, and who may ask for more."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.engagement.cockpit_factories import account_with, task, touchpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def get(api_token_for):
    def call(user, query: str = ""):
        client = Client()
        headers = {"Authorization": f"Bearer {api_token_for(user)}"} if user else {}
        return client.get(f"/api/v1/work{query}", headers=headers)

    return call


@pytest.fixture
def work(csm, other_csm):
    big = account_with(owner=csm, arr="120000", renews_in=21, name="Acme Corp")
    small = account_with(owner=csm, arr="3000", renews_in=300)
    return {
        "late": task(account=big, owner=csm, due=-3, title="Send the quote"),
        "small": task(account=small, owner=csm, due=1, title="Small thing"),
        "qbr": touchpoint(account=small, owner=csm, due=4, name="Review"),
        "theirs": task(account=small, owner=other_csm, due=0, title="Olga task"),
    }


def test_my_work_with_impact_and_reasons(get, csm, work):
    response = get(csm)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [i["title"] for i in body["items"]][0] == "Send the quote"
    impacts = [i["impact"] for i in body["items"]]
    assert impacts == sorted(impacts, reverse=True)
    first = body["items"][0]
    assert first["reasons"] == ["$120k ARR", "renewal in 21 days", "3 days overdue"]
    assert (first["kind"], first["bucket"], first["overdue_days"], first["account_name"]) == ("task", "overdue", 3, "Acme Corp")
    review = next(i for i in body["items"] if i["kind"] == "touchpoint")
    assert (review["status"], review["priority"], review["bucket"]) == ("planned", None, "upcoming")


def test_days_ahead(get, csm, work):
    titles = [i["title"] for i in get(csm, "?days=1").json()["items"]]
    assert titles == ["Send the quote", "Small thing"]
    error = get(csm, "?days=91").json()["detail"][0]
    assert error["loc"][-1] == "days"


def test_a_leader_asks_for_someone_or_everyone(get, leader, csm, other_csm, work):
    theirs = get(leader, f"?owner={other_csm.pk}").json()
    assert [i["title"] for i in theirs["items"]] == ["Olga task"]
    team = get(leader, "?team=true").json()
    assert team["count"] == 4
    assert get(leader).json()["count"] == 0


def test_others_may_not_ask_for_more_than_their_own(get, csm, other_csm, viewer, work):
    assert get(csm, f"?owner={other_csm.pk}").status_code == 403
    assert get(csm, "?team=true").status_code == 403
    assert get(viewer, "?team=true").status_code == 403
    assert get(csm, f"?owner={csm.pk}").json()["count"] == 3
    assert get(viewer).json()["count"] == 0


def test_anonymous_and_unknown_parameters(get, csm):
    assert get(None).status_code == 401
    response = get(csm, "?who=team")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "who"]


@pytest.mark.parametrize("n", [1, 10])
def test_queries_do_not_grow(api_token_for, csm, n, django_assert_max_num_queries):
    for i in range(n):
        account = account_with(owner=csm, arr=str(1000 * (i + 1)))
        task(account=account, owner=csm, due=i % 3 - 1)
        touchpoint(account=account, owner=csm, due=i % 4)
    headers = {"Authorization": f"Bearer {api_token_for(csm)}"}
    with django_assert_max_num_queries(4):  # the token, its last use, then tasks and touchpoints
        response = Client().get("/api/v1/work", headers=headers)
    assert response.json()["count"] == 2 * n
