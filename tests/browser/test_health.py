"""A CSM opens an at-risk account (good relationship, poor adoption) in a real browser and reads
what blocks its Renewal score: Adoption, and what blocks Adoption."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from paceline.customers.models import ContactLevel, ContactRole
from paceline.engagement.models import Touchpoint, TouchpointStatus
from paceline.health import services
from paceline.health.models import HealthScore
from paceline.surveys.models import SurveyKind
from tests.factories import AccountFactory, ContactFactory, InteractionFactory
from tests.surveys.factories import ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def at_risk_account(owner):
    """Executive sponsor and champion met recently and happy, promoters; but no success plan and
    most touchpoints missed."""
    account = AccountFactory(name="Loved But Idle", owner=owner)
    boss = ContactFactory(account=account, name="Ada Boss", level=ContactLevel.EXECUTIVE,
                          roles=[ContactRole.EXECUTIVE_SPONSOR])
    champion = ContactFactory(account=account, name="Jane Roe", level=ContactLevel.MANAGER,
                              roles=[ContactRole.CHAMPION], is_primary=True, reports_to=boss)
    for days, who in ((5, [boss, champion]), (12, [champion])):
        call = InteractionFactory(account=account, kind="meeting",
                                  occurred_at=timezone.now() - dt.timedelta(days=days), sentiment="positive")
        call.contacts.set(who)
    survey = SurveyFactory(kind=SurveyKind.NPS)
    for contact in (boss, champion):
        ResponseFactory(survey=survey, account=account, contact=contact, score=10,
                        submitted_at=timezone.now() - dt.timedelta(days=20))
    for n in (90, 60, 45, 30, 15):
        Touchpoint.objects.create(account=account, name=f"Check-in {n}", due_date=_ago(n),
                                  status=TouchpointStatus.MISSED, closed_on=_ago(n - 2), term_start=_ago(120))
    return account


def test_a_csm_reads_what_blocks_an_at_risk_account(page, live_server, login, csm):
    account = at_risk_account(csm)
    services.scores_compute(on=timezone.localdate(), account_ids=[account.pk])
    score = HealthScore.objects.get(account=account)
    assert score.band == "red" and score.blocking == "adoption"

    login(page, "carl")
    page.goto(f"{live_server.url}/accounts/{account.pk}/")

    panel = page.locator("#panel-health")
    expect(panel.get_by_role("heading", name="Health")).to_be_visible()
    blocker = score.detail["equations"]["adoption"]["blocking"]
    label = score.detail["factors"][blocker]["label"]
    expect(panel.locator("#health-held-renewal")).to_contain_text(f"Renewal held back by Adoption (blocked by {label})")
    expect(panel.locator("#health-renewal")).to_contain_text("Red")
