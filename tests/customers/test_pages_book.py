"""My book: who sees which accounts by default, filters, sorting, paging, the two HTMX shapes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paceline.customers.models import Account, LifecycleStage, Segment, Tier
from tests.factories import AccountFactory, SubscriptionFactory, TaskFactory

ROW = re.compile(r'class="account-link" href="/accounts/(\d+)/">([^<]+)</a>')


def names(response) -> list[str]:
    return [name for _, name in ROW.findall(response.content.decode())]


def with_renewal(account: Account, *, arr: str, days: int) -> Account:
    """Give the account one active term of this ARR renewing in ``days`` (negative: overdue)."""
    today = timezone.localdate()
    SubscriptionFactory(
        account=account, arr=Decimal(arr), start_date=today + dt.timedelta(days=days - 365),
        end_date=today + dt.timedelta(days=days),
    )
    account.refresh_from_db()
    return account


@pytest.fixture
def book(csm, other_csm, leader, account):
    """Six accounts across three owners, with known ARR, renewal dates and a hierarchy."""
    acme = with_renewal(account, arr="50000", days=20)
    bolt = with_renewal(
        AccountFactory(name="Bolt Labs", owner=csm, segment=Segment.ENTERPRISE, tier=Tier.TIER_1),
        arr="120000", days=200,
    )
    cobalt = with_renewal(
        AccountFactory(name="Cobalt Inc", owner=csm, segment=Segment.SMB, tier=Tier.TIER_3,
                       lifecycle_stage=LifecycleStage.ADOPTION),
        arr="8000", days=75,
    )
    delta = with_renewal(
        AccountFactory(name="Delta Foods", owner=other_csm, segment=Segment.ENTERPRISE, currency="EUR"),
        arr="90000", days=45,
    )
    echo = with_renewal(AccountFactory(name="Echo Health", owner=None, parent=bolt), arr="30000", days=-10)
    foxtrot = AccountFactory(name="Foxtrot Travel", owner=leader)
    return {a.name: a for a in (acme, bolt, cobalt, delta, echo, foxtrot)}


def test_anonymous_is_sent_to_log_in(anon_client):
    response = anon_client.get("/book/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_csm_sees_their_own_book_by_default(csm_client, book):
    response = csm_client.get("/book/")
    assert response.status_code == 200
    assert names(response) == ["Acme Corp", "Bolt Labs", "Cobalt Inc"]
    assert '<option value="me" selected>My accounts</option>' in response.content.decode()


def test_another_csm_does_not_see_my_account_by_default_but_does_in_all_accounts(other_csm_client, book):
    assert names(other_csm_client.get("/book/")) == ["Delta Foods"]
    everything = names(other_csm_client.get("/book/?owner=all"))
    assert "Acme Corp" in everything
    assert len(everything) == 6


@pytest.mark.parametrize("persona", ["leader_client", "viewer_client"])
def test_leaders_and_viewers_see_all_accounts_by_default(request, persona, book):
    client = request.getfixturevalue(persona)
    assert names(client.get("/book/")) == sorted(book)


def test_the_owner_filter_picks_one_person_or_the_unassigned(leader_client, book, other_csm):
    assert names(leader_client.get(f"/book/?owner={other_csm.pk}")) == ["Delta Foods"]
    assert names(leader_client.get("/book/?owner=none")) == ["Echo Health"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("segment=enterprise", ["Bolt Labs", "Delta Foods"]),
        ("tier=3", ["Cobalt Inc"]),
        ("stage=adoption", ["Cobalt Inc"]),
        ("q=lab", ["Bolt Labs"]),
        ("q=acme", ["Acme Corp"]),
        ("renewal=30", ["Acme Corp"]),
        ("renewal=60", ["Acme Corp", "Delta Foods"]),
        ("renewal=90", ["Acme Corp", "Cobalt Inc", "Delta Foods"]),
        ("renewal=365", ["Acme Corp", "Bolt Labs", "Cobalt Inc", "Delta Foods"]),
        ("renewal=overdue", ["Echo Health"]),
        ("parent=none", ["Acme Corp", "Bolt Labs", "Cobalt Inc", "Delta Foods", "Foxtrot Travel"]),
        ("segment=enterprise&renewal=60", ["Delta Foods"]),
    ],
)
def test_filters_narrow_the_book(leader_client, book, query, expected):
    response = leader_client.get(f"/book/?owner=all&{query}")
    assert response.status_code == 200
    assert names(response) == expected


def test_the_parent_filter_lists_the_children_and_names_the_parent(leader_client, book):
    response = leader_client.get(f"/book/?owner=all&parent={book['Bolt Labs'].pk}")
    assert names(response) == ["Echo Health"]
    assert f'<option value="{book["Bolt Labs"].pk}" selected>Children of Bolt Labs</option>' in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Acme Corp", "Bolt Labs", "Cobalt Inc", "Delta Foods", "Echo Health", "Foxtrot Travel"]),
        ("-name", ["Foxtrot Travel", "Echo Health", "Delta Foods", "Cobalt Inc", "Bolt Labs", "Acme Corp"]),
        ("-arr", ["Bolt Labs", "Delta Foods", "Acme Corp", "Echo Health", "Cobalt Inc", "Foxtrot Travel"]),
        ("arr", ["Foxtrot Travel", "Cobalt Inc", "Echo Health", "Acme Corp", "Delta Foods", "Bolt Labs"]),
        # Echo is overdue and Foxtrot has no contract: no renewal ahead, so both go last.
        ("renewal", ["Acme Corp", "Delta Foods", "Cobalt Inc", "Bolt Labs", "Echo Health", "Foxtrot Travel"]),
        ("-renewal", ["Bolt Labs", "Cobalt Inc", "Delta Foods", "Acme Corp", "Foxtrot Travel", "Echo Health"]),
    ],
)
def test_sorting_orders_the_rows(leader_client, book, sort, expected):
    assert names(leader_client.get(f"/book/?sort={sort}")) == expected


def test_sort_headers_toggle_direction_and_keep_the_filters(leader_client, book):
    page = leader_client.get("/book/?owner=all&segment=enterprise&sort=-arr").content.decode()
    assert 'href="/book/?owner=all&amp;segment=enterprise&amp;sort=arr"' in page
    assert 'href="/book/?owner=all&amp;segment=enterprise&amp;sort=name"' in page
    assert 'aria-sort="descending"' in page
    # The sort rides along with the filter form, so a filter change keeps it.
    assert '<input type="hidden" name="sort" value="-arr" form="book-filters">' in page


def test_rows_show_money_with_currency_renewal_badges_parent_and_tasks(leader_client, book):
    today = timezone.localdate()
    TaskFactory(account=book["Acme Corp"], due_date=today - dt.timedelta(days=2))
    TaskFactory(account=book["Acme Corp"], due_date=today + dt.timedelta(days=2))
    # A renewal date that slipped into the past without the account being refreshed.
    Account.objects.filter(pk=book["Cobalt Inc"].pk).update(next_renewal_date=today - dt.timedelta(days=4))
    page = leader_client.get("/book/").content.decode()
    rows = dict(re.findall(r'<tr data-account-id="\d+">\s*<td><a class="account-link"[^>]*>([^<]+)</a>(.*?)</tr>', page, re.S))
    assert "90,000 <span class=\"muted small\">EUR</span>" in rows["Delta Foods"]
    assert "7,500 <span class=\"muted small\">EUR</span>" in rows["Delta Foods"]
    assert '<span class="badge warn">in 20 d</span>' in rows["Acme Corp"]
    assert '<span class="badge bad">4 d overdue</span>' in rows["Cobalt Inc"]
    assert '<span class="muted small">in 200 d</span>' in rows["Bolt Labs"]
    assert f'<a href="/accounts/{book["Bolt Labs"].pk}/">Bolt Labs</a>' in rows["Echo Health"]
    assert '2 open <span class="badge bad">1 overdue</span>' in rows["Acme Corp"]


def test_totals_count_and_sum_the_filtered_book(csm_client, book):
    page = csm_client.get("/book/").content.decode()
    assert '<div class="value" id="book-count">3</div>' in page
    assert '<div class="value" id="book-arr">178,000</div>' in page
    page = csm_client.get("/book/?owner=all&segment=enterprise").content.decode()
    assert '<div class="value" id="book-count">2</div>' in page
    assert '<div class="value" id="book-arr">210,000</div>' in page


@pytest.fixture
def thirty(csm):
    return [AccountFactory(name=f"Book {n:02d}", owner=csm) for n in range(30)]


def test_pages_hold_25_rows_and_the_second_page_holds_the_rest(csm_client, thirty):
    first = csm_client.get("/book/")
    assert names(first) == [f"Book {n:02d}" for n in range(25)]
    assert 'href="/book/?page=2"' in first.content.decode()
    second = csm_client.get("/book/?page=2")
    assert names(second) == [f"Book {n:02d}" for n in range(25, 30)]
    assert 'rel="prev" href="/book/?page=1"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()


def test_page_links_keep_the_filters_and_the_sort(csm_client, thirty):
    page = csm_client.get("/book/?sort=-name&q=book").content.decode()
    assert 'href="/book/?sort=-name&amp;q=book&amp;page=2"' in page
    assert names(csm_client.get("/book/?sort=-name&q=book&page=2")) == [f"Book {n:02d}" for n in range(4, -1, -1)]


def test_an_htmx_request_gets_only_the_results_fragment(csm_client, book):
    response = csm_client.get("/book/?segment=enterprise", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="book-filters"' not in body
    assert body.lstrip().startswith('<section id="book-results"')
    assert names(response) == ["Bolt Labs"]
    assert "HX-Request" in response["Vary"]


def test_a_plain_request_for_the_same_url_gets_the_whole_page(csm_client, book):
    response = csm_client.get("/book/?segment=enterprise")
    body = response.content.decode()
    assert "<html" in body
    assert '<form id="book-filters"' in body
    assert 'id="book-results"' in body
    assert 'hx-push-url="true"' in body
    assert '<option value="enterprise" selected>Enterprise</option>' in body
    assert names(response) == ["Bolt Labs"]
    assert "HX-Request" in response["Vary"]


def test_an_unknown_filter_is_refused_by_name(csm_client, book):
    response = csm_client.get("/book/?colour=red")
    assert response.status_code == 400
    body = response.content.decode()
    assert "<code>colour</code>: Unknown filter &#x27;colour&#x27;." in body
    assert names(response) == []


def test_a_bad_filter_value_is_refused_in_the_fragment_too(csm_client, book):
    response = csm_client.get("/book/?segment=galactic&page_size=0", HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" not in body
    assert "<code>segment</code>" in body and "galactic" in body
    assert "<code>page_size</code>" in body


def test_the_number_of_queries_does_not_grow_with_the_page(csm_client, csm, other_csm, django_assert_num_queries):
    today = timezone.localdate()
    parent = AccountFactory(name="Zeta Group", owner=other_csm)
    for n in range(25):
        account = AccountFactory(name=f"Row {n:02d}", owner=csm, parent=parent)
        TaskFactory(account=account, owner=csm, due_date=today - dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as five:
        response = csm_client.get("/book/?page_size=5")
    assert len(names(response)) == 5
    with django_assert_num_queries(len(five.captured_queries)):
        response = csm_client.get("/book/?page_size=25")
    assert len(names(response)) == 25
    assert response.content.decode().count('<span class="badge bad">1 overdue</span>') == 25
