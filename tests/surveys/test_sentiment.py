"""Sentiment: known sentences on the right side of VADER's thresholds, the stored scores of comments,
and an account's trend from its interaction notes and survey comments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paceline.surveys import sentiment
from paceline.surveys.models import Response
from paceline.surveys.sentiment import Scored
from tests.factories import AccountFactory, InteractionFactory
from tests.surveys.factories import ResponseFactory

TODAY = dt.date(2024, 6, 15)


@pytest.mark.parametrize("text", [
    "I love this product, the support team is great!",
    "Excellent onboarding, very helpful people.",
    "Much better since the new release.",
])
def test_positive_sentences_score_at_or_above_the_positive_threshold(text):
    score = sentiment.sentiment_of(text)
    assert score >= sentiment.POSITIVE and sentiment.sentiment_label(score) == "positive"


@pytest.mark.parametrize("text", [
    "Terrible experience, the app is slow and buggy.",
    "I hate the new interface.",
    "Support never answered and we are very disappointed.",
])
def test_negative_sentences_score_at_or_below_the_negative_threshold(text):
    score = sentiment.sentiment_of(text)
    assert score <= sentiment.NEGATIVE and sentiment.sentiment_label(score) == "negative"


@pytest.mark.parametrize("text", ["The meeting is on Tuesday.", "We renewed for two years.", "Invoice attached."])
def test_plain_statements_are_neutral(text):
    score = sentiment.sentiment_of(text)
    assert sentiment.NEGATIVE < score < sentiment.POSITIVE and sentiment.sentiment_label(score) == "neutral"


@pytest.mark.parametrize("text", [None, "", "   \n "])
def test_nothing_to_read_has_no_score(text):
    assert sentiment.sentiment_of(text) is None and sentiment.sentiment_label(None) == ""


def test_the_thresholds_are_inclusive():
    assert [sentiment.sentiment_label(s) for s in (0.05, 0.0499, -0.0499, -0.05)] == [
        "positive", "neutral", "neutral", "negative"]


def test_negation_and_contrast_are_read():
    assert sentiment.sentiment_of("The product is not good.") < 0 < sentiment.sentiment_of("The product is good.")


# Stored scores of comments --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_response_gets_the_score_of_its_comment():
    response = ResponseFactory(score=3, comment="Awful support, I am furious.")
    assert sentiment.response_sentiment_set(response=response) <= sentiment.NEGATIVE
    response.refresh_from_db()
    assert response.sentiment <= sentiment.NEGATIVE


@pytest.mark.django_db
def test_responses_score_fills_only_the_missing_ones_unless_asked_to_rescore():
    missing = ResponseFactory(score=10, comment="Wonderful, thank you!")
    kept = ResponseFactory(score=2, comment="Wonderful, thank you!", sentiment=-0.9)  # a score someone stored
    ResponseFactory(score=8, comment="")
    assert sentiment.responses_score() == 1
    missing.refresh_from_db()
    kept.refresh_from_db()
    assert missing.sentiment >= sentiment.POSITIVE and kept.sentiment == -0.9
    assert sentiment.responses_score() == 0

    Response.objects.filter(pk=missing.pk).update(comment="")  # the comment was emptied since
    assert sentiment.responses_score(rescore=True) == 2
    missing.refresh_from_db()
    kept.refresh_from_db()
    assert missing.sentiment is None and kept.sentiment == pytest.approx(sentiment.sentiment_of("Wonderful, thank you!"))


# The trend --------------------------------------------------------------------------------------------


def _on(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def test_the_trend_compares_the_last_ninety_days_with_the_ninety_before():
    scored = [
        Scored(_on(TODAY - dt.timedelta(days=10)), 0.6, "note"),
        Scored(_on(TODAY - dt.timedelta(days=40)), 0.2, "comment"),
        Scored(_on(TODAY - dt.timedelta(days=100)), -0.4, "note"),
        Scored(_on(TODAY - dt.timedelta(days=170)), 0.0, "note"),
        Scored(_on(TODAY - dt.timedelta(days=400)), -1.0, "note"),  # older than both periods
        Scored(_on(TODAY + dt.timedelta(days=2)), -1.0, "note"),  # not yet
    ]
    trend = sentiment.trend(scored, today=TODAY)
    assert (trend.recent, trend.recent_n) == (pytest.approx(0.4), 2)
    assert (trend.previous, trend.previous_n) == (pytest.approx(-0.2), 2)
    assert trend.direction == "improving" and trend.label == "positive"
    assert [m.month for m in trend.months] == [dt.date(2024, m, 1) for m in range(1, 7)]
    by_month = {m.month.month: (m.mean, m.n) for m in trend.months}
    assert by_month[6] == (pytest.approx(0.6), 1) and by_month[5] == (pytest.approx(0.2), 1)
    assert by_month[3] == (pytest.approx(-0.4), 1) and by_month[4] == (None, 0)


@pytest.mark.parametrize(("recent", "previous", "direction"), [
    (-0.3, 0.1, "worsening"), (0.15, 0.1, "steady"), (0.2, 0.1, "improving"), (0.2, None, ""),
])
def test_the_direction_needs_a_shift_of_a_tenth(recent, previous, direction):
    scored = [Scored(_on(TODAY - dt.timedelta(days=5)), recent, "note")]
    if previous is not None:
        scored.append(Scored(_on(TODAY - dt.timedelta(days=120)), previous, "note"))
    assert sentiment.trend(scored, today=TODAY).direction == direction


@pytest.mark.django_db
def test_an_accounts_trend_reads_its_notes_and_its_comments(account):
    today = timezone.localdate()
    now = timezone.now()
    InteractionFactory(account=account, occurred_at=now - dt.timedelta(days=5),
                       summary="Great call, the team is delighted with the rollout.")
    InteractionFactory(account=account, occurred_at=now - dt.timedelta(days=120),
                       summary="Angry escalation: outage, data loss, threatening to cancel.")
    InteractionFactory(account=account, occurred_at=now - dt.timedelta(days=6), summary="")  # nothing to read
    InteractionFactory(account=AccountFactory(), occurred_at=now - dt.timedelta(days=5), summary="Terrible, awful.")
    # A stored score wins over the text; a comment not scored yet is scored on read.
    ResponseFactory(account=account, score=9, comment="Fine", sentiment=0.8, submitted_at=now - dt.timedelta(days=3))
    ResponseFactory(account=account, score=2, comment="Horrible support.", submitted_at=now - dt.timedelta(days=100))
    with CaptureQueriesContext(connection) as queries:
        trend = sentiment.account_sentiment_trend(account=account, today=today)
    assert len(queries.captured_queries) == 2
    assert (trend.notes, trend.comments) == (2, 2)
    note = sentiment.sentiment_of("Great call, the team is delighted with the rollout.")
    assert trend.recent_n == 2 and trend.recent == pytest.approx((note + 0.8) / 2, abs=1e-4)
    assert trend.previous_n == 2 and trend.previous <= sentiment.NEGATIVE
    assert trend.direction == "improving"


def test_the_trend_reads_only_the_latest_notes_so_a_busy_account_stays_fast(account):
    import datetime as dt

    from django.utils import timezone

    from paceline.customers.models import Interaction
    from paceline.surveys import sentiment

    now = timezone.now()
    old = [Interaction(account=account, kind="note", subject="old", summary="Terrible, awful, broken.",
                       occurred_at=now - dt.timedelta(days=60, minutes=i)) for i in range(50)]
    new = [Interaction(account=account, kind="note", subject="new", summary="Great, helpful, lovely team.",
                       occurred_at=now - dt.timedelta(days=1, minutes=i)) for i in range(sentiment.MAX_NOTES)]
    Interaction.objects.bulk_create(old + new)
    trend = sentiment.account_sentiment_trend(account=account)
    assert trend.notes == sentiment.MAX_NOTES
    assert trend.recent > 0.5  # only the latest, positive notes were read
