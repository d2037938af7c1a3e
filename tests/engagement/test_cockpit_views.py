"""The My work page: whose items each persona sees, the team's view, and its cost."""

from __future__ import annotations

import pytest

from tests.engagement.cockpit_factories import account_with, task, touchpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(csm, other_csm):
    mine = account_with(owner=csm, arr="120000", renews_in=21, name="Acme Corp")
    theirs = account_with(owner=other_csm, name="Other Co")
    return {
        "late": task(account=mine, owner=csm, due=-3, title="Send the renewal quote"),
        "qbr": touchpoint(account=mine, owner=csm, due=2, name="Quarterly review"),
        "theirs": task(account=theirs, owner=other_csm, due=0, title="Call Olga's customer"),
        "far": task(account=mine, owner=csm, due=20, title="Plan the workshop"),
    }


def test_anonymous_is_sent_to_log_in(anon_client):
    response = anon_client.get("/work/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_csm_sees_their_own_work_with_its_reasons(csm_client, work):
    response = csm_client.get("/work/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["nav"] == "work"
    assert "Send the renewal quote" in html and "Quarterly review" in html
    assert "Call Olga" not in html
    assert "Plan the workshop" not in html  # further than 14 days
    assert "$120k ARR, renewal in 21 days, 3 days overdue" in html
    assert f'action="/work/tasks/{work["late"].pk}/complete/"' in html
    assert "Who is behind" not in html


def test_days_ahead_comes_from_the_query_string(csm_client, work):
    assert "Plan the workshop" in csm_client.get("/work/?days=30").content.decode()
    response = csm_client.get("/work/?days=lots")
    assert response.status_code == 400
    assert "Days ahead: Enter a whole number." in response.content.decode()
    assert csm_client.get("/work/?days=91").status_code == 400


def test_a_viewer_sees_the_page_without_actions(viewer_client, viewer, work):
    work["late"].owner = viewer
    work["late"].save()
    html = viewer_client.get("/work/").content.decode()
    assert "Send the renewal quote" in html
    assert "/complete/" not in html and "Reassign" not in html


@pytest.mark.parametrize("url", ["/work/?who=team", "/work/team/"])
def test_only_a_leader_sees_the_team(csm_client, viewer_client, url):
    assert csm_client.get(url).status_code == 403
    assert viewer_client.get(url).status_code == 403


@pytest.mark.parametrize("url", ["/work/?who=team", "/work/team/"])
def test_the_team_view_shows_everyone_and_who_is_behind(leader_client, csm, work, url):
    response = leader_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Send the renewal quote" in html and "Call Olga" in html
    assert f'action="/work/tasks/{work["theirs"].pk}/complete/"' in html  # a leader acts on anyone's
    summary = response.context["summary"]
    assert summary[0].user == csm and summary[0].overdue_tasks == 1
    assert "1 overdue task" in html


def test_a_leaders_own_view_is_only_theirs(leader_client, work):
    html = leader_client.get("/work/").content.decode()
    assert "Send the renewal quote" not in html
    assert "Nothing overdue." in html


def _many(csm, other_csm, n):
    for i in range(n):
        account = account_with(owner=csm, arr=str(1000 * (i + 1)))
        task(account=account, owner=csm, due=i % 5 - 2)
        touchpoint(account=account, owner=other_csm if i % 2 else csm, due=i % 7 - 3)


@pytest.mark.parametrize("n", [1, 15])
def test_the_page_costs_the_same_whatever_the_items(leader_client, csm, other_csm, n, django_assert_max_num_queries):
    _many(csm, other_csm, n)
    with django_assert_max_num_queries(12):
        response = leader_client.get("/work/team/")
    assert response.context["count"] == 2 * n
