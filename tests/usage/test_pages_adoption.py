"""The Adoption panel of the Customer 360 page: what it says from the daily snapshots, its
warnings, who may see it, and its cost (a fixed number of queries whatever the history)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import AccountFactory
from tests.usage.factories import (
    AccountFeatureWeekFactory,
    AccountUsageDayFactory,
    AccountUserActivityFactory,
    KeyFeatureFactory,
    UnmatchedGroupFactory,
    feature_history,
    usage_history,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def url(account) -> str:
    return f"/usage/accounts/{account.pk}/adoption/"


def fragment(client, account) -> str:
    response = client.get(url(account), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def specs(html: str) -> list[dict]:
    return [json.loads(s) for s in re.findall(r'<script type="application/vnd.vegalite\+json"[^>]*>(.*?)</script>', html)]


# On the account page --------------------------------------------------------------------------------


def test_the_account_page_has_the_panel_loaded_when_it_scrolls_into_view(csm_client, account):
    html = csm_client.get(f"/accounts/{account.pk}/").content.decode()
    panel = html[html.index('id="panel-adoption"'):]
    assert "<h2>Adoption</h2>" in panel
    assert f'hx-get="{url(account)}"' in panel and 'hx-trigger="intersect once"' in panel


def test_an_htmx_request_gets_the_fragment_and_a_plain_one_the_page(csm_client, account):
    AccountUsageDayFactory(account=account)
    part = csm_client.get(url(account), HTTP_HX_REQUEST="true")
    assert "<html" not in part.content.decode() and 'id="adoption-body"' in part.content.decode()
    assert "HX-Request" in part["Vary"]
    page = csm_client.get(url(account)).content.decode()
    assert "<html" in page and "Adoption of Acme Corp" in page and 'id="adoption-body"' in page


# Who may see it: the same people as the account page --------------------------------------------------


def test_anonymous_is_sent_to_log_in(anon_client, account):
    response = anon_client.get(url(account))
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("persona", ["csm_client", "leader_client", "viewer_client"])
def test_the_owner_a_leader_and_a_viewer_see_it(request, persona, account):
    AccountUsageDayFactory(account=account)
    assert 'id="adoption-active-30d"' in fragment(request.getfixturevalue(persona), account)


def test_a_csm_of_another_book_sees_it_as_they_see_the_account_page(other_csm_client, account):
    # Every CSM works any account (users.models.User): the account page opens for them, so does its panel.
    AccountUsageDayFactory(account=account)
    assert other_csm_client.get(f"/accounts/{account.pk}/").status_code == 200
    assert 'id="adoption-active-30d"' in fragment(other_csm_client, account)


def test_an_unknown_account_is_not_found(csm_client):
    assert csm_client.get("/usage/accounts/999999/adoption/").status_code == 404


def test_it_only_reads(csm_client, account):
    assert csm_client.post(url(account)).status_code == 405


# What it says ---------------------------------------------------------------------------------------


def test_it_shows_active_users_utilisation_with_seats_trend_and_last_activity(csm_client, account):
    AccountUsageDayFactory(account=account, day=TODAY - dt.timedelta(days=1), active_30d=10, seats=20)
    AccountUsageDayFactory(account=account, day=TODAY, active_1d=3, active_7d=8, active_30d=12, seats=20,
                           trend_30d=0.2, days_since_last=1, stickiness=0.27)
    html = fragment(csm_client, account)
    assert re.search(r'id="adoption-active-1d".*?<div class="value">3</div>', html, re.S)
    assert re.search(r'id="adoption-active-7d".*?<div class="value">8</div>', html, re.S)
    assert re.search(r'id="adoption-active-30d".*?<div class="value">12</div>', html, re.S)
    assert re.search(r'id="adoption-utilisation".*?60%.*?12 of 20 seats', html, re.S)
    assert re.search(r'id="adoption-trend".*?trend-up">↑ \+20%', html, re.S)
    assert re.search(r'id="adoption-last".*?1 day ago', html, re.S)
    assert re.search(r'id="adoption-stickiness".*?27%', html, re.S)
    for warning in ("adoption-no-data", "adoption-stale", "adoption-no-external-id", "adoption-unmatched"):
        assert warning not in html


def test_a_falling_trend_points_down_and_unknown_seats_say_so(csm_client, account):
    AccountUsageDayFactory(account=account, seats=None, trend_30d=-0.3)
    html = fragment(csm_client, account)
    assert re.search(r'id="adoption-utilisation".*?—.*?seats unknown', html, re.S)
    assert re.search(r'id="adoption-trend".*?trend-down">↓ -30%', html, re.S)


def test_it_draws_active_users_and_stickiness_over_two_years_at_most(csm_client, account):
    usage_history(account, days=800)
    active, stickiness = specs(fragment(csm_client, account))[:2]
    days = [v["d"] for v in active["data"]["values"]]
    assert len(days) == 731 and days[0] == (TODAY - dt.timedelta(days=730)).isoformat() and days[-1] == TODAY.isoformat()
    assert active["layer"][0]["transform"][0]["fold"] == ["1 day", "7 days", "30 days"]
    assert active["layer"][1]["data"]["values"] == [{"seats": 20}]  # the seats, as a rule
    assert len(stickiness["data"]["values"]) == 731
    assert stickiness["encoding"]["y"]["scale"]["domain"] == [0, 1]


def test_the_heat_map_shows_key_features_by_week_with_their_names(csm_client, account):
    AccountUsageDayFactory(account=account)
    KeyFeatureFactory(key="reports", name="Reports")
    AccountFeatureWeekFactory(account=account, feature="reports", share=0.75)
    AccountFeatureWeekFactory(account=account, feature="gone", share=0.1)  # no longer defined: keeps its key
    html = fragment(csm_client, account)
    assert 'id="adoption-heatmap"' in html
    heatmap = specs(html)[-1]
    assert heatmap["mark"] == "rect"
    assert {(v["f"], v["s"]) for v in heatmap["data"]["values"]} == {("Reports", 0.75), ("gone", 0.1)}
    assert heatmap["encoding"]["color"]["scale"]["domain"] == [0, 1]


def test_without_feature_weeks_it_points_to_key_features(csm_client, account):
    AccountUsageDayFactory(account=account)
    html = fragment(csm_client, account)
    assert 'id="adoption-no-features"' in html and 'href="/usage/features/"' in html


def test_it_lists_the_most_and_least_active_users(csm_client, account):
    AccountUsageDayFactory(account=account)
    for n, events in enumerate([500, 400, 300, 200, 150, 100, 50, 10, 0]):
        AccountUserActivityFactory(account=account, user_id=f"u{n}", events_30d=events)
    AccountUserActivityFactory(account=AccountFactory(), user_id="someone-else", events_30d=9999)
    html = fragment(csm_client, account)
    most = html[html.index('id="adoption-most-active"'):html.index('id="adoption-least-active"')]
    least = html[html.index('id="adoption-least-active"'):]
    assert re.findall(r"<code>(u\d)</code>", most) == ["u0", "u1", "u2", "u3", "u4"]
    assert re.findall(r"<code>(u\d)</code>", least) == ["u8", "u7", "u6", "u5"]  # none listed twice
    assert "someone-else" not in html


# Warnings -------------------------------------------------------------------------------------------


def test_it_warns_when_there_is_no_usage_data(csm_client, account):
    html = fragment(csm_client, account)
    assert 'id="adoption-no-data"' in html and "<code>acme</code>" in html
    assert 'id="adoption-active-30d"' not in html


def test_it_warns_when_the_latest_snapshot_is_older_than_two_days(csm_client, account):
    AccountUsageDayFactory(account=account, day=TODAY - dt.timedelta(days=3))
    html = fragment(csm_client, account)
    assert 'id="adoption-stale"' in html and "3 days ago" in html


def test_a_snapshot_two_days_old_is_not_stale(csm_client, account):
    AccountUsageDayFactory(account=account, day=TODAY - dt.timedelta(days=2))
    assert 'id="adoption-stale"' not in fragment(csm_client, account)


def test_a_snapshot_older_than_the_charts_still_reads_as_stale_not_missing(csm_client, account):
    AccountUsageDayFactory(account=account, day=TODAY - dt.timedelta(days=1000))
    html = fragment(csm_client, account)
    assert 'id="adoption-stale"' in html and 'id="adoption-no-data"' not in html


def test_it_warns_an_account_without_external_id_and_offers_writers_to_set_it(csm_client, viewer_client, csm):
    account = AccountFactory(external_id="", owner=csm)
    html = fragment(csm_client, account)
    assert 'id="adoption-no-external-id"' in html and f'href="/accounts/{account.pk}/edit/"' in html
    assert f'href="/accounts/{account.pk}/edit/"' not in fragment(viewer_client, account)


def test_it_warns_of_unmatched_events_with_a_link_to_them(leader_client, account):
    AccountUsageDayFactory(account=account)
    UnmatchedGroupFactory(events=100)
    UnmatchedGroupFactory(events=20)
    html = fragment(leader_client, account)
    assert re.search(r'id="adoption-unmatched".*?2 groups of product events \(120 events\) match no account', html, re.S)
    assert 'href="/usage/unmatched/"' in html


# Cost -----------------------------------------------------------------------------------------------


def test_it_costs_the_same_queries_with_two_years_of_history(csm_client, account, django_assert_num_queries):
    usage_history(account, days=3)
    feature_history(account, weeks=1, features=["reports"])
    AccountUserActivityFactory(account=account)
    UnmatchedGroupFactory()
    with CaptureQueriesContext(connection) as few:
        fragment(csm_client, account)
    account.usage_days.all().delete()
    usage_history(account, days=730)
    account.usage_feature_weeks.all().delete()
    feature_history(account, weeks=104, features=["reports", "alerts", "exports", "api", "sso"])
    for n in range(40):
        AccountUserActivityFactory(account=account, events_30d=n)
    KeyFeatureFactory.create_batch(5)
    UnmatchedGroupFactory.create_batch(5)
    with django_assert_num_queries(len(few.captured_queries)):
        html = fragment(csm_client, account)
    assert len(specs(html)) == 3


def test_its_queries_are_few(csm_client, account, django_assert_max_num_queries):
    usage_history(account, days=60)
    # Session and user, the account, then latest, days, feature weeks, key features, two user lists, unmatched.
    with django_assert_max_num_queries(10):
        fragment(csm_client, account)


def test_with_few_users_the_busier_half_is_most_active(csm_client, account):
    AccountUsageDayFactory(account=account)
    AccountUserActivityFactory(account=account, user_id="busy", events_30d=90)
    AccountUserActivityFactory(account=account, user_id="idle", events_30d=1)
    html = fragment(csm_client, account)
    most = html[html.index('id="adoption-most-active"'):html.index('id="adoption-least-active"')]
    assert "busy" in most and "idle" not in most
    assert "idle" in html[html.index('id="adoption-least-active"'):]
