"""A CSM opens an account with a year of usage snapshots in a real browser: the Adoption panel
loads when scrolled to, and draws its active-users and stickiness charts and the feature heat map."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import AccountFactory
from tests.usage.factories import (
    AccountUserActivityFactory,
    KeyFeatureFactory,
    UnmatchedGroupFactory,
    feature_history,
    usage_history,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_csm_sees_the_adoption_charts_and_heat_map(page, live_server, login, csm):
    account = AccountFactory(name="Busy Co", external_id="busy", owner=csm)
    usage_history(account, days=365, seats=25)
    KeyFeatureFactory(key="reports", name="Reports")
    KeyFeatureFactory(key="alerts", name="Alerts")
    feature_history(account, weeks=52, features=["reports", "alerts"])
    AccountUserActivityFactory(account=account, user_id="ada@busy.example", events_30d=300)
    AccountUserActivityFactory(account=account, user_id="bob@busy.example", events_30d=2)
    UnmatchedGroupFactory(group_id="mystery")

    # The live server's first request imports every app's URLs (the health backtest's are slow).
    page.goto(f"{live_server.url}/login/", timeout=60_000)
    login(page, "carl")
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    panel = page.locator("#panel-adoption")
    panel.scroll_into_view_if_needed()

    expect(panel.locator("#adoption-utilisation")).to_contain_text("of 25 seats")
    for chart in ("#adoption-active-chart", "#adoption-stickiness-chart", "#adoption-heatmap"):
        # The first request for the chart bundle builds it (vl-convert): give it time.
        expect(panel.locator(f"{chart} .chart-view")).to_have_attribute("data-ready", "1", timeout=60_000)
    # Drawn, not only placed: lines for the three windows, and one cell per feature and week.
    expect(panel.locator("#adoption-active-chart svg path[aria-roledescription='line mark']")).to_have_count(3)
    expect(panel.locator("#adoption-heatmap svg path[aria-roledescription='rect mark']")).to_have_count(104)
    expect(panel.locator("#adoption-heatmap svg")).to_contain_text("Reports")
    expect(panel.locator("#adoption-most-active")).to_contain_text("ada@busy.example")
    expect(panel.locator("#adoption-least-active")).to_contain_text("bob@busy.example")
    expect(panel.locator("#adoption-unmatched a")).to_have_attribute("href", "/usage/unmatched/")
