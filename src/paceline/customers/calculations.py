"""Pure calculations on commercial facts: plain values in, plain values out, no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from paceline.customers.models import RenewalKind

CENT = Decimal("0.01")


def renewal_outcome(arr_before: Decimal, arr_after: Decimal) -> RenewalKind:
    """Equal ARR is renewed, more is expanded, less is contracted, zero is churned."""
    if arr_after < 0 or arr_before < 0:
        raise ValueError("ARR cannot be negative")
    if arr_after == 0:
        return RenewalKind.CHURNED
    if arr_after > arr_before:
        return RenewalKind.EXPANDED
    if arr_after < arr_before:
        return RenewalKind.CONTRACTED
    return RenewalKind.RENEWED


@dataclass(frozen=True)
class Term:
    """What the commercial roll-up needs to know of one subscription term."""

    arr: Decimal
    active: bool
    end_date: dt.date
    renewal_date: dt.date | None = None


@dataclass(frozen=True)
class Commercials:
    arr: Decimal
    mrr: Decimal
    next_renewal_date: dt.date | None


def commercials(terms: Iterable[Term], *, today: dt.date) -> Commercials:
    """An account's ARR (sum of active terms), MRR (ARR / 12) and next renewal still ahead."""
    active = [t for t in terms if t.active]
    arr = sum((t.arr for t in active), Decimal("0")).quantize(CENT)
    upcoming = [t.renewal_date or t.end_date for t in active if (t.renewal_date or t.end_date) >= today]
    return Commercials(arr=arr, mrr=(arr / 12).quantize(CENT), next_renewal_date=min(upcoming, default=None))
