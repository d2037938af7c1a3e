"""Turning one CSV cell into one typed value, or a reason the user can act on.

Every converter takes the stripped cell text (never blank: blank cells are handled by the caller)
and returns a value or raises ``CellError`` with a sentence that names what was wrong and what to
write instead. They are pure functions, tested without a database.

Dates: ISO ``2026-03-01`` (a time part, as HubSpot exports, is dropped), ``2026/03/01``, and
dates with a month name (``1 Mar 2026``, ``Mar 1, 2026``, ``01-Mar-2026``) are read as they are.
Numeric dates with the year last (``03/01/2026``) are read only when they can mean one thing
(``13/01/2026``, ``01/13/2026``, ``05/05/2026``) unless the caller says which order the file
uses (``date_order="mdy"`` or ``"dmy"``). An ambiguous date is refused, never guessed.

Money: ``12000``, ``12,000.00``, ``$12,000``, ``USD 12,000.50``. Commas only as thousands
separators (``12.000,00`` is refused rather than read as twelve), at most two decimals, and the
result is a ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import models


class CellError(ValueError):
    """A cell whose text cannot become the value its column needs."""


def squash(text: str) -> str:
    """Lower-case letters and digits only: how headers and choice labels are compared."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


# Choices -----------------------------------------------------------------------------------------


def choice_reader(choices: type[models.TextChoices], variants: dict[str, str] | None = None):
    """A converter accepting a choice's value, its label, or a common variant, in any case/spacing."""
    table: dict[str, str] = {}
    for value, label in choices.choices:
        table[squash(value)] = value
        table[squash(str(label))] = value
    for variant, value in (variants or {}).items():
        table[squash(variant)] = value
    allowed = ", ".join(str(label) for label in choices.labels)

    def read(text: str) -> str:
        value = table.get(squash(text))
        if value is None:
            raise CellError(f"'{text}' is not one of: {allowed}.")
        return value

    return read


def read_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"yes", "y", "true", "t", "1"}:
        return True
    if lowered in {"no", "n", "false", "f", "0"}:
        return False
    raise CellError(f"'{text}' is not yes/no: use yes, no, true, false, 1 or 0.")


# Numbers and money ------------------------------------------------------------------------------

_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^\d+(\.\d+)?$")
_SYMBOLS = "$€£¥"


def _number_text(text: str, *, what: str) -> str:
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
        # 12.000 is twelve thousand in much of Europe and twelve elsewhere: do not guess.
        raise CellError(f"'{text}' could be read two ways; write 12000 or 12,000 (a dot marks decimals).")
    if _GROUPED.match(cleaned):
        return cleaned.replace(",", "")
    if _PLAIN.match(cleaned):
        return cleaned
    if cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")")):
        raise CellError(f"'{text}' is negative; {what} cannot be below zero.")
    if re.match(r"^\d{1,3}(\.\d{3})+(,\d+)?$", cleaned) or re.match(r"^\d+,\d{1,2}$", cleaned):
        raise CellError(f"'{text}' uses a comma for decimals; write it as 12000.50 (dot for decimals).")
    raise CellError(f"'{text}' is not a number.")


def read_money(text: str) -> Decimal:
    cleaned = text.strip()
    code = re.match(r"^([A-Za-z]{3})\s*(.+)$", cleaned) or re.match(r"^(.+?)\s*([A-Za-z]{3})$", cleaned)
    if code:
        # "USD 1,200" or "1,200 USD": the amount is the part that is not the code.
        cleaned = code.group(2) if code.group(1).isalpha() else code.group(1)
    cleaned = cleaned.strip().lstrip(_SYMBOLS).rstrip(_SYMBOLS).strip()
    if cleaned.startswith("-") and cleaned[1:2] in _SYMBOLS:
        cleaned = "-" + cleaned[2:]
    number = _number_text(cleaned, what="an amount")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise CellError(f"'{text}' is not an amount.") from None
    if amount.as_tuple().exponent < -2:
        raise CellError(f"'{text}' has more than two decimals.")
    return amount.quantize(Decimal("0.01"))


