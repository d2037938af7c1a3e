"""A learned churn-risk model, to compare with the health score and to offer as an extra factor.

Features are the point-in-time facts flattened to numbers: one column per fact key with its value
(empty when the fact is absent) and one ``(missing)`` column that is 1 when it is absent, because
"we have never had a conversation" says something too. Two models, both calibrated so their
outputs read as probabilities (``CalibratedClassifierCV``, sigmoid):

- logistic regression after median imputation and scaling (its coefficients are the importances);
- gradient boosting (``HistGradientBoostingClassifier``, reads missing values natively; its
  importances are permutation importances: how much ROC-AUC drops when a column is shuffled).

They are evaluated out of fold: stratified K-fold grouped by account, so one account's renewals
never sit in both the training and the test part. The same code evaluates a team's own labelled
table (``learned_csv.read_table``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from paceline.health import backtest
from paceline.health.facts import Fact, Facts

RISK_KEY = "learned.risk"
MODELS = {"logistic": "Learned: logistic regression", "boosting": "Learned: gradient boosting"}
FOLDS = 5
CALIBRATION_FOLDS = 3
MIN_PER_CLASS = 4  # fewer churned (or retained) rows than this cannot be cross-validated honestly
TOP_FEATURES = 12
SEED = 0
MISSING = " (missing)"
# Facts that are today's figure whatever the day asked for (no history is kept): in a backtest they
# would tell the model about the present, so they are not features.
NOT_DATED = {"account.employees"}


class TooFew(ValueError):
    """Not enough labelled rows of one class to train and test."""


@dataclass
class Table:
    X: np.ndarray
    y: np.ndarray
    columns: list[str]
    groups: np.ndarray | None = None  # rows of one group (account) never split across folds


# Features ----------------------------------------------------------------------------------------


def feature_keys(rows: Sequence[Facts]) -> list[str]:
    """Every fact key seen, except the learned model's own output (it must not learn from itself)
    and facts that are not point-in-time."""
    return sorted({k for facts in rows for k in facts if not k.startswith("learned.") and k not in NOT_DATED})


def flatten(rows: Sequence[Facts], keys: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    X = np.full((len(rows), 2 * len(keys)), np.nan)
    for i, facts in enumerate(rows):
        for j, key in enumerate(keys):
            fact = facts.get(key)
            X[i, 2 * j] = np.nan if fact is None else float(fact.value)
            X[i, 2 * j + 1] = float(fact is None)
    columns = [c for key in keys for c in (key, key + MISSING)]
    return X, columns


def table_from_samples(found: Sequence[backtest.Sample]) -> Table:
    rows = [s.facts for s in found]
    X, columns = flatten(rows, feature_keys(rows))
    return Table(X, np.array([s.churned for s in found], dtype=int), columns,
                 np.array([s.renewal.account_id for s in found]))


# Models ------------------------------------------------------------------------------------------


def _logistic() -> Pipeline:
    return Pipeline([("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                     ("scale", StandardScaler()), ("model", LogisticRegression(max_iter=2000))])


def _boosting() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=10,
                                          random_state=SEED)


def build(name: str, y: np.ndarray) -> CalibratedClassifierCV:
    """The named model, calibrated with as many inner folds as the smaller class allows (2 or 3)."""
    smaller = int(min((y == 1).sum(), (y == 0).sum()))
    if smaller < 2:
        raise TooFew("A training part had fewer than 2 rows of one class.")
    base = _logistic() if name == "logistic" else _boosting()
    return CalibratedClassifierCV(base, method="sigmoid", cv=min(CALIBRATION_FOLDS, smaller))


def check_classes(y: np.ndarray) -> None:
    churned, kept = int((y == 1).sum()), int((y == 0).sum())
    if churned < MIN_PER_CLASS or kept < MIN_PER_CLASS:
        raise TooFew(f"Too few to cross-validate: {churned} churned and {kept} retained; "
                     f"at least {MIN_PER_CLASS} of each are needed.")


def folds(table: Table):
    """Stratified folds; grouped by account when groups are given."""
    smaller = int(min((table.y == 1).sum(), (table.y == 0).sum()))
    if table.groups is None:
        k = min(FOLDS, smaller)
        return k, StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED).split(table.X, table.y)
    k = min(FOLDS, smaller, len(set(table.groups.tolist())))
    return k, StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=SEED).split(table.X, table.y, table.groups)


def out_of_fold(table: Table, progress: backtest.Progress | None = None) -> tuple[int, dict[str, np.ndarray]]:
    """Each row's churn probability from models that never saw it (nor its account) in training."""
    check_classes(table.y)
    k, splits = folds(table)
    predictions = {name: np.full(len(table.y), np.nan) for name in MODELS}
    for i, (train, test) in enumerate(splits):
        for name in MODELS:
            model = build(name, table.y[train]).fit(table.X[train], table.y[train])
            predictions[name][test] = model.predict_proba(table.X[test])[:, 1]
        if progress:
            progress(i + 1, k, "cross-validating the learned models")
    return k, predictions


