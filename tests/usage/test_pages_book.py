"""The book's usage columns: utilisation (sorts and filters the book) and active users with their
trend, from each account's latest snapshot, in the book's one list query."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import AccountFactory
from tests.usage.factories import AccountUsageDayFactory, usage_history

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ROW = re.compile(r'class="account-link" href="/accounts/\d+/">([^<]+)</a>')


def names(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()[:2000]
    return ROW.findall(response.content.decode())


@pytest.fixture
def usage_book(csm):
    """Accounts at 20%, 50%, 65%, 80% and 95% utilisation, one without seats and one without data.
    Each has an older snapshot too, which must not count."""
    for name, active, seats in (("Low", 4, 20), ("Half", 10, 20), ("Mid", 13, 20), ("Eighty", 16, 20),
                                ("Full", 19, 20), ("Seatless", 7, None)):
        account = AccountFactory(name=name, owner=csm)
        AccountUsageDayFactory(account=account, day=TODAY - dt.timedelta(days=40), active_30d=20, seats=20)
        AccountUsageDayFactory(account=account, day=TODAY, active_30d=active, seats=seats, trend_30d=-0.25)
    AccountFactory(name="Silent", owner=csm)


def test_the_book_shows_utilisation_and_active_users_with_their_trend(csm_client, usage_book):
    html = csm_client.get("/book/").content.decode()
    assert ">Utilisation</a></th>" in html and ">Active users</a></th>" in html
    row = html[html.index(">Mid</a>"):]
    row = row[:row.index("</tr>")]
    assert re.search(r'class="badge usage-util" title="13 active users \(30 days\) of 20 seats on [\d-]+">65%', row)
    assert '<span class="usage-active">13</span>' in row and "↓ -25%" in row
    low = html[html.index(">Low</a>"):]
    assert 'class="badge usage-util bad low"' in low[:low.index("</tr>")]
    silent = html[html.index(">Silent</a>"):]
    assert 'title="No usage data"' in silent[:silent.index("</tr>")]


def test_the_book_offers_the_utilisation_filter(csm_client, usage_book):
    html = csm_client.get("/book/").content.decode()
    select = html[html.index('<select name="usage"'):]
    select = select[:select.index("</select>")]
    assert re.findall(r'<option value="(\w*)"', select) == ["", "below50", "50to80", "above80", "nodata"]
    assert "Below 50%" in select and "50–80%" in select and "Above 80%" in select and "No data" in select


@pytest.mark.parametrize(("choice", "expected"), [
    ("below50", ["Low"]),
    ("50to80", ["Eighty", "Half", "Mid"]),
    ("above80", ["Full"]),
    ("nodata", ["Seatless", "Silent"]),
])
def test_the_filter_takes_the_latest_snapshot(csm_client, usage_book, choice, expected):
    assert names(csm_client.get(f"/book/?usage={choice}")) == expected


def test_the_filter_keeps_the_other_filters(csm_client, usage_book, csm):
    AccountUsageDayFactory(account=AccountFactory(name="Not mine", owner=None), active_30d=1, seats=20)
    assert names(csm_client.get("/book/?usage=below50")) == ["Low"]
    assert names(csm_client.get("/book/?usage=below50&owner=all")) == ["Low", "Not mine"]


def test_an_unknown_filter_value_is_refused_by_name(csm_client, usage_book):
    response = csm_client.get("/book/?usage=plenty")
    assert response.status_code == 400
    assert "<code>usage</code>" in response.content.decode() and "plenty" in response.content.decode()


def test_sorting_by_utilisation_puts_the_lowest_first_and_no_data_last(csm_client, usage_book):
    ordered = names(csm_client.get("/book/?sort=usage"))
    assert ordered[:5] == ["Low", "Half", "Mid", "Eighty", "Full"]
    assert sorted(ordered[5:]) == ["Seatless", "Silent"]


def test_sorting_by_active_users_puts_the_most_first(csm_client, usage_book):
    assert names(csm_client.get("/book/?sort=usage_active"))[:3] == ["Full", "Eighty", "Mid"]


def test_sort_and_filter_together(csm_client, usage_book):
    assert names(csm_client.get("/book/?sort=usage&usage=50to80")) == ["Half", "Mid", "Eighty"]


def test_the_book_with_usage_costs_the_same_queries_whatever_the_rows(csm_client, csm, django_assert_num_queries):
    for n in range(25):
        usage_history(AccountFactory(name=f"Row {n:02d}", owner=csm), days=3 + n)
    with CaptureQueriesContext(connection) as five:
        assert len(names(csm_client.get("/book/?page_size=5&sort=usage&usage=below50"))) == 5
    with django_assert_num_queries(len(five.captured_queries)):
        response = csm_client.get("/book/?page_size=25&sort=usage&usage=below50")
    assert len(names(response)) == 25
    assert response.content.decode().count('class="badge usage-util bad low"') == 25
