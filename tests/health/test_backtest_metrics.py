"""The backtest's metrics on inputs whose answers are known by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from paceline.health import backtest
from paceline.health.facts import Fact

Y = [0, 0, 0, 0, 1, 0, 1, 0, 0, 1]


def test_auc_of_a_perfect_an_inverted_and_an_uninformative_ranking():
    perfect = [0.9 if y else 0.1 for y in Y]
    assert backtest.roc_auc(Y, perfect) == 1.0
    assert backtest.roc_auc(Y, [1 - r for r in perfect]) == 0.0
    assert backtest.roc_auc(Y, [0.5] * len(Y)) == 0.5
    # Half the churned above every retained, half below all of them.
    assert backtest.roc_auc([1, 0, 0, 1], [0.9, 0.5, 0.4, 0.1]) == 0.5


def test_pr_auc_is_one_for_a_perfect_ranking_and_the_churn_rate_for_a_constant_one():
    assert backtest.pr_auc(Y, [0.9 if y else 0.1 for y in Y]) == 1.0
    assert backtest.pr_auc(Y, [0.3] * len(Y)) == pytest.approx(0.3)


def test_metrics_are_undefined_with_one_class():
    assert backtest.roc_auc([0, 0, 0], [0.1, 0.2, 0.3]) is None
    assert backtest.pr_auc([1, 1], [0.1, 0.2]) is None
    assert backtest.lift([0, 0, 0], [0.1, 0.2, 0.3]) is None
    assert backtest.evaluate([0, 0], [0.1, 0.2], probability=True) == {
        "available": False, "reason": "every renewal had the same outcome: nothing to tell apart"}


def test_lift_in_the_riskiest_decile():
    y = [1] + [0] * 9 + [1] + [0] * 9  # 2 churned of 20: base rate 10%
    risk = [1.0] + [0.5] * 9 + [0.0] + [0.4] * 9
    # The riskiest 10% is 2 accounts: the churned one at 1.0, then one of nine tied at 0.5 (none churned).
    assert backtest.lift(y, risk) == pytest.approx(0.5 / 0.1)
    assert backtest.lift(y, [0.5] * 20) == pytest.approx(1.0)  # cannot tell anyone apart: no lift
    assert backtest.lift([1, 0, 0, 0], [0.9, 0.1, 0.2, 0.3]) == pytest.approx(4.0)  # top 1 of 4, base 25%


def test_lift_counts_ties_at_the_cut_fractionally():
    # Top 1 of 10; three tied at the top, one of them churned: expected churn rate 1/3.
    y = [1, 0, 0] + [0] * 6 + [1]
    risk = [0.9, 0.9, 0.9] + [0.1] * 7
    assert backtest.lift(y, risk) == pytest.approx((1 / 3) / 0.2)


def test_calibration_bins_by_predicted_risk():
    predicted = [i / 20 for i in range(20)]
    y = [0] * 10 + [1] * 10
    table = backtest.calibration(y, predicted, bins=4)
    assert [b["n"] for b in table] == [5, 5, 5, 5]
    assert [b["observed"] for b in table] == [0.0, 0.0, 1.0, 1.0]
    assert table[0]["predicted"] == pytest.approx(sum(predicted[:5]) / 5)
    assert table[-1]["low"] == predicted[15] and table[-1]["high"] == predicted[19]


def test_calibration_with_fewer_accounts_than_bins():
    table = backtest.calibration([0, 1, 1], [0.2, 0.7, 0.9])
    assert [(b["n"], b["observed"]) for b in table] == [(1, 0.0), (1, 1.0), (1, 1.0)]


def test_evaluate_leaves_out_accounts_without_a_value_and_counts_them():
    result = backtest.evaluate([1, 0, 1, 0, 0], [0.9, 0.1, None, 0.2, None], probability=True)
    assert result["n"] == 3 and result["missing"] == 2 and result["churned"] == 1
    assert result["auc"] == 1.0
    assert result["roc"][0] == {"fpr": 0.0, "tpr": 0.0} and result["roc"][-1] == {"fpr": 1.0, "tpr": 1.0}
    assert result["brier"] == pytest.approx((0.1 ** 2 + 0.1 ** 2 + 0.2 ** 2) / 3)
    assert backtest.evaluate([1, 0], [3.0, 1.0], probability=False)["calibration"] is None


def _sample(churned: int, score: float | None, **facts: float) -> backtest.Sample:
    day = dt.date(2024, 6, 1)
    renewal = backtest.Renewal(1, day, churned, day - dt.timedelta(days=365), day)
    return backtest.Sample(renewal, day - dt.timedelta(days=90), score,
                           {k.replace("__", "."): Fact(v) for k, v in facts.items()})


def test_baselines_read_the_same_facts():
    found = [_sample(1, 20, contact__days_since=200), _sample(0, 80, contact__days_since=5),
             _sample(1, 30), _sample(0, 70, contact__days_since=40)]
    # Never contacted ranks riskiest, just above the longest silence.
    assert backtest.contact_risks(found) == [200, 5, 201, 40]
    results = backtest.predictors(found)
    assert results["health"]["auc"] == 1.0 and results["contact"]["auc"] == 1.0
    assert results["usage"] == {"label": "Usage only", "available": False, "reason": "not available: no usage data"}


def test_usage_baseline_uses_the_registry_usage_measures():
    full = _sample(0, 50, usage__breadth_share=1.0, usage__seat_utilisation=1.0, usage__active_users_growth=0.2)
    empty = _sample(1, 50, usage__breadth_share=0.0, usage__seat_utilisation=0.0, usage__active_users_growth=-0.1)
    assert backtest.usage_risk(full) == pytest.approx(0.0)
    assert backtest.usage_risk(empty) == pytest.approx(1.0)
    assert backtest.usage_risk(_sample(0, 50)) is None
    assert backtest.predictors([full, empty])["usage"]["auc"] == 1.0
