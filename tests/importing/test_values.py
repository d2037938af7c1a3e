"""Cell converters: pure functions, no database."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paceline.customers.importing import values as v
from paceline.customers.importing.fields import read_level, read_role, read_segment, read_tier
from paceline.customers.models import Segment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12000", Decimal("12000.00")),
        ("12,000.00", Decimal("12000.00")),
        ("$12,000", Decimal("12000.00")),
        ("€ 1,234,567.5", Decimal("1234567.50")),
        ("USD 12,000.50", Decimal("12000.50")),
        ("12000.5 EUR", Decimal("12000.50")),
        ("0", Decimal("0.00")),
    ],
)
def test_money_becomes_a_decimal(text, expected):
    amount = v.read_money(text)
    assert amount == expected
    assert isinstance(amount, Decimal)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("12.000,00", "comma for decimals"),
        ("12,5", "comma for decimals"),
        ("12.000", "could be read two ways"),
        ("1,20,000", "not a number"),
        ("12000.005", "more than two decimals"),
        ("-500", "negative"),
        ("(500)", "negative"),
        ("lots", "not a number"),
    ],
)
def test_money_refuses_what_it_could_misread(text, fragment):
    with pytest.raises(v.CellError, match=fragment):
        v.read_money(text)


@given(st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False, allow_infinity=False))
def test_money_reads_back_any_amount_written_with_thousands_separators(amount):
    assert v.read_money(f"${amount:,.2f}") == amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("2026-03-01T10:00:00Z", dt.date(2026, 3, 1)),
        ("2026-03-01 10:00", dt.date(2026, 3, 1)),
        ("2026/3/1", dt.date(2026, 3, 1)),
        ("1 Mar 2026", dt.date(2026, 3, 1)),
        ("01-Mar-2026", dt.date(2026, 3, 1)),
        ("March 1, 2026", dt.date(2026, 3, 1)),
        ("13/01/2026", dt.date(2026, 1, 13)),
        ("01/13/2026", dt.date(2026, 1, 13)),
        ("05/05/2026", dt.date(2026, 5, 5)),
    ],
)
def test_unambiguous_dates_are_read(text, expected):
    assert v.read_date(text) == expected


def test_an_ambiguous_date_is_refused_naming_both_readings():
    with pytest.raises(v.CellError) as err:
        v.read_date("03/01/2026")
    assert "ambiguous (1 March or 3 January?)" in str(err.value)


def test_the_file_can_say_which_order_its_dates_use():
    assert v.read_date("03/01/2026", "mdy") == dt.date(2026, 3, 1)
    assert v.read_date("03/01/2026", "dmy") == dt.date(2026, 1, 3)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("2026-02-30", "not a real date"), ("03/01/26", "two-digit year"), ("next week", "YYYY-MM-DD"),
     ("13/13/2026", "not a real date")],
)
def test_bad_dates_say_what_to_write(text, fragment):
    with pytest.raises(v.CellError, match=fragment):
        v.read_date(text)


@pytest.mark.parametrize(("text", "expected"), [("yes", True), ("No", False), ("TRUE", True), ("0", False), ("1", True)])
def test_booleans(text, expected):
    assert v.read_bool(text) is expected


def test_a_boolean_that_is_not_one_is_refused():
    with pytest.raises(v.CellError, match="not yes/no"):
        v.read_bool("maybe")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Mid-Market", Segment.MID_MARKET), ("mid market", Segment.MID_MARKET), ("Enterprise", Segment.ENTERPRISE),
     ("SMB", Segment.SMB), ("small business", Segment.SMB), ("mid_market", Segment.MID_MARKET)],
)
def test_segments_accept_labels_and_variants(text, expected):
    assert read_segment(text, None) == expected


def test_an_unknown_segment_lists_the_allowed_ones():
    with pytest.raises(v.CellError) as err:
        read_segment("Galactic", None)
    assert str(err.value) == "'Galactic' is not one of: Enterprise, Mid-market, SMB."


def test_tiers_levels_and_roles_accept_common_variants():
    assert read_tier("Tier 1", None) == "1"
    assert read_tier("tech touch", None) == "3"
    assert read_level("VP", None) == "executive"
    assert v.read_list(read_role)("Champion; Exec Sponsor, champion") == ["champion", "executive_sponsor"]


def test_counts_accept_thousands_and_excel_decimals_but_not_fractions():
    assert v.read_count("1,200") == 1200
    assert v.read_count("1200.0") == 1200
    with pytest.raises(v.CellError, match="not a whole number"):
        v.read_count("12.5")


def test_a_web_address_is_reduced_to_its_domain():
    assert v.read_domain("https://www.Acme.com/about?x=1") == "acme.com"
    assert v.read_domain("acme.co.uk") == "acme.co.uk"
    with pytest.raises(v.CellError):
        v.read_domain("not a domain")


def test_currency_codes_are_upper_cased_and_checked():
    assert v.read_currency("eur") == "EUR"
    with pytest.raises(v.CellError, match="three letters"):
        v.read_currency("$")
