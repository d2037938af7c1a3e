"""Gathering the facts of many accounts at once, as known on a day (``facts.gather``).

Every reader takes a chunk of account ids and the day and runs a fixed number of queries, so
gathering costs the same number of queries per ``CHUNK`` accounts whatever the book's size, and
reads only what was dated on or before the day (see each reader for which date it trusts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from paceline.health import fundamentals
from paceline.health.facts import Facts
from paceline.health.gathering import customers, usage, work

CHUNK = 2000  # accounts per batch of queries: keeps every IN list under the databases' limits

Reader = Callable[[list[int], dt.date], dict[int, Facts]]
READERS: tuple[Reader, ...] = (
    customers.account_facts, customers.people_facts, customers.conversation_facts, customers.manual_facts,
    work.plan_facts, work.commitment_facts, work.touchpoint_facts, work.need_facts, work.survey_facts,
    fundamentals.facts_reader, usage.usage_facts,
)


def gather_facts(account_ids: Iterable[int], *, as_of: dt.date) -> dict[int, Facts]:
    """Every account's facts as known on ``as_of``, in a fixed number of queries per ``CHUNK`` accounts.

    Only data dated on or before ``as_of`` is read (interactions by when they happened, contacts'
    leaving dates, touchpoints' due and closing days, goals' agreement and closing days,
    measurements, commitments' due and done days, survey answers, readiness assessments, needs,
    manual assessments), so a score as of a past day is the score that could have been computed then.
    """
    ids = list(dict.fromkeys(int(i) for i in account_ids))
    facts: dict[int, Facts] = {i: {} for i in ids}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for reader in READERS:
            for account_id, found in reader(chunk, as_of).items():
                facts[account_id].update(found)
    return facts


