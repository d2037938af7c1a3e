"""The learned risk model: features from facts, grouped cross-validation, importances."""

from __future__ import annotations

import numpy as np
import pytest

from paceline.health import learned
from paceline.health.facts import Fact


def _separable(n: int = 240, seed: int = 1) -> learned.Table:
    """Churn follows a long silence and a missing champion; one column is noise."""
    rng = np.random.default_rng(seed)
    churned = rng.random(n) < 0.3
    silence = np.where(churned, rng.normal(120, 25, n), rng.normal(30, 20, n))
    champion = np.where(churned, rng.random(n) < 0.2, rng.random(n) < 0.9).astype(float)
    noise = rng.normal(0, 1, n)
    rows = [{"contact.days_since": Fact(float(s)), "champion.present": Fact(float(c)), "noise": Fact(float(z))}
            for s, c, z in zip(silence, champion, noise, strict=True)]
    for i in range(0, n, 7):  # some facts absent, as in real books
        del rows[i]["champion.present"]
    X, columns = learned.flatten(rows, learned.feature_keys(rows))
    return learned.Table(X, churned.astype(int), columns, np.arange(n) // 2)  # two rows per account


def test_flatten_gives_a_value_and_a_missing_indicator_per_fact():
    rows = [{"a": Fact(2.0), "learned.risk": Fact(40.0)}, {"b": Fact(1.0)}]
    keys = learned.feature_keys(rows)
    assert keys == ["a", "b"]  # the model never learns from its own output
    X, columns = learned.flatten(rows, keys)
    assert columns == ["a", "a (missing)", "b", "b (missing)"]
    assert X[0, 0] == 2.0 and X[0, 1] == 0.0 and np.isnan(X[0, 2]) and X[0, 3] == 1.0
    assert np.isnan(X[1, 0]) and X[1, 1] == 1.0 and X[1, 2] == 1.0


def test_both_models_beat_random_on_a_separable_set():
    table = _separable()
    result = learned.evaluate_table(table)
    assert result["folds"] == 5
    for name in learned.MODELS:
        model = result["models"][name]
        assert model["auc"] > 0.8, name
        assert model["n"] == len(table.y)  # every row predicted once, out of fold
        assert model["calibration"] and 0 <= model["brier"] < 0.2
    logistic = {i["feature"]: i["value"] for i in result["importances"]["logistic"]}
    assert logistic["contact.days_since"] > 0  # longer silence, more risk
    assert abs(logistic["contact.days_since"]) > abs(logistic.get("noise", 0))
    top_boosting = result["importances"]["boosting"][0]["feature"]
    assert top_boosting in {"contact.days_since", "champion.present"}


def test_an_account_never_sits_in_training_and_test():
    table = _separable(n=80)
    k, splits = learned.folds(table)
    for train, test in splits:
        assert not set(table.groups[train]) & set(table.groups[test])
    assert k == 5


def test_too_few_churned_rows_are_refused_with_the_counts():
    table = _separable(n=40)
    table.y[:] = 0
    table.y[:3] = 1
    with pytest.raises(learned.TooFew, match="3 churned and 37 retained"):
        learned.evaluate_table(table)
