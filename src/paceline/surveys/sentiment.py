"""The sentiment of what customers write to us and of what we note about them.

VADER (``vaderSentiment``) scores a text from its own lexicon, which ships inside the package:
nothing is downloaded at run time and no model is trained. Its ``compound`` score runs from -1
(most negative) to 1 (most positive); VADER's authors read >= 0.05 as positive and <= -0.05 as
negative, and so do we.

Survey comments keep their score in ``Response.sentiment`` (filled when a response is saved, or
in bulk by ``responses_score``) so the comments can be filtered in SQL. Interaction notes are
scored when read: the customers app owns them, a note can be edited at any time, and scoring one
costs about a tenth of a millisecond, so a stored copy would only add a way to be stale.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from paceline.customers.models import Account, Interaction
from paceline.surveys.models import Response

POSITIVE = 0.05
NEGATIVE = -0.05
# A change of the mean this large between two periods is a change of mood, not noise.
SHIFT = 0.1
PERIOD_DAYS = 90
TREND_MONTHS = 6
# Notes are scored when the trend is read; the latest this many in the window are plenty for a
# monthly mean, and they keep an account page with thousands of notes as fast as a small one.
MAX_NOTES = 300


@functools.lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment_of(text: str | None) -> float | None:
    """VADER's compound score of ``text`` (-1..1), or None when there is nothing to read."""
    if text is None or not text.strip():
        return None
    return _score(text)


@functools.lru_cache(maxsize=20_000)
def _score(text: str) -> float:
    # A pure function of the text: the same note read on every page view is scored once.
    return round(_analyzer().polarity_scores(text)["compound"], 4)


def sentiment_label(score: float | None) -> str:
    if score is None:
        return ""
    return "positive" if score >= POSITIVE else "negative" if score <= NEGATIVE else "neutral"


# Writes ------------------------------------------------------------------------------------------


def response_sentiment_set(*, response: Response, save: bool = True) -> float | None:
    """Score a response's comment into ``response.sentiment`` (None when it has no comment)."""
    response.sentiment = sentiment_of(response.comment)
    if save and response.pk is not None:
        Response.objects.filter(pk=response.pk).update(sentiment=response.sentiment)
    return response.sentiment


@transaction.atomic
def responses_score(*, rescore: bool = False, batch_size: int = 500) -> int:
    """Fill ``Response.sentiment`` for the comments not scored yet (all of them with ``rescore``,
    which also clears the score of a comment since emptied). Returns how many rows changed."""
    if rescore:
        rows = Response.objects.exclude(comment="", sentiment__isnull=True)
    else:
        rows = Response.objects.exclude(comment="").filter(sentiment__isnull=True)
    changed = []
    for response in rows.only("pk", "comment", "sentiment").order_by("pk").iterator(chunk_size=batch_size):
        score = sentiment_of(response.comment)
        if score != response.sentiment:
            response.sentiment = score
            changed.append(response)
    Response.objects.bulk_update(changed, ["sentiment"], batch_size=batch_size)
    return len(changed)


# Reads -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """One scored text: an interaction note or a survey comment."""

    on: dt.datetime
    score: float
    source: str  # "note" or "comment"


@dataclass(frozen=True)
class MonthMean:
    month: dt.date
    mean: float | None
    n: int

    @property
    def label(self) -> str:
        return sentiment_label(self.mean)


@dataclass(frozen=True)
class SentimentTrend:
    """Monthly means, and the last ``PERIOD_DAYS`` against the ones before, to tell the direction."""

    months: list[MonthMean]
    recent: float | None
    recent_n: int
    previous: float | None
    previous_n: int
    notes: int
    comments: int

    @property
    def label(self) -> str:
        return sentiment_label(self.recent)

    @property
    def direction(self) -> str:
        if self.recent is None or self.previous is None:
            return ""
        change = self.recent - self.previous
        return "improving" if change >= SHIFT else "worsening" if change <= -SHIFT else "steady"


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def trend_since(today: dt.date) -> dt.date:
    """The first day a trend ending ``today`` looks at."""
    return min(_month_start(today, TREND_MONTHS - 1), today - dt.timedelta(days=2 * PERIOD_DAYS))


def trend(scored: Iterable[Scored], *, today: dt.date) -> SentimentTrend:
    """Pure: the trend of scored texts up to ``today`` (days are in the current time zone)."""
    items = list(scored)
    by_month: dict[dt.date, list[float]] = {}
    recent: list[float] = []
    previous: list[float] = []
    recent_from = today - dt.timedelta(days=PERIOD_DAYS)
    previous_from = recent_from - dt.timedelta(days=PERIOD_DAYS)
    for item in items:
        day = timezone.localtime(item.on).date() if timezone.is_aware(item.on) else item.on.date()
        if day > today:
            continue
        by_month.setdefault(day.replace(day=1), []).append(item.score)
        if day > recent_from:
            recent.append(item.score)
        elif day > previous_from:
            previous.append(item.score)
    months = [_month_start(today, back) for back in range(TREND_MONTHS - 1, -1, -1)]
    return SentimentTrend(
        months=[MonthMean(m, _mean(by_month.get(m, [])), len(by_month.get(m, []))) for m in months],
        recent=_mean(recent),
        recent_n=len(recent),
        previous=_mean(previous),
        previous_n=len(previous),
        notes=sum(1 for i in items if i.source == "note"),
        comments=sum(1 for i in items if i.source == "comment"),
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def interaction_sentiments(*, account: Account, since: dt.datetime) -> list[Scored]:
    """The account's latest ``MAX_NOTES`` interaction notes since ``since``, each scored (one query)."""
    rows = (
        Interaction.objects.filter(account=account, occurred_at__gte=since)
        .exclude(summary="")
        .order_by("-occurred_at", "-pk")
        .values_list("occurred_at", "summary")[:MAX_NOTES]
    )
    scored = ((on, sentiment_of(text)) for on, text in rows)
    return [Scored(on, score, "note") for on, score in scored if score is not None]


def comment_sentiments(*, account: Account, since: dt.datetime) -> list[Scored]:
    """The account's survey comments since ``since`` with their stored score, or one computed now
    for a comment not scored yet (one query)."""
    rows = (
        Response.objects.filter(account=account, submitted_at__gte=since)
        .exclude(comment="")
        .order_by("submitted_at", "pk")
        .values_list("submitted_at", "sentiment", "comment")
    )
    scored = ((on, stored if stored is not None else sentiment_of(text)) for on, stored, text in rows)
    return [Scored(on, score, "comment") for on, score in scored if score is not None]


def account_sentiment_trend(*, account: Account, today: dt.date | None = None) -> SentimentTrend:
    """What the account's notes and comments say, month by month and lately (two queries)."""
    today = today or timezone.localdate()
    since = _day_start(trend_since(today))
    return trend(
        [*interaction_sentiments(account=account, since=since), *comment_sentiments(account=account, since=since)],
        today=today,
    )
