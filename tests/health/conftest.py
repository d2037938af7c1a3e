"""Shared health fixtures: an account with data in every source the facts are gathered from,
all dated on or before ``AS_OF`` (a month ago), so tests can plant later data and prove it unseen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from paceline.customers.models import ContactLevel, ContactRole
from paceline.engagement.models import Touchpoint, TouchpointStatus
from paceline.health.models import ManualAssessment
from paceline.success.models import ActionItem, GoalStatus, Measurement, Side
from paceline.surveys.models import SurveyKind
from tests.engagement.factories import NeedFactory
from tests.factories import (
    AccountFactory,
    ContactFactory,
    GoalFactory,
    InteractionFactory,
    SuccessMetricFactory,
)
from tests.surveys.factories import ResponseFactory, SurveyFactory

AS_OF = timezone.localdate() - dt.timedelta(days=30)


def day(n: int) -> dt.date:
    """``n`` days after ``AS_OF`` (negative: before)."""
    return AS_OF + dt.timedelta(days=n)


def moment(n: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day(n), dt.time(12)))


def build_account(**kwargs):
    """An account with a champion, an executive sponsor above the primary contact, conversations,
    NPS answers, touchpoints, a need, an agreed goal on pace, a customer commitment and a CSM's read."""
    account = AccountFactory(**kwargs)
    boss = ContactFactory(account=account, name="Ada Boss", level=ContactLevel.EXECUTIVE,
                          roles=[ContactRole.EXECUTIVE_SPONSOR])
    champion = ContactFactory(account=account, name="Jane Roe", level=ContactLevel.MANAGER, roles=[ContactRole.CHAMPION],
                              is_primary=True, reports_to=boss)
    call = InteractionFactory(account=account, occurred_at=moment(-10), sentiment="positive")
    call.contacts.set([champion])
    qbr = InteractionFactory(account=account, kind="qbr", occurred_at=moment(-40), sentiment="neutral")
    qbr.contacts.set([boss, champion])
    survey = SurveyFactory(kind=SurveyKind.NPS)
    ResponseFactory(survey=survey, account=account, contact=champion, score=9, submitted_at=moment(-20))
    ResponseFactory(survey=survey, account=account, contact=boss, score=10, submitted_at=moment(-50))
    for due, status in ((-60, TouchpointStatus.KEPT), (-30, TouchpointStatus.KEPT), (-15, TouchpointStatus.MISSED)):
        Touchpoint.objects.create(account=account, name=f"Check-in {due}", due_date=day(due), status=status,
                                  closed_on=day(due + 2), term_start=day(-100))
    NeedFactory(account=account, opened_on=day(-25))
    goal = GoalFactory(plan__account=account, status=GoalStatus.ACTIVE, agreed_on=day(-90))
    metric = SuccessMetricFactory(goal=goal, baseline=Decimal(0), baseline_date=day(-90), target=Decimal(100),
                                  target_date=day(90))
    Measurement.objects.create(metric=metric, measured_on=day(-5), value=Decimal(60))
    ActionItem.objects.create(goal=goal, title="Send the user list", side=Side.CUSTOMER, owner_contact=champion,
                              due_on=day(-20), status="done", done_on=day(-22))
    ManualAssessment.objects.create(account=account, score=80, reason="Strong quarter", assessed_on=day(-7))
    return account


@pytest.fixture
def rich_account(db):
    return build_account()
