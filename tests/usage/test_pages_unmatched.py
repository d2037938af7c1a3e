"""Unmatched events: every signed-in user reads which groups match no account and how to fix it;
the Usage entry of the navigation."""

from __future__ import annotations

import pytest

from tests.usage.factories import UnmatchedGroupFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["leader_client", "csm_client", "viewer_client"])
def test_leaders_csms_and_viewers_read_the_groups_and_how_to_map_them(request, persona):
    UnmatchedGroupFactory(group_id="globex-42", events=1500, users=7)
    UnmatchedGroupFactory(group_id="", events=30, users=2)
    html = request.getfixturevalue(persona).get("/usage/unmatched/").content.decode()
    table = html[html.index('id="unmatched-groups"'):]
    assert table.index("globex-42") < table.index("(no group)")  # most events first
    assert "Set the account's external id to <code>globex-42</code>" in table
    assert '<td class="num">1500</td>' in table and '<td class="num">7</td>' in table
    assert "context.groupId" in table  # events with no group: how to send one


def test_writers_get_a_link_to_find_the_account_and_viewers_do_not(csm_client, viewer_client):
    UnmatchedGroupFactory(group_id="globex")
    assert 'href="/book/?owner=all&amp;q=globex"' in csm_client.get("/usage/unmatched/").content.decode()
    assert 'q=globex' not in viewer_client.get("/usage/unmatched/").content.decode()


def test_without_unmatched_events_it_says_so(csm_client):
    assert "Every event matches an account." in csm_client.get("/usage/unmatched/").content.decode()


def test_anonymous_is_sent_to_log_in(anon_client):
    response = anon_client.get("/usage/unmatched/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_it_only_reads(leader_client):
    assert leader_client.post("/usage/unmatched/").status_code == 405


@pytest.mark.parametrize("persona", ["leader_client", "csm_client", "viewer_client"])
def test_the_navigation_has_a_usage_entry(request, persona):
    html = request.getfixturevalue(persona).get("/usage/unmatched/").content.decode()
    nav = html[html.index('<nav aria-label="Main">'):]
    assert '<a href="/usage/features/" aria-current="page">Usage</a>' in nav[:nav.index("</nav>")]
