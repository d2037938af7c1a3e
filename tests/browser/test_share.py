"""Sharing a plan, in a real browser: a CSM makes a link, the customer opens it in a browser that
has never signed in (on a phone-sized screen), the CSM revokes it and the link is gone."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from paceline.success.models import ShareLink
from tests.success.test_share_page import (
    AUDIT_ONLY,
    GOAL_SECRET,
    OTHER_ACCOUNT,
    PLAN_SECRET,
    build_plan,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def _share_page_url(live_server, plan) -> str:
    """The plan's page, which offers sharing; the share-links page where there is no plan page."""
    try:
        return live_server.url + reverse("success:plan", args=[plan.pk])
    except NoReverseMatch:
        return live_server.url + reverse("sharing:links", args=[plan.pk])


def test_a_csm_shares_a_plan_the_customer_opens_it_and_the_csm_revokes_it(browser, page, live_server, login, csm,
                                                                           account):
    built = build_plan(account, csm)
    login(page, "carl")
    page.goto(_share_page_url(live_server, built.plan))
    expect(page.get_by_role("heading", name="Shared with the customer")).to_be_visible()
    panel = page.locator("#share-links")
    panel.get_by_label("Who it is for").fill("Jane Roe, VP Operations")
    panel.get_by_label("Valid for (days)").fill("14")
    panel.get_by_role("button", name="Share with the customer").click()
    expect(panel.get_by_text("copy it now, it will not be shown again")).to_be_visible()
    url = panel.get_by_label("Share link").input_value()
    assert url.startswith(f"{live_server.url}/shared/")
    link = ShareLink.objects.get(plan=built.plan)
    assert link.label == "Jane Roe, VP Operations"

    customer = browser.new_context(viewport=PHONE)  # no cookies, no session
    customer.set_default_timeout(15_000)
    requested: list[str] = []
    customer.on("request", lambda request: requested.append(request.url))
    view = customer.new_page()
    errors: list[str] = []
    view.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        response = view.goto(url)
        assert response.status == 200
        expect(view.get_by_role("heading", name="Onboarding to first value")).to_be_visible()
        expect(view.get_by_role("heading", name="Train the team")).to_be_visible()
        expect(view.get_by_role("heading", name="Managers trained first")).to_be_visible()
        expect(view.get_by_text("Shared by Carl Csm · valid until")).to_be_visible()
        expect(view.locator('.chart-view[data-ready="1"]')).to_have_count(2)
        expect(view.locator(".chart-view svg").first).to_be_visible()
        html = view.content()
        for secret in (PLAN_SECRET, GOAL_SECRET, OTHER_ACCOUNT, AUDIT_ONLY):
            assert secret not in html
        # Everything came from our server, nothing broke the page's policy, and it fits a phone.
        assert requested and all(u.startswith(live_server.url) for u in requested), requested
        assert errors == []
        assert view.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert customer.cookies() == []

        page.once("dialog", lambda dialog: dialog.accept())
        panel.get_by_role("button", name="Revoke").click()
        expect(panel.get_by_text("Revoked")).to_be_visible()
        expect(panel.get_by_label("Share link")).to_have_count(0)  # the URL is not shown again

        gone = view.reload()
        assert gone.status == 410
        expect(view.get_by_role("heading", name="This link is no longer valid")).to_be_visible()
        expect(view.get_by_text("Train the team")).to_have_count(0)
    finally:
        customer.close()
