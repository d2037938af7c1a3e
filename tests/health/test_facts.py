"""Facts are gathered in bulk and point-in-time: nothing dated after the day is seen."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paceline.customers.models import Contact, ContactStatus
from paceline.engagement.models import Touchpoint, TouchpointStatus
from paceline.health import facts
from paceline.health.models import ManualAssessment
from paceline.health.services import score_as_of
from paceline.surveys.models import SurveyKind
from tests.engagement.factories import NeedFactory
from tests.factories import InteractionFactory
from tests.health.conftest import AS_OF, build_account, day, moment
from tests.surveys.factories import ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_every_source_is_read_with_its_values_dates_and_notes(rich_account):
    found = facts.gather([rich_account.pk], as_of=AS_OF)[rich_account.pk]
    assert found["champion.present"].value == 1.0 and "Jane Roe" in found["champion.present"].note
    assert found["escalation.known"].value == 1.0 and "Ada Boss" in found["escalation.known"].note
    assert found["contact.days_since"] == facts.Fact(10.0, day(-10), f"last conversation on {day(-10):%Y-%m-%d}")
    assert found["contact.levels_90d"].value == 2.0  # manager and executive met within 90 days
    assert found["sponsor.days_since"].value == 40.0
    assert found["sentiment.score_90d"].value == pytest.approx(0.5)  # positive and neutral
    assert found["nps.score"].value == 100.0  # two promoters
    assert found["touchpoints.kept_share"].value == pytest.approx(2 / 3)
    assert found["onboarding.kept_share"].value == pytest.approx(2 / 3)
    assert found["needs.open"].value == 1.0
    assert found["plan.agreed"].value == 1.0
    assert found["goals.on_pace_share"].value == 1.0  # 60 of 100 at half-way: ahead
    assert found["commitments.customer_kept"].value == 1.0
    assert found["manual.score"] == facts.Fact(80.0, day(-7), "Strong quarter")


def test_an_account_with_no_data_has_only_the_facts_that_are_real_zeros(db):
    from tests.factories import AccountFactory

    bare = AccountFactory()
    found = facts.gather([bare.pk], as_of=AS_OF)[bare.pk]
    assert set(found) == {"plan.agreed"}  # no plan is a fact; no NPS, no contact, no champion are unknown
    assert found["plan.agreed"].value == 0.0


def _plant_after(account) -> None:
    """Everything here happens after AS_OF: a backtest as of AS_OF must not see any of it."""
    champion = Contact.objects.get(account=account, name="Jane Roe")
    Contact.objects.filter(pk=champion.pk).update(status=ContactStatus.LEFT, left_on=day(3))
    InteractionFactory(account=account, occurred_at=moment(1), sentiment="negative").contacts.set([champion])
    ResponseFactory(survey=SurveyFactory(kind=SurveyKind.NPS), account=account, contact=champion, score=0,
                    submitted_at=moment(2))
    ManualAssessment.objects.create(account=account, score=5, reason="Churning", assessed_on=day(1))
    NeedFactory(account=account, opened_on=day(4))
    Touchpoint.objects.create(account=account, name="Late", due_date=day(-1), status=TouchpointStatus.MISSED,
                              closed_on=day(2))


def test_data_dated_after_the_day_changes_neither_facts_nor_score(rich_account):
    before_facts = facts.gather([rich_account.pk], as_of=AS_OF)
    before_score = score_as_of([rich_account.pk], as_of=AS_OF)[rich_account.pk].as_dict()
    _plant_after(rich_account)
    assert facts.gather([rich_account.pk], as_of=AS_OF) == before_facts
    assert score_as_of([rich_account.pk], as_of=AS_OF)[rich_account.pk].as_dict() == before_score
    later = facts.gather([rich_account.pk], as_of=day(5))[rich_account.pk]
    assert later["champion.present"].value == 0.0  # the plant is real: seen once its day has come
    assert later["champion.present"].note == f"champion Jane Roe left on {day(3):%Y-%m-%d}"
    assert later["manual.score"].value == 5.0
    assert later["nps.score"].value == 0.0  # one promoter, one detractor (the champion's latest)


def test_queries_do_not_grow_with_the_number_of_accounts(db):
    one = [build_account().pk]
    many = [build_account().pk for _ in range(4)]
    with CaptureQueriesContext(connection) as small:
        facts.gather(one, as_of=AS_OF)
    with CaptureQueriesContext(connection) as large:
        found = facts.gather(many, as_of=AS_OF)
    assert len(large) == len(small)
    assert all(found[a]["champion.present"].value == 1.0 for a in many)


def test_accounts_beyond_one_chunk_cost_one_more_round_of_queries(db, monkeypatch):
    from paceline.health import gathering

    ids = [build_account().pk for _ in range(3)]
    with CaptureQueriesContext(connection) as whole:
        expected = facts.gather(ids, as_of=AS_OF)
    monkeypatch.setattr(gathering, "CHUNK", 2)
    with CaptureQueriesContext(connection) as chunked:
        assert facts.gather(ids, as_of=AS_OF) == expected
    assert len(chunked) == 2 * len(whole)