def importances(table: Table) -> dict[str, list[dict]]:
    """Coefficients of the logistic regression on scaled columns (sign: + raises risk), and
    permutation importances of the gradient boosting (drop in ROC-AUC when a column is shuffled),
    both fitted on every row; the largest first."""
    logistic = _logistic().fit(table.X, table.y)
    coefficients = logistic.named_steps["model"].coef_[0]
    boosting = build("boosting", table.y).fit(table.X, table.y)
    permuted = permutation_importance(boosting, table.X, table.y, scoring="roc_auc", n_repeats=5,
                                      random_state=SEED).importances_mean

    def top(values: np.ndarray) -> list[dict]:
        ranked = sorted(zip(table.columns, values, strict=True), key=lambda p: -abs(p[1]))
        return [{"feature": c, "value": round(float(v), 4)} for c, v in ranked[:TOP_FEATURES] if v != 0]

    return {"logistic": top(coefficients), "boosting": top(permuted)}


@threadpool_limits.wrap(limits=1)
def evaluate_table(table: Table, progress: backtest.Progress | None = None) -> dict:
    """Cross-validated metrics of both models, and what they lean on.

    One thread: on tables of thousands of rows the boosting's parallel threads only wait for each
    other, and on a busy machine they made a fit fifty times slower."""
    k, predictions = out_of_fold(table, progress)
    models = {name: {"label": MODELS[name], **backtest.evaluate(table.y.tolist(), predictions[name].tolist(),
                                                                 probability=True)}
              for name in MODELS}
    return {"rows": len(table.y), "churned": int(table.y.sum()), "folds": k, "models": models,
            "importances": importances(table)}


def backtest_entries(found: Sequence[backtest.Sample], progress: backtest.Progress | None = None) -> dict:
    """The learned models' results for one horizon of the backtest, or why there are none."""
    if not found:
        return {"models": {n: {"label": label, **backtest.unavailable("no renewals")} for n, label in MODELS.items()},
                "importances": {}}
    table = table_from_samples(found)
    try:
        result = evaluate_table(table, progress)
    except TooFew as error:
        return {"models": {n: {"label": label, **backtest.unavailable(str(error))} for n, label in MODELS.items()},
                "importances": {}}
    return {"models": result["models"], "importances": result["importances"], "folds": result["folds"]}


# The learned risk as a fact, for a model's custom factor -----------------------------------------


@threadpool_limits.wrap(limits=1)
def risk_factor_facts(account_ids: Sequence[int], as_of: dt.date, *, horizon: int = 90) -> dict[int, Facts]:
    """``{account_id: {"learned.risk": Fact(churn probability in %)}}`` as of a day.

    The model is the calibrated logistic regression trained on the renewals decided on or before
    ``as_of``, each with its facts ``horizon`` days before: nothing from after ``as_of`` is used.
    With too few past renewals there is no fact (the factor's missing-data policy applies)."""
    from paceline.health import facts as gathering

    past = [r for r in backtest.renewals() if r.decided <= as_of]
    found, _ = backtest.samples(past, horizon, score_fn=None, gather_fn=gathering.gather)
    table = table_from_samples(found)
    try:
        check_classes(table.y)
    except TooFew:
        return {}
    keys = feature_keys([s.facts for s in found])
    model = build("logistic", table.y).fit(table.X, table.y)
    current = gathering.gather(list(account_ids), as_of=as_of)
    ids = [a for a in account_ids if a in current]
    if not ids:
        return {}
    X, _ = flatten([current[a] for a in ids], keys)
    risks = model.predict_proba(X)[:, 1]
    note = f"learned from {len(found)} past renewals ({int(table.y.sum())} churned)"
    return {a: {RISK_KEY: Fact(round(float(p) * 100, 1), as_of, f"churn risk {p:.0%}, {note}")}
            for a, p in zip(ids, risks, strict=True)}
