import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from paceline.customers.calculations import Term, commercials, renewal_outcome
from paceline.customers.models import RenewalKind

money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
terms = st.builds(Term, arr=money, active=st.booleans(), end_date=dates, renewal_date=st.none() | dates)


@given(before=money, after=money)
def test_renewal_outcome_agrees_with_the_arr_delta(before, after):
    outcome = renewal_outcome(before, after)
    if after == 0:
        assert outcome == RenewalKind.CHURNED
    elif after > before:
        assert outcome == RenewalKind.EXPANDED
    elif after < before:
        assert outcome == RenewalKind.CONTRACTED
    else:
        assert outcome == RenewalKind.RENEWED


@given(st.lists(terms, max_size=8), dates)
def test_commercials_sum_active_terms_and_pick_the_next_renewal_ahead(items, today):
    result = commercials(items, today=today)
    active = [t for t in items if t.active]
    assert result.arr == sum((t.arr for t in active), Decimal("0"))
    assert abs(result.mrr * 12 - result.arr) <= Decimal("0.06")
    ahead = [t.renewal_date or t.end_date for t in active if (t.renewal_date or t.end_date) >= today]
    assert result.next_renewal_date == (min(ahead) if ahead else None)
    if result.next_renewal_date is not None:
        assert result.next_renewal_date >= today


def test_an_inactive_term_adds_nothing():
    today = dt.date(2026, 11, 22)
    result = commercials(
        [Term(Decimal("100"), True, dt.date(2027, 1, 1)), Term(Decimal("999"), False, dt.date(2026, 12, 1))],
        today=today,
    )
    assert result == type(result)(Decimal("100.00"), Decimal("8.33"), dt.date(2027, 1, 1))
