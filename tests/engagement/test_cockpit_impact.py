"""The impact function: pure, bounded, monotone in what is at stake, and explained in words."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from paceline.engagement.cockpit import MAX_IMPACT, RENEWAL_HORIZON_DAYS, impact

arrs = st.decimals(min_value=-1000, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
renewals = st.one_of(st.none(), st.integers(min_value=-400, max_value=2000))
overdues = st.integers(min_value=-100, max_value=3650)
urgencies = st.sampled_from(["low", "normal", "high", "urgent", "planned", "held"])


def score(arr=Decimal("0"), renewal=None, overdue=0, urgency="normal") -> float:
    return impact(arr=arr, currency="USD", days_to_renewal=renewal, overdue_days=overdue, urgency=urgency).score


@given(arrs, renewals, overdues, urgencies)
def test_bounded_and_never_negative(arr, renewal, overdue, urgency):
    assert 0 <= score(arr, renewal, overdue, urgency) <= MAX_IMPACT


@given(arrs, arrs, renewals, overdues, urgencies)
def test_more_arr_never_lowers_impact(a, b, renewal, overdue, urgency):
    low, high = sorted([a, b])
    assert score(low, renewal, overdue, urgency) <= score(high, renewal, overdue, urgency)


@given(arrs, st.integers(-400, 2000), st.integers(-400, 2000), overdues, urgencies)
def test_a_closer_renewal_never_lowers_impact(arr, a, b, overdue, urgency):
    near, far = sorted([a, b])
    assert score(arr, near, overdue, urgency) >= score(arr, far, overdue, urgency)
    assert score(arr, far, overdue, urgency) >= score(arr, None, overdue, urgency)


@given(arrs, renewals, overdues, overdues, urgencies)
def test_more_overdue_never_lowers_impact(arr, renewal, a, b, urgency):
    less, more = sorted([a, b])
    assert score(arr, renewal, less, urgency) <= score(arr, renewal, more, urgency)


@given(arrs, renewals, overdues)
def test_priority_and_held_raise_impact(arr, renewal, overdue):
    by_priority = [score(arr, renewal, overdue, p) for p in ["low", "normal", "high", "urgent"]]
    assert by_priority == sorted(by_priority)
    assert score(arr, renewal, overdue, "held") > score(arr, renewal, overdue, "planned")


def test_each_part_moves_the_score():
    base = score(Decimal("50000"), 200, 0, "normal")
    assert score(Decimal("500000"), 200, 0, "normal") > base
    assert score(Decimal("50000"), 30, 0, "normal") > base
    assert score(Decimal("50000"), 200, 5, "normal") > base


def test_reasons_say_why():
    result = impact(arr=Decimal("120000"), currency="USD", days_to_renewal=21, overdue_days=3, urgency="urgent")
    assert result.because == "$120k ARR, renewal in 21 days, 3 days overdue, urgent priority"
    held = impact(arr=Decimal("1500000"), currency="EUR", days_to_renewal=-2, overdue_days=1, urgency="held")
    assert held.reasons == ("€1.5M ARR", "renewal date passed", "1 day overdue", "held, result to record")
    assert impact(arr=Decimal("900"), currency="CHF", days_to_renewal=None, overdue_days=0, urgency="low").reasons == ("900 CHF ARR",)


def test_a_renewal_beyond_the_horizon_adds_nothing_and_says_nothing():
    far = impact(arr=Decimal("0"), currency="USD", days_to_renewal=RENEWAL_HORIZON_DAYS + 1, overdue_days=0, urgency="low")
    assert far.score == 0
    assert far.reasons == ()
