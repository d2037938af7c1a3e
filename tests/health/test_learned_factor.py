"""The learned risk offered as a fact for a custom factor: trained only on what was known."""

from __future__ import annotations

import datetime as dt

import pytest

from paceline.health import learned, spec
from tests.health.test_backtest_runner import TODAY, book


@pytest.mark.django_db
def test_risk_facts_come_from_renewals_decided_by_the_day():
    made = book(12)
    ids = [m[0].pk for m in made]
    found = learned.risk_factor_facts(ids, TODAY)
    assert set(found) == set(ids)
    fact = found[ids[0]][learned.RISK_KEY]
    assert 0 <= fact.value <= 100 and fact.on == TODAY
    assert "learned from 12 past renewals (6 churned)" in fact.note
    # Before the renewals were decided there is nothing to learn from: no fact, never a guess.
    assert learned.risk_factor_facts(ids, TODAY - dt.timedelta(days=40)) == {}


def test_a_model_can_use_it_as_a_custom_factor():
    definition = spec.default()
    definition["custom_factors"] = {"learned": {"label": "Learned churn risk", "source": "learned.risk",
                                                "points": [[0, 100], [50, 0]], "missing": "exclude"}}
    definition["equations"]["renewal"]["terms"]["learned"] = 1.0
    assert spec.validate(definition)["custom_factors"]["learned"]["source"] == "learned.risk"


@pytest.mark.django_db
def test_the_daily_scores_read_it_when_a_model_asks_for_it(leader):
    from paceline.core.services import Actor
    from paceline.health import selectors, services

    made = book(12)
    ids = [m[0].pk for m in made]
    services.scores_compute(on=TODAY, account_ids=ids)
    without = selectors.default_version()
    assert without.scores.filter(detail__factors__has_key="learned").count() == 0

    definition = spec.default()
    definition["custom_factors"] = {"learned": {"label": "Learned churn risk", "source": "learned.risk",
                                                "points": [[0, 100], [50, 0]], "missing": "exclude"}}
    definition["equations"]["renewal"]["terms"]["learned"] = 1.0
    services.model_save(actor=Actor(leader), model=without.model, definition=definition, note="learned risk")
    services.scores_compute(on=TODAY, account_ids=ids)

    from paceline.health.models import HealthScore

    score = HealthScore.objects.get(account_id=ids[0], on=TODAY)
    measure = score.detail["factors"]["learned"]["measures"][0]
    assert measure["key"] == "learned.risk" and measure["value"] is not None
    assert "learned from 12 past renewals" in measure["note"]
