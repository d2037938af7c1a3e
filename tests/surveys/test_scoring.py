import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paceline.surveys import scoring

nps_answers = st.lists(st.integers(min_value=0, max_value=10), max_size=200)


def test_nps_by_the_standard_definition():
    # 5 promoters, 3 passives, 2 detractors of 10: 50% - 20% = 30.
    result = scoring.nps([10, 9, 9, 10, 9, 8, 7, 7, 6, 0])
    assert (result.promoters, result.passives, result.detractors, result.score) == (5, 3, 2, pytest.approx(30.0))
    assert result.low < 30 < result.high and result.small


def test_the_band_edges():
    assert [scoring.nps_band(s) for s in (0, 6, 7, 8, 9, 10)] == [
        "detractor", "detractor", "passive", "passive", "promoter", "promoter"]
    with pytest.raises(ValueError):
        scoring.nps_band(11)


def test_csat_is_the_share_of_fours_and_fives_and_ces_the_mean():
    assert scoring.csat([5, 4, 3, 2, 5]).score == pytest.approx(60.0)
    assert scoring.ces([1, 2, 3]).score == pytest.approx(2.0)
    with pytest.raises(ValueError):
        scoring.csat([6])
    with pytest.raises(ValueError):
        scoring.ces([0])


def test_nothing_answered_is_no_score_not_zero():
    assert scoring.nps([]).score is None
    assert scoring.csat([]).score is None
    assert scoring.ces([]).score is None


@given(nps_answers)
def test_nps_is_bounded_and_its_interval_contains_it(values):
    result = scoring.nps(values)
    if not values:
        return
    assert -100 <= result.score <= 100
    assert result.low <= result.score + 1e-9 and result.score - 1e-9 <= result.high
    assert result.promoters + result.passives + result.detractors == len(values)


@given(nps_answers, st.integers(min_value=0, max_value=10))
def test_one_more_promoter_never_lowers_nps(values, _):
    before = scoring.nps(values).score
    after = scoring.nps([*values, 10]).score
    assert before is None or after >= before - 1e-9


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=200))
def test_csat_interval_is_a_sub_range_of_0_100_around_the_share(values):
    result = scoring.csat(values)
    assert 0 <= result.low <= result.score + 1e-9 <= result.high + 2e-9 <= 100 + 2e-9


@given(st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=200))
def test_ces_mean_within_1_7_and_interval_narrows_with_more_answers(values):
    result = scoring.ces(values)
    assert 1 <= result.low <= result.score <= result.high <= 7
    doubled = scoring.ces(values * 2)
    assert (doubled.high - doubled.low) <= (result.high - result.low) + 1e-9


def test_account_nps_uses_the_latest_answer_per_contact_in_the_window():
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    answers = [
        scoring.Answered(1, now - dt.timedelta(days=300), 2),
        scoring.Answered(1, now - dt.timedelta(days=10), 9),
        scoring.Answered(2, now - dt.timedelta(days=400), 0),
        scoring.Answered(None, now - dt.timedelta(days=5), 7),
    ]
    kept = scoring.latest_per_contact(answers, since=now - dt.timedelta(days=365))
    assert sorted(a.score for a in kept) == [7, 9]
