"""The backtest against the database: renewals, point-in-time samples, no leakage, stored runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor
from paceline.customers.models import Contact, ContactRole, RenewalOutcome
from paceline.health import backtest, backtest_runs, facts
from paceline.health.models import BacktestRun, BacktestStatus, ManualAssessment
from paceline.surveys.models import SurveyKind
from tests.factories import AccountFactory, ContactFactory, InteractionFactory, SubscriptionFactory
from tests.surveys.factories import ResponseFactory, SurveyFactory

TODAY = timezone.localdate()


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def renewal(account, on: dt.date, *, churned: bool, product: str = "Paceline Platform", decided: dt.date | None = None):
    sub = SubscriptionFactory(account=account, product=product, start_date=on - dt.timedelta(days=365), end_date=on)
    return RenewalOutcome.objects.create(subscription=sub, account=account, outcome="churned" if churned else "renewed",
                                         decided_on=decided or on, arr_before=Decimal(12000),
                                         arr_after=Decimal(0) if churned else Decimal(12000))


def book(n: int = 12) -> list[tuple]:
    """Accounts renewed or churned in the last weeks; what was known 90 and 180 days before
    leans one way for the churned ones (a long silence, a lukewarm NPS), not perfectly."""
    survey = SurveyFactory(kind=SurveyKind.NPS)
    made = []
    for i in range(n):
        churned = i % 2 == 1
        on = TODAY - dt.timedelta(days=20 + i)
        account = AccountFactory()
        champion = ContactFactory(account=account, roles=[ContactRole.CHAMPION], is_primary=True)
        renewal(account, on, churned=churned)
        quiet = 200 if churned and i != 3 else 95 + i
        call = InteractionFactory(account=account, occurred_at=at(on - dt.timedelta(days=quiet)), sentiment="positive")
        call.contacts.set([champion])
        ResponseFactory(survey=survey, account=account, contact=champion, score=6 if churned else 9,
                        submitted_at=at(on - dt.timedelta(days=190)))
        made.append((account, on, churned, champion))
    return made


def plant_after(made: list[tuple]) -> None:
    """What happens in the weeks before a churn, after both as-of days: the champion leaves, a
    detractor answers 0, an angry call, a CSM's red read."""
    survey = SurveyFactory(kind=SurveyKind.NPS)
    for account, on, churned, champion in made:
        if not churned:
            continue
        Contact.objects.filter(pk=champion.pk).update(left_on=on - dt.timedelta(days=30))
        ResponseFactory(survey=survey, account=account, score=0, submitted_at=at(on - dt.timedelta(days=20)))
        InteractionFactory(account=account, occurred_at=at(on - dt.timedelta(days=10)), sentiment="negative")
        ManualAssessment.objects.create(account=account, score=5, reason="They are leaving",
                                        assessed_on=on - dt.timedelta(days=15))


@pytest.mark.django_db
def test_a_signal_planted_after_the_as_of_day_changes_nothing():
    made = book()
    before = backtest_runs.report((90, 180))
    assert before["renewals"] == 12 and before["churned"] == 6
    plant_after(made)
    assert backtest_runs.report((90, 180)) == before
    # The planted signal is real: on the renewal day itself it is plainly visible.
    account, on, _, _ = next(m for m in made if m[2])
    seen = facts.gather([account.pk], as_of=on)[account.pk]
    assert seen["champion.present"].value == 0.0
    assert seen["nps.score"].value == -100
    assert seen["contact.days_since"].value == 10


@pytest.mark.django_db
def test_the_report_compares_the_score_with_the_baselines_and_learned_models():
    book()
    result = backtest_runs.report((90,))
    h = result["horizons"][0]
    assert (h["days"], h["samples"], h["churned"], h["skipped"]) == (90, 12, 6, 0)
    predictors = h["predictors"]
    assert set(predictors) == {"health", "contact", "usage", "logistic", "boosting"}
    assert predictors["usage"]["reason"] == "not available: no usage data"
    # Every churned account but one had gone quiet: the silence ranks them well, and so does the score.
    assert predictors["contact"]["auc"] > 0.8
    assert predictors["health"]["auc"] > 0.8
    assert predictors["health"]["calibration"] and predictors["contact"]["calibration"] is None
    assert predictors["logistic"]["n"] == 12


