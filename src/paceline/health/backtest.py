"""The backtest: would the health score have told us, 90 or 180 days ahead, who was going to churn?

For every past renewal (``customers.RenewalOutcome``; churned = 1, renewed, expanded or contracted
= 0) the score is taken as it would have been computed ``horizon`` days before the renewal, from
facts known on that day only (``services.score_as_of`` and ``facts.gather`` are point-in-time),
and ranked against the outcome. A renewal decided on or before that day is left out (its outcome
was already known); taking the decision day as the reference instead would leak it, because
churn is decided weeks before the date and renewals on it, so "days to renewal" would tell them apart.

The metrics are pure functions of labels and risks (higher risk = more likely to churn):
ROC-AUC, PR-AUC (average precision; a random ranking scores the churn rate), lift in the riskiest
decile (ties at the cut counted fractionally, so a constant predictor has lift 1), and a
calibration table for predictors that are probabilities (the health score read as a risk
``1 - score/100``, and the learned models). Baselines are computed from the same facts:
days since the last conversation, and a usage-only score from the registry's usage measures.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score, roc_curve

from paceline.health.factors import FACTORS, interpolate
from paceline.health.facts import Facts

TOP_SHARE = 0.1  # the riskiest decile
BINS = 10
NO_USAGE = "not available: no usage data"

Progress = Callable[[int, int, str], None]  # (done, total, what): long work reports as it goes


# Metrics ---------------------------------------------------------------------------------------


def _arrays(y: Sequence[int], risk: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    labels, risks = np.asarray(y, dtype=int), np.asarray(risk, dtype=float)
    if labels.shape != risks.shape:
        raise ValueError("Labels and risks must have the same length.")
    return labels, risks


def two_classes(y: Sequence[int]) -> bool:
    return len(set(np.asarray(y, dtype=int).tolist())) == 2


def roc_auc(y: Sequence[int], risk: Sequence[float]) -> float | None:
    """Probability that a churned account is ranked riskier than a retained one (ties count half)."""
    labels, risks = _arrays(y, risk)
    return float(roc_auc_score(labels, risks)) if two_classes(labels) else None


def pr_auc(y: Sequence[int], risk: Sequence[float]) -> float | None:
    labels, risks = _arrays(y, risk)
    return float(average_precision_score(labels, risks)) if two_classes(labels) else None


def lift(y: Sequence[int], risk: Sequence[float], share: float = TOP_SHARE) -> float | None:
    """Churn rate among the riskiest ``share`` of accounts over the overall churn rate.

    Accounts tied with the last one inside the cut count for the fraction of them that fits, as if
    the tie were broken at random: a predictor that cannot tell accounts apart gets exactly 1."""
    labels, risks = _arrays(y, risk)
    n, churned = len(labels), int(labels.sum())
    if n == 0 or churned == 0:
        return None
    k = max(1, math.ceil(n * share - 1e-9))
    cut = np.sort(risks)[::-1][k - 1]
    above, tied = risks > cut, risks == cut
    fits = k - int(above.sum())
    hits = labels[above].sum() + labels[tied].sum() * fits / int(tied.sum())
    return float((hits / k) / (churned / n))


def calibration(y: Sequence[int], predicted: Sequence[float], bins: int = BINS) -> list[dict]:
    """Accounts in ``bins`` groups of (nearly) equal size by predicted risk, lowest first: how many,
    the mean predicted risk and the churn rate observed."""
    labels, risks = _arrays(y, predicted)
    order = np.argsort(risks, kind="mergesort")
    table = []
    for i, part in enumerate(np.array_split(order, min(bins, len(order)))):
        if len(part):
            table.append({"bin": i + 1, "n": int(len(part)), "predicted": float(risks[part].mean()),
                          "observed": float(labels[part].mean()), "low": float(risks[part].min()),
                          "high": float(risks[part].max())})
    return table


def roc_points(y: Sequence[int], risk: Sequence[float]) -> list[dict]:
    labels, risks = _arrays(y, risk)
    if not two_classes(labels):
        return []
    fpr, tpr, _ = roc_curve(labels, risks, drop_intermediate=True)
    return [{"fpr": round(float(f), 4), "tpr": round(float(t), 4)} for f, t in zip(fpr, tpr, strict=True)]


def unavailable(reason: str) -> dict:
    return {"available": False, "reason": reason}


def evaluate(y: Sequence[int], risk: Sequence[float | None], *, probability: bool) -> dict:
    """Every metric of one predictor; accounts it has no value for are left out and counted."""
    pairs = [(int(label), float(r)) for label, r in zip(y, risk, strict=True) if r is not None]
    labels = [p[0] for p in pairs]
    risks = [p[1] for p in pairs]
    if not pairs:
        return unavailable("no renewals with a value")
    if not two_classes(labels):
        return unavailable("every renewal had the same outcome: nothing to tell apart")
    result = {
        "available": True, "n": len(pairs), "missing": len(list(y)) - len(pairs), "churned": int(sum(labels)),
        "base_rate": sum(labels) / len(labels), "auc": roc_auc(labels, risks), "pr_auc": pr_auc(labels, risks),
        "lift": lift(labels, risks), "roc": roc_points(labels, risks), "calibration": None, "brier": None,
    }
    if probability:
        result["calibration"] = calibration(labels, risks)
        result["brier"] = float(brier_score_loss(labels, np.clip(risks, 0, 1)))
    return result


# The renewals and the point-in-time samples ----------------------------------------------------


@dataclass(frozen=True)
class Renewal:
    account_id: int
    on: dt.date  # the subscription's renewal date
    churned: int
    started: dt.date  # the term's start: before it the account was not yet in this term
    decided: dt.date  # when the outcome became known (a model trained on it must not see it earlier)


@dataclass
class Sample:
    renewal: Renewal
    as_of: dt.date
    score: float | None  # the renewal score as computed on as_of
    facts: Facts

    @property
    def churned(self) -> int:
        return self.renewal.churned


def renewals() -> list[Renewal]:
    """Every past renewal, one per account and day (add-ons churn with the account's core)."""
    from paceline.customers.models import RenewalKind, RenewalOutcome

    rows = RenewalOutcome.objects.values_list("account_id", "outcome", "decided_on", "subscription__renewal_date",
                                              "subscription__end_date", "subscription__start_date")
    merged: dict[tuple[int, dt.date], Renewal] = {}
    for account_id, outcome, decided, renewal_date, end_date, start in rows:
        on = renewal_date or end_date
        found = Renewal(account_id, on, int(outcome == RenewalKind.CHURNED), start, decided)
        before = merged.get((account_id, on))
        if before is not None:
            found = Renewal(account_id, on, max(found.churned, before.churned), min(start, before.started),
                            max(decided, before.decided))
        merged[(account_id, on)] = found
    return sorted(merged.values(), key=lambda r: (r.on, r.account_id))


ScoreFn = Callable[..., dict]
GatherFn = Callable[..., dict]


def samples(found: Iterable[Renewal], horizon: int, *, score_fn: ScoreFn | None, gather_fn: GatherFn,
            progress: Progress | None = None) -> tuple[list[Sample], int]:
    """The samples of one horizon, scored in one batch per as-of day (``score_fn`` None: facts
    only); and how many renewals were skipped: their term had not started by then, or their
    outcome was already decided."""
    by_day: dict[dt.date, list[Renewal]] = defaultdict(list)
    skipped = 0
    for r in found:
        as_of = r.on - dt.timedelta(days=horizon)
        if as_of < r.started or r.decided <= as_of:
            skipped += 1
        else:
            by_day[as_of].append(r)
    out: list[Sample] = []
    for i, (day, group) in enumerate(sorted(by_day.items())):
        ids = sorted({r.account_id for r in group})
        scores = score_fn(ids, as_of=day) if score_fn else {}
        facts = gather_fn(ids, as_of=day)
        for r in group:
            score = scores.get(r.account_id)
            out.append(Sample(r, day, None if score is None else score.renewal, facts.get(r.account_id, {})))
        if progress:
            progress(i + 1, len(by_day), f"{horizon} days before")
    return out, skipped


# The health score and the baselines, as risks --------------------------------------------------


def health_risk(sample: Sample) -> float | None:
    return None if sample.score is None else 1 - sample.score / 100


def contact_risks(found: Sequence[Sample]) -> list[float]:
    """Days since the last conversation; never having had one ranks riskiest of all (a rank, not
    a number of days, so it is placed just above the longest silence seen)."""
    days = [s.facts["contact.days_since"].value if "contact.days_since" in s.facts else None for s in found]
    known = [d for d in days if d is not None]
    never = (max(known) if known else 0) + 1
    return [never if d is None else d for d in days]


USAGE_MEASURES = [m for f in FACTORS.values() for m in f.measures if m.key.startswith("usage.")]


def usage_risk(sample: Sample) -> float | None:
    """1 - the weighted mean of the usage measures' scores (registry points); None without usage."""
    total = weights = 0.0
    for m in USAGE_MEASURES:
        fact = sample.facts.get(m.key)
        if fact is not None:
            total += interpolate(m.points, fact.value) * m.weight
            weights += m.weight
    return None if not weights else 1 - total / weights / 100


def predictors(found: Sequence[Sample]) -> dict[str, dict]:
    """The health score and both baselines, evaluated on the same samples."""
    y = [s.churned for s in found]
    usage = [usage_risk(s) for s in found]
    results = {
        "health": {"label": "Health renewal score", **evaluate(y, [health_risk(s) for s in found], probability=True)},
        "contact": {"label": "Days since last contact", **evaluate(y, contact_risks(found), probability=False)},
    }
    if all(u is None for u in usage):
        results["usage"] = {"label": "Usage only", **unavailable(NO_USAGE)}
    else:
        results["usage"] = {"label": "Usage only", **evaluate(y, usage, probability=True)}
    return results
