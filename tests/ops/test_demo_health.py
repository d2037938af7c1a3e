"""The demo's health: the default model, a weekly history scored by the app's own scoring, and scores
that separate the accounts that churned from those that renewed (the AUC is asserted and printed)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from paceline.customers.models import Account, RenewalKind, RenewalOutcome
from paceline.health import services
from paceline.health.models import HealthModel, HealthScore
from paceline.ops.demo.health import SNAPSHOTS
from tests.ops.conftest import ANCHOR

LEAD_DAYS = 90


def auc(positives: list[float], negatives: list[float]) -> float:
    """The chance that a random positive ranks above a random negative (ties count half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def scores_before_renewals(lead: int) -> tuple[dict[int, float], dict[int, float]]:
    """Renewal scores ``lead`` days before each past renewal, by outcome id: churned, and the others."""
    by_day: dict[dt.date, list[tuple[int, int, bool]]] = defaultdict(list)
    for o in RenewalOutcome.objects.select_related("subscription").filter(decided_on__lte=ANCHOR):
        by_day[o.subscription.renewal_date or o.subscription.end_date].append(
            (o.pk, o.account_id, o.outcome == RenewalKind.CHURNED))
    churned, stayed = {}, {}
    for renewal, outcomes in by_day.items():
        scores = services.score_as_of([a for _, a, _ in outcomes], as_of=renewal - dt.timedelta(days=lead))
        for pk, account_id, lost in outcomes:
            score = scores[account_id].renewal
            if score is not None:
                (churned if lost else stayed)[pk] = score
    return churned, stayed


def test_the_demo_has_the_default_model_and_a_history_of_scores(book):
    assert HealthModel.objects.count() == 1
    days = sorted(set(HealthScore.objects.values_list("on", flat=True)))
    assert days == sorted(ANCHOR + dt.timedelta(days=d) for d in SNAPSHOTS)
    live = HealthScore.objects.filter(on=ANCHOR)
    gone = set(RenewalOutcome.objects.filter(outcome=RenewalKind.CHURNED, subscription__end_date__lte=ANCHOR)
               .values_list("account_id", flat=True))
    assert gone and live.count() == Account.objects.count() - len(gone)  # a churner is scored until its term ends
    assert live.exclude(band="unknown").count() > 0.9 * live.count()


def test_no_score_after_an_account_churned(book):
    churned = RenewalOutcome.objects.filter(outcome=RenewalKind.CHURNED).select_related("subscription")
    assert churned.exists()
    for o in churned:
        assert not HealthScore.objects.filter(account_id=o.account_id, on__gte=o.subscription.end_date).exists()


def test_a_stored_score_is_the_score_as_of_its_day(book):
    row = HealthScore.objects.filter(on=ANCHOR + dt.timedelta(days=SNAPSHOTS[2])).exclude(renewal=None).order_by("account_id").first()
    again = services.score_as_of([row.account_id], as_of=row.on)[row.account_id]
    assert again.renewal == pytest.approx(row.renewal)
    assert row.created_at.date() == row.on


def test_scores_90_days_before_renewal_separate_churned_from_renewed(book):
    churned, stayed = scores_before_renewals(LEAD_DAYS)
    assert len(churned) >= 5 and len(stayed) >= 50
    value = auc([100 - v for v in churned.values()], [100 - v for v in stayed.values()])
    print(f"demo AUC, {LEAD_DAYS} days before renewal: {value:.3f} ({len(churned)} churned, {len(stayed)} stayed)")
    assert value >= 0.7


def test_churners_decline_before_they_churn(book):
    """From 180 to 30 days before the renewal, churners' scores fall further than the others', and
    end lower."""
    early, late = scores_before_renewals(180), scores_before_renewals(30)
    drops = [[early[i][pk] - late[i][pk] for pk in early[i] if pk in late[i]] for i in (0, 1)]
    churners, others = (sum(d) / len(d) for d in drops)
    print(f"mean fall from 180 to 30 days before renewal: churned {churners:.1f}, others {others:.1f}")
    assert churners > 0 and churners - others > 2
    assert sum(late[0].values()) / len(late[0]) < sum(late[1].values()) / len(late[1]) - 10