@pytest.mark.django_db
def test_renewals_are_one_per_account_and_day_and_left_out_when_decided_before_the_as_of_day():
    account = AccountFactory()
    on = TODAY - dt.timedelta(days=40)
    renewal(account, on, churned=True, decided=on - dt.timedelta(days=60))
    renewal(account, on, churned=False, product="Add-on")
    other = AccountFactory()
    renewal(other, on, churned=False, decided=on - dt.timedelta(days=120))
    found = {r.account_id: r for r in backtest.renewals()}
    assert found[account.pk].churned == 1 and len(found) == 2
    assert found[account.pk].on == on  # the renewal date, not the (earlier) decision
    sampled, skipped = backtest.samples(found.values(), 90, score_fn=None, gather_fn=facts.gather)
    assert [s.renewal.account_id for s in sampled] == [account.pk] and sampled[0].as_of == on - dt.timedelta(days=90)
    assert skipped == 1  # the other was decided 120 days ahead: known 90 days before


@pytest.mark.django_db
def test_a_renewal_whose_term_had_not_started_is_skipped():
    account = AccountFactory()
    on = TODAY - dt.timedelta(days=10)
    sub = SubscriptionFactory(account=account, start_date=on - dt.timedelta(days=60), end_date=on)
    RenewalOutcome.objects.create(subscription=sub, account=account, outcome="renewed", decided_on=on,
                                  arr_before=Decimal(1), arr_after=Decimal(1))
    found, skipped = backtest.samples(backtest.renewals(), 90, score_fn=None, gather_fn=facts.gather)
    assert (found, skipped) == ([], 1)


@pytest.mark.django_db
def test_a_run_is_queued_once_computed_by_the_worker_and_kept(leader, django_capture_on_commit_callbacks):
    book(8)
    actor = Actor(user=leader)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the worker has not picked it up yet
        run = backtest_runs.backtest_request(actor=actor, horizons=[180, 90, 90])
    assert len(callbacks) == 1 and run.horizons == [90, 180] and run.status == BacktestStatus.QUEUED
    assert AuditEntry.objects.filter(target_type="health.backtestrun", target_id=str(run.pk)).exists()
    with pytest.raises(ValidationError, match="already queued"):
        backtest_runs.backtest_request(actor=actor)
    assert backtest_runs.backtest_execute.call(run.pk) == {"run": run.pk, "status": "done", "renewals": 8}
    run.refresh_from_db()
    assert run.status == BacktestStatus.DONE and run.started_at and run.finished_at
    assert [h["days"] for h in run.results["horizons"]] == [90, 180]
    assert backtest_runs.backtest_execute.call(run.pk)["status"] == "not queued"  # done once


@pytest.mark.django_db
def test_a_failing_run_says_why_and_does_not_block_the_next(leader, monkeypatch):
    run = BacktestRun.objects.create(horizons=[90])
    monkeypatch.setattr(backtest, "renewals", lambda: (_ for _ in ()).throw(RuntimeError("database gone")))
    backtest_runs.backtest_execute.call(run.pk)
    run.refresh_from_db()
    assert run.status == BacktestStatus.FAILED and run.error == "RuntimeError: database gone"
    assert backtest_runs.backtest_request(actor=Actor(user=leader)).status == BacktestStatus.QUEUED


@pytest.mark.django_db
def test_horizons_are_checked(leader):
    with pytest.raises(ValidationError) as caught:
        backtest_runs.backtest_request(actor=Actor(user=leader), horizons=[0])
    assert "horizons" in caught.value.message_dict
