"""The facts a health score is computed from: one ``Fact`` per input, per account, as of a day.

``gather(account_ids, as_of)`` reads them in bulk from customers, success plans, surveys and
engagement, using only what was known on ``as_of`` (backtests take the score as it would have
been computed then). A fact whose data does not exist is absent, never a made-up number; the
model's missing-data policy decides what that means.

The keys are the contract between the gathering and the factors (``factors.py``):

=============================  ======================================================  ========
key                            value                                                   unit
=============================  ======================================================  ========
plan.agreed                    1 if a success plan with measurable goals is agreed     0/1
goals.on_pace_share            share of open goals whose metrics are on pace           0..1
goals.hit_share                hits / (hits + misses) of goals closed in 365 days      0..1
commitments.customer_kept      customer commitments kept / due, 180 days               0..1
readiness.level                latest readiness score on a 1..5 scale (1 + 4 x score/100) level
onboarding.kept_share          onboarding-window touchpoints kept / due                0..1
touchpoints.kept_share         touchpoints kept / (kept + missed), 365 days            0..1
contact.days_since             days since the last conversation (notes excluded)       days
contact.levels_90d             distinct contact levels met in 90 days                  count
sponsor.days_since             days since a conversation with an executive sponsor     days
champion.present               1 if an active champion exists, 0 if one left           0/1
sentiment.score_90d            mean sentiment of conversations in 90 days (-1..1)      -1..1
nps.score                      account NPS from latest answers per contact, 365 days   -100..100
needs.open                     open needs (stated needs) noted on the account          count
escalation.known               1 if someone above the primary contact is known         0/1
fundamentals.escalation_path   1 if the next level up is known and met in 90 days      0/1
fundamentals.plan_kept         1 if a touchpoint plan reaches renewal and is kept      0/1
fundamentals.accountability    1 if both sides' commitments are tracked and kept      0/1
manual.score                   the CSM's latest read, on or before the day (fades)     0..100
account.employees              employees (today's figure: no history is kept)         count
account.arr                    ARR of the contract terms running on the day            money
account.seats                  seats of the contract terms running on the day          seats
account.days_to_renewal        days from the day to the next renewal of those terms    days
usage.active_users_30d         product users active in the 30 days (latest snapshot)   count
usage.seat_utilisation         active users (30 days) / seats of the running terms     0..n
usage.breadth_share            key features used in 30 days / key features defined     0..1
usage.active_users_growth      active users (30 days) against the 30 days before       change
usage.stickiness               mean daily active users / active users (30 days)        0..1
usage.events_per_user          events per active user (30 days)                        count
usage.days_since_last          days since the account's last product activity         days
=============================  ======================================================  ========
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    value: float
    on: dt.date | None = None  # when the underlying data was last seen
    note: str = ""  # in words, for the explanation: "champion Jane Roe left on 3 March"


Facts = dict[str, Fact]


def gather(account_ids: Iterable[int], *, as_of: dt.date) -> dict[int, Facts]:
    """Every account's facts as known on ``as_of`` (see ``paceline.health.gathering``).

    The readers import the other apps' models; they load on first use so this module (and the
    pure scoring that imports ``Fact``) stays importable without Django's app registry.
    """
    from paceline.health.gathering import gather_facts

    return gather_facts(account_ids, as_of=as_of)
