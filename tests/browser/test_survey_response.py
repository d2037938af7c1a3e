"""Answering an NPS survey from the e-mailed link, in a real browser on a phone-sized screen:
the keyboard picks the score, each answer saves itself, the same link resumes, the answers
arrive, and the link is then used up."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from paceline.surveys import services
from paceline.surveys.models import Response
from tests.factories import ContactFactory
from tests.surveys.test_services import campaign_for, default_survey

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
PROMPT = "How likely are you to recommend us to a friend or colleague?"


def test_a_customer_answers_an_nps_survey_on_a_phone_from_the_link(browser, live_server, settings, actor, account):
    settings.PACELINE_BASE_URL = live_server.url
    ContactFactory(account=account, name="Ann Able", email="ann@acme.test")
    campaign = campaign_for(actor, default_survey(), [account], subject="How are we doing?")
    services.campaign_send(actor=actor, campaign=campaign)
    [message] = mail.outbox
    url = re.search(rf"{re.escape(live_server.url)}/r/[\w-]+/", message.body).group(0)

    customer = browser.new_context(viewport=PHONE, has_touch=True)  # no cookies, no session
    customer.set_default_timeout(15_000)
    requested: list[str] = []
    customer.on("request", lambda request: requested.append(request.url))
    page = customer.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        assert page.goto(url).status == 200
        expect(page.get_by_role("heading", name="Relationship NPS")).to_be_visible()
        expect(page.get_by_text("Two questions, one minute")).to_be_visible()
        assert "{#" not in page.content() and "{%" not in page.content()
        scale = page.get_by_role("group", name=re.compile(re.escape(PROMPT)))
        expect(scale.get_by_role("radio")).to_have_count(11)
        # The keyboard: from 8, the arrow key moves to 9 and picks it (one radio group per scale).
        scale.get_by_role("radio", name="8", exact=True).focus()
        page.keyboard.press("ArrowRight")
        expect(scale.get_by_role("radio", name="9", exact=True)).to_be_checked()
        expect(page.get_by_role("status")).to_contain_text("Saved at")  # saved on its own, no button
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.reload()  # the same link resumes with the answer saved
        expect(scale.get_by_role("radio", name="9", exact=True)).to_be_checked()
        scale.locator("label", has_text=re.compile(r"^10$")).tap()  # a finger changes its mind
        expect(scale.get_by_role("radio", name="10", exact=True)).to_be_checked()
        expect(page.get_by_role("status")).to_contain_text("Saved at")
        reason = page.get_by_label("What is the main reason for your score?")
        reason.fill("Your team answers within the hour.")
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

        stored = Response.objects.get(contact__email="ann@acme.test")
        assert (stored.score, stored.comment, stored.is_complete) == (10, "Your team answers within the hour.", True)

        page.goto(url)
        expect(page.get_by_role("heading", name="You already answered this survey")).to_be_visible()
        expect(page.get_by_text("within the hour")).to_have_count(0)
        assert requested and all(u.startswith(live_server.url) for u in requested), requested
        assert errors == []
        assert customer.cookies() == []
    finally:
        customer.close()
