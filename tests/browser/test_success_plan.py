"""A CSM builds a success plan in a real browser: from the "Onboarding to first value" template,
adds a metric with two checkpoints, records three measurements one after another and watches the
status and the burn-up chart change in place (HTMX, no page reload).

``build_plan_and_measure`` leaves the browser on the plan page with a measured metric, for tests
that carry on from there (sharing the plan with the customer).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from paceline.success.models import Measurement, PlanTemplate, SuccessMetric, SuccessPlan
from paceline.success.plan_templates import DEFAULT_TEMPLATES
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()


def day(offset: int) -> str:
    return str(TODAY + dt.timedelta(days=offset))


@dataclass
class BuiltPlan:
    plan: SuccessPlan
    metric: SuccessMetric
    statuses: list[str]  # the status shown after the metric was added, then after each measurement


@pytest.fixture
def library(db):
    """The default templates. A migration installs them, but a browser test before this one
    (transactional, so the database is emptied after it) may have taken them away."""
    for template in DEFAULT_TEMPLATES:
        PlanTemplate.objects.get_or_create(name=template["name"], defaults=template)


@pytest.fixture
def acme(csm, library):
    account = AccountFactory(name="Acme Corp", owner=csm)
    ContactFactory(account=account, name="Jane Roe", title="VP Operations", roles=["executive_sponsor"],
                   is_primary=True)
    return account


def measured_points(card):
    """The chart's points of the measured series (the baseline, then each measurement)."""
    return card.locator('.chart-view [aria-roledescription="point"][aria-label*="series: measured"]')


def build_plan_and_measure(page: Page, live_server, login, account) -> BuiltPlan:
    login(page, "carl")
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    page.locator("#panel-success").get_by_role("link", name="New plan").click()
    page.get_by_label("Start from a template").select_option(label="Onboarding to first value")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", name="Onboarding to first value", level=1)).to_be_visible()
    expect(page.locator("#goals")).to_contain_text("Integrations live")
    plan = SuccessPlan.objects.get(account=account)

    page.get_by_role("link", name="+ Add a metric to “Reach first value”").click()
    page.get_by_label("Name").fill("Weekly planners")
    page.get_by_label("Unit").select_option("count")
    page.get_by_label("Direction").select_option("higher")
    page.get_by_label("Baseline", exact=True).fill("0")
    page.get_by_label("Baseline date").fill(day(-21))
    page.get_by_label("Target", exact=True).fill("40")
    page.get_by_label("Target date").fill(day(35))
    for row, (due, target, label) in enumerate([(day(-7), "10", "Week 2"), (day(14), "25", "Week 5")]):
        page.locator(f"#id_checkpoints-{row}-due_on").fill(due)
        page.locator(f"#id_checkpoints-{row}-target").fill(target)
        page.locator(f"#id_checkpoints-{row}-label").fill(label)
    page.get_by_role("button", name="Add metric").click()

    metric = SuccessMetric.objects.get(name="Weekly planners")
    assert [c.label for c in metric.checkpoints.all()] == ["Week 2", "Week 5"]
    card = page.locator(f"#metric-{metric.pk}")
    expect(card.locator(".chart-view")).to_have_attribute("data-ready", "1")
    status = card.locator(".pace-status")
    statuses = [status.inner_text()]
    # A full page load would forget this; HTMX swaps keep it.
    page.evaluate("window.stayedOnThePage = true")
    expect(measured_points(card)).to_have_count(1)
    # A value that does not parse comes back in the card, next to its field, and records nothing.
    card.get_by_label("Value", exact=True).fill("lots")
    card.get_by_role("button", name="Record").click()
    expect(card.locator(".field-value .errorlist")).to_contain_text("'lots' is not a number.")
    assert not Measurement.objects.filter(metric=metric).exists()
    for count, (value, on) in enumerate((("8", day(-14)), ("9", day(-7)), ("30", day(0))), start=1):
        previous = status.inner_text()
        card.get_by_label("Value", exact=True).fill(value)
        card.get_by_label("Date", exact=True).fill(on)
        card.get_by_role("button", name="Record").click()
        expect(status).not_to_have_text(previous)
        expect(card.locator(".chart-view")).to_have_attribute("data-ready", "1")
        expect(measured_points(card)).to_have_count(1 + count)
        expect(measured_points(card).last).to_have_attribute("aria-label", re.compile(f"value: {value}$"))
        statuses.append(status.inner_text())
    assert page.evaluate("window.stayedOnThePage") is True
    return BuiltPlan(plan=plan, metric=metric, statuses=statuses)


def test_a_csm_builds_a_plan_from_a_template_and_watches_a_metric_move(page, live_server, login, csm, acme):
    built = build_plan_and_measure(page, live_server, login, acme)
    assert built.statuses == ["Not measured yet", "On pace", "Behind", "Ahead"]
    card = page.locator(f"#metric-{built.metric.pk}")
    expect(card.locator(".metric-current")).to_contain_text("30")
    expect(card.locator(".pace-rule")).to_contain_text("ahead of the pace line")
    # 9 on the day the first lap wanted 10; 30 already beyond the second lap's 25.
    expect(card.locator("tr.lap-missed")).to_contain_text("Week 2")
    expect(card.locator("tr.lap-reached")).to_contain_text("Week 5")
    expect(page.locator("#plan-pace")).to_contain_text("1 of 1 goal on pace")
    assert list(Measurement.objects.filter(metric=built.metric).order_by("measured_on")
                .values_list("value", flat=True)) == [8, 9, 30]
