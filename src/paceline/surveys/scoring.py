"""NPS, CSAT and CES by their standard definitions, with confidence for small counts.

Pure functions over plain numbers:

- **NPS** = % promoters (9-10) − % detractors (0-6), from -100 to 100. Its margin uses the
  variance of the promoter/detractor difference: ``(p + d − (p − d)²) / n``.
- **CSAT** = the share of 4 and 5 answers on a 1-5 scale, as a percentage, with a Wilson interval.
- **CES** = the mean of 1-7 answers, with a normal-approximation interval (t for small n).

An interval is given at 95%; with fewer than ``SMALL_SAMPLE`` answers the result is flagged so the
pages can say "few answers: read with care".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
SMALL_SAMPLE = 30
# Two-sided 97.5% quantiles of Student's t for small samples (df 1..30), then the normal value.
_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042]


@dataclass(frozen=True)
class NpsResult:
    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None  # -100..100
    low: float | None
    high: float | None

    @property
    def small(self) -> bool:
        return self.n < SMALL_SAMPLE


@dataclass(frozen=True)
class ShareResult:
    n: int
    hits: int
    score: float | None  # 0..100
    low: float | None
    high: float | None

    @property
    def small(self) -> bool:
        return self.n < SMALL_SAMPLE


@dataclass(frozen=True)
class MeanResult:
    n: int
    score: float | None
    low: float | None
    high: float | None

    @property
    def small(self) -> bool:
        return self.n < SMALL_SAMPLE


def nps_band(score: int) -> str:
    if not 0 <= score <= 10:
        raise ValueError(f"an NPS answer is 0-10, not {score}")
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def nps(scores: Iterable[int]) -> NpsResult:
    values = list(scores)
    bands = [nps_band(s) for s in values]
    n = len(values)
    pro, det = bands.count("promoter"), bands.count("detractor")
    if n == 0:
        return NpsResult(0, 0, 0, 0, None, None, None)
    p, d = pro / n, det / n
    score = 100 * (p - d)
    variance = max(p + d - (p - d) ** 2, 0.0) / n
    margin = 100 * Z95 * math.sqrt(variance)
    return NpsResult(n, pro, n - pro - det, det, score, max(-100.0, score - margin), min(100.0, score + margin))


def wilson(hits: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (0.0, 100.0)
    p = hits / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return (100 * max(0.0, centre - half), 100 * min(1.0, centre + half))


def csat(scores: Iterable[int]) -> ShareResult:
    values = list(scores)
    if any(not 1 <= s <= 5 for s in values):
        raise ValueError("a CSAT answer is 1-5")
    n = len(values)
    hits = sum(1 for s in values if s >= 4)
    if n == 0:
        return ShareResult(0, 0, None, None, None)
    low, high = wilson(hits, n)
    return ShareResult(n, hits, 100 * hits / n, low, high)


def ces(scores: Iterable[int]) -> MeanResult:
    values = list(scores)
    if any(not 1 <= s <= 7 for s in values):
        raise ValueError("a CES answer is 1-7")
    n = len(values)
    if n == 0:
        return MeanResult(0, None, None, None)
    mean = sum(values) / n
    if n == 1:
        return MeanResult(1, mean, 1.0, 7.0)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    t = _T975[n - 2] if n - 1 <= len(_T975) else Z95
    margin = t * sd / math.sqrt(n)
    return MeanResult(n, mean, max(1.0, mean - margin), min(7.0, mean + margin))


@dataclass(frozen=True)
class Answered:
    """One submitted headline answer, as the account-level math needs it."""

    contact_id: int | None
    on: dt.datetime
    score: int


def latest_per_contact(answers: Sequence[Answered], *, since: dt.datetime | None = None) -> list[Answered]:
    """The latest answer of each contact within the window (answers with no contact all count)."""
    kept: dict[int, Answered] = {}
    anonymous = []
    for answer in answers:
        if since is not None and answer.on < since:
            continue
        if answer.contact_id is None:
            anonymous.append(answer)
        elif answer.contact_id not in kept or answer.on > kept[answer.contact_id].on:
            kept[answer.contact_id] = answer
    return [*kept.values(), *anonymous]