def read_count(text: str) -> int:
    """A whole number of seats, employees or days; "1,200" and Excel's "1200.0" are accepted."""
    number = _number_text(text.strip(), what="a count")
    whole, _, fraction = number.partition(".")
    if fraction.strip("0"):
        raise CellError(f"'{text}' is not a whole number.")
    return int(whole)


# Dates ------------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$")
_YEAR_LAST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})(?:[T ].*)?$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})[-/ ]([A-Za-z]{3,9})\.?[-/ ,]+(\d{2,4})$")
_MONTH_NAME_DAY = re.compile(r"^([A-Za-z]{3,9})\.?[ -](\d{1,2})(?:st|nd|rd|th)?,? (\d{2,4})$")

DATE_ORDERS = {"": "refuse ambiguous dates", "mdy": "month first (03/01/2026 is 1 March)",
               "dmy": "day first (03/01/2026 is 3 January)"}


def _make_date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"'{text}' is not a real date.") from None


def _four_digit_year(year: str, text: str) -> int:
    if len(year) != 4:
        raise CellError(f"'{text}' has a two-digit year; write the date as YYYY-MM-DD.")
    return int(year)


def _month(name: str, text: str) -> int:
    month = _MONTHS.get(name.lower())
    if month is None:
        raise CellError(f"'{text}' is not a date; write it as YYYY-MM-DD.")
    return month


def read_date(text: str, date_order: str = "") -> dt.date:
    cleaned = text.strip()
    if match := _ISO.match(cleaned):
        year, month, day = (int(part) for part in match.groups())
        return _make_date(year, month, day, text)
    if match := _DAY_MONTH_NAME.match(cleaned):
        day, name, year = match.groups()
        return _make_date(_four_digit_year(year, text), _month(name, text), int(day), text)
    if match := _MONTH_NAME_DAY.match(cleaned):
        name, day, year = match.groups()
        return _make_date(_four_digit_year(year, text), _month(name, text), int(day), text)
    if match := _YEAR_LAST.match(cleaned):
        first, second, year_text = match.groups()
        year = _four_digit_year(year_text, text)
        a, b = int(first), int(second)
        if date_order == "mdy":
            return _make_date(year, a, b, text)
        if date_order == "dmy":
            return _make_date(year, b, a, text)
        if a > 12 and b <= 12:
            return _make_date(year, b, a, text)
        if b > 12 and a <= 12:
            return _make_date(year, a, b, text)
        if a == b:
            return _make_date(year, a, b, text)
        if a <= 12 and b <= 12:
            month_first, day_first = dt.date(year, a, b), dt.date(year, b, a)
            raise CellError(
                f"'{text}' is ambiguous ({month_first.day} {month_first:%B} or {day_first.day} {day_first:%B}?); "
                "write it as YYYY-MM-DD "
                "or say which order the file uses."
            )
        raise CellError(f"'{text}' is not a real date.")
    raise CellError(f"'{text}' is not a date; write it as YYYY-MM-DD.")


# Text shapes ------------------------------------------------------------------------------------


def read_currency(text: str) -> str:
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise CellError(f"'{text}' is not a currency code; use three letters such as USD or EUR.")
    return code


def read_domain(text: str) -> str:
    """``https://www.acme.com/about`` and ``acme.com`` are the same domain: keep the host only."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text.strip().lower())
    host = host.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    host = host.removeprefix("www.")
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+", host):
        raise CellError(f"'{text}' is not a domain or web address.")
    return host


def read_text(text: str) -> str:
    return text.strip()


def read_list(reader):
    """A cell holding several values separated by ';' or ',' (e.g. contact roles)."""

    def read(text: str) -> list:
        parts = [p.strip() for p in re.split(r"[;,]", text) if p.strip()]
        values: list = []
        for part in parts:
            value = reader(part)
            if value not in values:
                values.append(value)
        return values

    return read
