"""A CSM's first session, in a real browser: log in, filter the book, open an account, log an
interaction, see it on the timeline."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from paceline.customers.models import Interaction
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def book(csm, other_csm):
    acme = AccountFactory(name="Acme Corp", segment="enterprise", owner=csm)
    AccountFactory(name="Bolt Bikes", segment="smb", owner=csm)
    AccountFactory(name="Other Co", segment="enterprise", owner=other_csm)
    SubscriptionFactory(account=acme)
    boss = ContactFactory(account=acme, name="Jane Roe", title="VP Operations", roles=["executive_sponsor"])
    ContactFactory(account=acme, name="Sam Lee", title="Ops Manager", roles=["champion"], reports_to=boss)
    return acme


def test_a_csm_filters_the_book_opens_an_account_and_logs_a_call(page, live_server, login, csm, book):
    login(page, "carl")
    page.goto(f"{live_server.url}/book/")
    results = page.locator("#book-results")
    expect(results.get_by_role("link", name="Acme Corp")).to_be_visible()
    expect(results.get_by_role("link", name="Bolt Bikes")).to_be_visible()
    # Another CSM's account is not in my book by default.
    expect(results.get_by_role("link", name="Other Co")).to_have_count(0)

    page.locator("#book-filters").get_by_label("Segment").select_option("enterprise")
    expect(results.get_by_role("link", name="Bolt Bikes")).to_have_count(0)
    expect(results.get_by_role("link", name="Acme Corp")).to_be_visible()
    expect(page).to_have_url(re.compile(r"segment=enterprise"))  # HTMX pushed a shareable URL

    results.get_by_role("link", name="Acme Corp").click()
    expect(page.get_by_role("heading", name="Acme Corp")).to_be_visible()
    chart = page.locator("#org-chart")
    expect(chart).to_contain_text("Jane Roe")
    expect(chart).to_contain_text("Sam Lee")

    page.goto(f"{live_server.url}/accounts/{book.pk}/interactions/new/")
    page.get_by_label("Subject").fill("Kick-off call with the sponsor")
    page.get_by_label("Summary").fill("Agreed the first 90 days.")
    page.get_by_label("Jane Roe").check()
    page.get_by_role("button", name="Log interaction").click()

    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Kick-off call with the sponsor")
    expect(timeline).to_contain_text("Jane Roe")
    saved = Interaction.objects.get(subject="Kick-off call with the sponsor")
    assert saved.account_id == book.pk
    assert list(saved.contacts.values_list("name", flat=True)) == ["Jane Roe"]


def test_a_viewer_sees_the_account_but_no_way_to_change_it(page, live_server, login, viewer, book):
    login(page, "vic")
    page.goto(f"{live_server.url}/accounts/{book.pk}/")
    expect(page.get_by_role("heading", name="Acme Corp")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Log (an )?interaction", re.I))).to_have_count(0)
    response = page.goto(f"{live_server.url}/accounts/{book.pk}/interactions/new/")
    assert response.status == 403
