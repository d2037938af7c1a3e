"""Facts from the customer record: contract terms, the people and who was met, conversations, and
the CSMs' own reads. Each reader runs a fixed number of queries for a chunk of accounts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Max
from django.utils import timezone

from paceline.customers.models import (
    Account,
    Contact,
    ContactLevel,
    ContactRole,
    Interaction,
    InteractionKind,
    Sentiment,
    Subscription,
    SubscriptionStatus,
)
from paceline.health.facts import Fact, Facts
from paceline.health.models import ManualAssessment

RECENT_DAYS = 90  # "recent" for contact levels and sentiment
SENTIMENT_VALUE = {Sentiment.POSITIVE: 1.0, Sentiment.NEUTRAL: 0.0, Sentiment.NEGATIVE: -1.0}


def day_end(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in the site's time zone: datetimes before it are known on ``day``."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


# Customers: the account, its contracts, its people and its conversations -------------------------


def account_facts(ids: list[int], as_of: dt.date) -> dict[int, Facts]:
    """``account.<field>`` facts for custom factors. ARR, seats and days to renewal come from the
    contract terms running on ``as_of`` (the account's stored figures are today's)."""
    found: dict[int, Facts] = defaultdict(dict)
    for account_id, employees in Account.objects.filter(pk__in=ids, employees__isnull=False).values_list(
            "pk", "employees"):
        found[account_id]["account.employees"] = Fact(float(employees))
    terms = Subscription.objects.filter(account_id__in=ids, start_date__lte=as_of, end_date__gte=as_of).exclude(
        status=SubscriptionStatus.PENDING).values_list("account_id", "arr", "seats", "renewal_date", "end_date")
    running: dict[int, list] = defaultdict(list)
    for account_id, arr, seats, renewal, end in terms:
        running[account_id].append((float(arr), seats, renewal or end))
    for account_id, rows in running.items():
        renewal = min(r for _, _, r in rows if r >= as_of) if any(r >= as_of for _, _, r in rows) else None
        found[account_id]["account.arr"] = Fact(sum(a for a, _, _ in rows), as_of)
        found[account_id]["account.seats"] = Fact(float(sum(s for _, s, _ in rows)), as_of)
        if renewal is not None:
            found[account_id]["account.days_to_renewal"] = Fact(float((renewal - as_of).days), renewal)
    return found


def _active_on(contact: dict, as_of: dt.date) -> bool:
    """Whether the contact was still there on ``as_of`` (one who left later was)."""
    return contact["left_on"] is None or contact["left_on"] > as_of


def people_facts(ids: list[int], as_of: dt.date) -> dict[int, Facts]:
    """Champion, sponsor, levels reached and the escalation path, from contacts and who was in
    which conversation (two queries)."""
    contacts = {c["pk"]: c for c in Contact.objects.filter(account_id__in=ids).values(
        "pk", "account_id", "name", "level", "roles", "reports_to_id", "is_primary", "left_on")}
    met = Interaction.contacts.through.objects.filter(
        interaction__account_id__in=ids, interaction__occurred_at__lt=day_end(as_of),
    ).exclude(interaction__kind=InteractionKind.NOTE).values("contact_id").annotate(last=Max("interaction__occurred_at"))
    last_met = {row["contact_id"]: local_day(row["last"]) for row in met}
    by_account: dict[int, list[dict]] = defaultdict(list)
    for contact in contacts.values():
        by_account[contact["account_id"]].append(contact)
    found: dict[int, Facts] = {}
    for account_id, people in by_account.items():
        found[account_id] = _people_of(people, contacts, last_met, as_of)
    return found


def _people_of(people: list[dict], contacts: dict[int, dict], last_met: dict[int, dt.date],
               as_of: dt.date) -> Facts:
    facts: Facts = {}
    here = [c for c in people if _active_on(c, as_of)]
    champions = [c for c in people if ContactRole.CHAMPION in (c["roles"] or [])]
    present = [c for c in champions if _active_on(c, as_of)]
    if present:
        facts["champion.present"] = Fact(1.0, None, "champion " + ", ".join(c["name"] for c in present))
    elif champions:
        gone = max(champions, key=lambda c: c["left_on"])
        facts["champion.present"] = Fact(0.0, gone["left_on"], f"champion {gone['name']} left on {gone['left_on']:%Y-%m-%d}")
    recent = as_of - dt.timedelta(days=RECENT_DAYS)
    levels = sorted({c["level"] for c in here if c["level"] and last_met.get(c["pk"], dt.date.min) > recent})
    if any(c["pk"] in last_met for c in people):
        facts["contact.levels_90d"] = Fact(float(len(levels)), None, ", ".join(levels) or "no one met in 90 days")
    sponsors = [c for c in here if ContactRole.EXECUTIVE_SPONSOR in (c["roles"] or [])] or [
        c for c in here if c["level"] == ContactLevel.EXECUTIVE]
    seen = [(last_met[c["pk"]], c) for c in sponsors if c["pk"] in last_met]
    if seen:
        on, sponsor = max(seen, key=lambda pair: pair[0])
        facts["sponsor.days_since"] = Fact(float((as_of - on).days), on, f"{sponsor['name']} last met on {on:%Y-%m-%d}")
    primary = next((c for c in here if c["is_primary"]), None)
    if primary is not None:
        boss = contacts.get(primary["reports_to_id"])
        if boss is not None and _active_on(boss, as_of):
            facts["escalation.known"] = Fact(1.0, last_met.get(boss["pk"]), f"{primary['name']} reports to {boss['name']}")
        else:
            facts["escalation.known"] = Fact(0.0, None, f"no one known above {primary['name']}")
    return facts


def conversation_facts(ids: list[int], as_of: dt.date) -> dict[int, Facts]:
    """Days since the last conversation (notes are not conversations) and the sentiment of the recent ones."""
    end = day_end(as_of)
    talks = Interaction.objects.filter(account_id__in=ids, occurred_at__lt=end).exclude(kind=InteractionKind.NOTE)
    found: dict[int, Facts] = defaultdict(dict)
    for account_id, last in talks.values("account_id").annotate(last=Max("occurred_at")).values_list("account_id", "last"):
        day = local_day(last)
        found[account_id]["contact.days_since"] = Fact(float((as_of - day).days), day, f"last conversation on {day:%Y-%m-%d}")
    recent = talks.filter(occurred_at__gte=end - dt.timedelta(days=RECENT_DAYS)).exclude(sentiment="")
    moods: dict[int, list[float]] = defaultdict(list)
    latest: dict[int, dt.datetime] = {}
    for account_id, sentiment, at in recent.values_list("account_id", "sentiment", "occurred_at"):
        moods[account_id].append(SENTIMENT_VALUE[sentiment])
        latest[account_id] = max(at, latest.get(account_id, at))
    for account_id, values in moods.items():
        found[account_id]["sentiment.score_90d"] = Fact(
            sum(values) / len(values), local_day(latest[account_id]), f"{len(values)} conversations with a sentiment")
    return found


def manual_facts(ids: list[int], as_of: dt.date) -> dict[int, Facts]:
    """The latest CSM's read given on or before ``as_of`` (the model decides how much it still counts)."""
    found: dict[int, Facts] = {}
    rows = ManualAssessment.objects.filter(account_id__in=ids, assessed_on__lte=as_of).order_by(
        "account_id", "-assessed_on", "-id").values_list("account_id", "score", "assessed_on", "reason")
    for account_id, value, on, reason in rows:
        found.setdefault(account_id, {"manual.score": Fact(float(value), on, reason)})
    return found
