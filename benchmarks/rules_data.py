"""The book, the day and the rules that ``benchmarks/rules.py`` evaluates.

A book of N accounts (owners, segments, tiers, stages, ARR, renewal dates), three contacts and
four interactions each (three conversations and a note; the last conversation between today and
half a year ago, so the silence rules have something to find), 50 rules over every trigger, and a
day's outbox of about 0.17 events per account (health and usage changes, survey responses,
missed touchpoints and commitments, departures, stage changes, and activity no rule reads).

The book is in its steady state: the scheduled rules already fired yesterday for what they found
then (a renewal already inside the window, an account already silent), as they would have on the
days before, so today's scan fires only for what crossed a threshold today and dedupes the rest.

Rows go in as tuples (``executemany`` on SQLite, ``COPY`` on PostgreSQL) with ids chosen up
front; everything is drawn from a seeded generator, so a size always builds the same book.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal

SEGMENTS = (("enterprise", 0.1), ("mid_market", 0.3), ("smb", 0.6))
ARR_RANGE = {"enterprise": (100_000, 1_200_000), "mid_market": (20_000, 150_000), "smb": (2_000, 25_000)}
TIER = {"enterprise": "1", "mid_market": "2", "smb": "3"}
STAGES = (("onboarding", 0.1), ("adoption", 0.3), ("maturity", 0.45), ("renewal", 0.1), ("churned", 0.05))
INDUSTRIES = ("Software", "Retail", "Healthcare", "Finance", "Manufacturing", "Logistics", "Education")
CSMS = 40
ROLES = (["champion"], ["executive_sponsor"], ["end_user"])
# Events of one day, per account: (kind, share of accounts).
DAY = (
    ("health.score_changed", 0.05), ("usage.weekly_change", 0.05), ("task.created", 0.03),
    ("interaction.logged", 0.02), ("survey.responded", 0.01), ("touchpoint.missed", 0.005),
    ("success.commitment_missed.customer", 0.003), ("success.metric_behind_pace", 0.003),
    ("account.stage_changed", 0.003), ("contact.departed", 0.001), ("account.segment_changed", 0.0005),
)
CHANNEL = "CS leadership (e-mail)"


def _pick(rng: random.Random, weighted) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _ts(value: dt.datetime):
    """An aware datetime as the backend stores it (SQLite: text)."""
    from django.db import connection

    return value if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(value)


def _insert(model, columns, rows) -> int:
    """Insert ready-made rows (``COPY`` on PostgreSQL, ``executemany`` on SQLite); move the sequence on."""
    from django.core.management.color import no_style
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    rows = list(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)
    return len(rows)


# The book -----------------------------------------------------------------------------------------


def _users() -> list[int]:
    from paceline.users.models import User

    User.objects.create_user("lead", email="lead@example.com", first_name="Lea", last_name="Lead", role="leader")
    User.objects.bulk_create([
        User(username=f"csm{i:02d}", email=f"csm{i:02d}@example.com", first_name="CSM", last_name=f"{i:02d}",
             role="csm", password="!") for i in range(CSMS)
    ])
    return list(User.objects.filter(role="csm").values_list("pk", flat=True))


def _accounts(rng: random.Random, n: int, owners: list[int], now: dt.datetime) -> list[tuple[int, str, str]]:
    """Insert the accounts; returns (id, segment, stage) for the rows that follow."""
    from paceline.customers.models import Account

    today = now.date()
    created = _ts(now - dt.timedelta(days=900))
    rows, facts = [], []
    for pk in range(1, n + 1):
        segment, stage = _pick(rng, SEGMENTS), _pick(rng, STAGES)
        low, high = ARR_RANGE[segment]
        arr = Decimal(rng.randrange(low, high)).quantize(Decimal("0.01"))
        renewal = today + dt.timedelta(days=rng.randrange(1, 366))
        owner = rng.choice(owners) if rng.random() > 0.02 else None
        rows.append((pk, f"Account {pk:06d}", f"acct-{pk}", f"a{pk}.example.com", rng.choice(INDUSTRIES),
                     rng.randrange(10, 20_000), segment, TIER[segment], stage, owner, "USD", "", arr,
                     (arr / 12).quantize(Decimal("0.01")), renewal, created, created))
        facts.append((pk, segment, stage))
    _insert(Account, ("id", "name", "external_id", "domain", "industry", "employees", "segment", "tier",
                      "lifecycle_stage", "owner_id", "currency", "description", "arr", "mrr", "next_renewal_date",
                      "created_at", "updated_at"), rows)
    return facts


def _contacts(n: int, now: dt.datetime) -> None:
    from paceline.customers.models import Contact

    at = _ts(now - dt.timedelta(days=800))
    rows = ((3 * (a - 1) + i + 1, a, f"Contact {a}-{i}", f"c{a}-{i}@a{a}.example.com", "", "", "",
             json.dumps(ROLES[i]), i == 0, "active", at, at) for a in range(1, n + 1) for i in range(3))
    _insert(Contact, ("id", "account_id", "name", "email", "phone", "title", "level", "roles", "is_primary",
                      "status", "created_at", "updated_at"), rows)


def _quiet_days(rng: random.Random) -> int:
    """Days since the last conversation: most accounts talked this month, a tail went quiet."""
    roll = rng.random()
    if roll < 0.7:
        return rng.randrange(0, 30)
    if roll < 0.9:
        return rng.randrange(30, 60)
    return rng.randrange(60, 180)


def _interactions(rng: random.Random, n: int, now: dt.datetime) -> int:
    from paceline.customers.models import Interaction

    noon = now.replace(hour=12, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)

    def rows():
        pk = 0
        for a in range(1, n + 1):
            last = noon - dt.timedelta(days=_quiet_days(rng))
            for kind, at in (("call", last - dt.timedelta(days=40)), ("email", last - dt.timedelta(days=15)),
                             (rng.choice(("email", "call", "meeting")), last),
                             ("note", last + dt.timedelta(days=rng.randrange(0, 5)))):
                pk += 1
                stamp = _ts(min(at, noon))
                yield (pk, a, kind, stamp, f"{kind} with Account {a:06d}", "", "neutral", stamp, stamp)

    return _insert(Interaction, ("id", "account_id", "kind", "occurred_at", "subject", "summary", "sentiment",
                                 "created_at", "updated_at"), rows())


def build_book(n: int, *, seed: int = 6, now: dt.datetime) -> dict[str, int]:
    from django.db import transaction

    rng = random.Random(seed)
    with transaction.atomic():
        owners = _users()
        _accounts(rng, n, owners, now)
        _contacts(n, now)
        interactions = _interactions(rng, n, now)
    return {"accounts": n, "contacts": 3 * n, "interactions": interactions}


# The rules ----------------------------------------------------------------------------------------


def _task(title: str, due: int = 3, priority: str = "high") -> dict:
    return {"type": "create_task", "params": {"title": title, "due_in_days": due, "priority": priority}}


def _notify(subject: str) -> dict:
    return {"type": "notify", "params": {"channel": CHANNEL, "subject": subject}}


def _seg(*segments: str) -> dict:
    return {"field": "segment", "op": "in", "value": list(segments)}


def _arr(op: str, amount: int) -> dict:
    return {"field": "arr", "op": op, "value": str(amount)}


def rule_specs() -> list[dict]:
    """Fifty rules a CS team of this size runs: per segment, with ARR thresholds, mostly tasks."""
    specs = []

    def add(name, trigger, params=None, conds=(), actions=(), **extra):
        specs.append({"name": name, "trigger": trigger, "trigger_params": params or {}, "conditions": list(conds),
                      "actions": list(actions), **extra})

    for seg in ("enterprise", "mid_market", "smb"):
        add(f"Health red ({seg})", "health_changed", {"band_to": "red"}, [_seg(seg)],
            [_task("Health went red at {account}: {band}")])
        add(f"Usage down 30% ({seg})", "usage_dropped", {"drop_pct": 30}, [_seg(seg)],
            [_task("Usage of {metric} fell {change} at {account}", due=5, priority="normal")])
        add(f"Champion or sponsor left ({seg})", "key_contact_left", {}, [_seg(seg)],
            [_task("Find a new champion at {account} ({contact} left)")])
        add(f"Customer commitment missed ({seg})", "commitment_missed", {}, [_seg(seg)],
            [_task("Follow up at {account}: {commitment} was due {due_on}", priority="normal")])
        add(f"Touchpoint missed ({seg})", "touchpoint_missed", {}, [_seg(seg)],
            [_task("Reschedule {touchpoint} with {account}", due=2, priority="normal")])
        add(f"NPS detractor ({seg})", "survey_answered", {"band": "detractor", "survey_kind": "nps"}, [_seg(seg)],
            [_task("Call back the detractor at {account} (score {score})", due=2)])
        add(f"Goal behind pace ({seg})", "goal_behind", {}, [_seg(seg)],
            [_task("Goal {goal} is behind at {account}: {pace}", due=7, priority="normal")])
    add("Score fell 20 points, large accounts", "health_changed", {"drop_by": 20}, [_arr("gte", 100_000)],
        [_notify("{account}: health {score}")])
    add("Renewal score red, ARR over 250k", "health_changed", {"band_to": "red", "model": "renewal"},
        [_arr("gte", 250_000)], [_notify("Renewal risk at {account}"), _task("Renewal risk plan for {account}")])
    add("Expansion score fell 15, enterprise", "health_changed", {"drop_by": 15, "model": "expansion"},
        [_seg("enterprise")], [_task("Expansion at {account} cooled: {score}", due=7, priority="normal")])
    add("Adoption score red, onboarding", "health_changed", {"band_to": "red", "model": "adoption"},
        [{"field": "lifecycle_stage", "op": "eq", "value": "onboarding"}], [_task("Onboarding stalls at {account}")])
    add("Usage halved, ARR over 50k", "usage_dropped", {"drop_pct": 50}, [_arr("gte", 50_000)],
        [_notify("{account}: {metric} {change}")])
    add("Logins down 40%", "usage_dropped", {"drop_pct": 40, "metric": "logins"}, [_seg("mid_market", "enterprise")],
        [_task("Logins fell {change} at {account}", priority="normal")])
    add("Decision maker or admin left", "key_contact_left", {"roles": ["decision_maker", "admin"]}, [],
        [_task("Meet the new decision maker at {account}", due=7, priority="normal")])
    add("Key contact left, ARR over 200k", "key_contact_left", {}, [_arr("gte", 200_000)],
        [_notify("{contact} left {account}")])
    add("Detractor, ARR over 200k", "survey_answered", {"band": "detractor"}, [_arr("gte", 200_000)],
        [_notify("Detractor at {account}: {score}")])
    add("Low CSAT", "survey_answered", {"band": "low", "survey_kind": "csat"}, [_seg("enterprise", "mid_market")],
        [_task("Low CSAT at {account}: read the comment and call", due=2)])
    add("Promoter: ask for a reference", "survey_answered", {"band": "promoter", "survey_kind": "nps"},
        [_seg("enterprise"), _arr("gte", 300_000)], [_task("Ask {account} for a reference", due=10, priority="low")])
    add("Tier-1 touchpoint missed", "touchpoint_missed", {}, [{"field": "tier", "op": "eq", "value": "1"},
                                                              _arr("gte", 500_000)],
        [_notify("Missed touchpoint at {account}")])
    add("Entered renewal stage", "entered_segment_or_stage", {"field": "stage", "value": "renewal"}, [],
        [_task("Prepare the renewal of {account}", due=14, priority="normal")])
    add("Entered onboarding", "entered_segment_or_stage", {"field": "stage", "value": "onboarding"}, [],
        [_task("Kick off onboarding at {account}", due=5)])
    add("Churned, ARR over 100k", "entered_segment_or_stage", {"field": "stage", "value": "churned"},
        [_arr("gte", 100_000)], [_notify("{account} churned ({stage})")])
    add("Moved to enterprise", "entered_segment_or_stage", {"field": "segment", "value": "enterprise"}, [],
        [_task("Introduce the enterprise CSM to {account}", due=7, priority="normal")])
    add("Upgraded to tier 1 on a big usage drop", "usage_dropped", {"drop_pct": 60},
        [_seg("mid_market"), _arr("gte", 120_000)], [{"type": "set_field", "params": {"field": "tier", "value": "1"}}])
    # Scheduled: silence and renewals.
    add("Enterprise quiet 21 days", "no_interaction", {"days": 21}, [_seg("enterprise")],
        [_task("No conversation with {account} for {days_quiet} days", due=2)])
    add("Mid-market quiet 45 days", "no_interaction", {"days": 45}, [_seg("mid_market")],
        [_task("No conversation with {account} for {days_quiet} days")])
    add("SMB quiet 90 days", "no_interaction", {"days": 90}, [_seg("smb")],
        [_task("Check in with {account}: {days_quiet} days quiet", due=7, priority="normal")])
    add("Large account quiet 30 days", "no_interaction", {"days": 30}, [_arr("gte", 400_000)],
        [_notify("{account} quiet for {days_quiet} days")])
    add("Onboarding account quiet 14 days", "no_interaction", {"days": 14},
        [{"field": "lifecycle_stage", "op": "eq", "value": "onboarding"}, _seg("enterprise", "mid_market")],
        [_task("Onboarding at {account} has gone quiet")])
    add("Enterprise renewal in 120 days", "renewal_in", {"days": 120}, [_seg("enterprise")],
        [_task("Start the renewal of {account} ({renewal_date})", due=14, priority="normal")])
    add("Mid-market renewal in 90 days", "renewal_in", {"days": 90}, [_seg("mid_market")],
        [_task("Start the renewal of {account} ({renewal_date})", due=14, priority="normal")])
    add("SMB renewal in 60 days", "renewal_in", {"days": 60}, [_seg("smb"), _arr("gte", 10_000)],
        [_task("Confirm the renewal of {account} ({renewal_date})", due=14, priority="low")])
    add("Renewal in 30 days, ARR over 250k", "renewal_in", {"days": 30}, [_arr("gte", 250_000)],
        [_notify("{account} renews on {renewal_date} (ARR {arr})")])
    add("Renewal in 90 days moves the stage", "renewal_in", {"days": 90},
        [{"field": "lifecycle_stage", "op": "in", "value": ["adoption", "maturity"]}, _seg("enterprise", "mid_market")],
        [{"type": "set_field", "params": {"field": "lifecycle_stage", "value": "renewal"}}])
    add("Renewal in 14 days, no owner", "renewal_in", {"days": 14}, [{"field": "owner_id", "op": "empty"}],
        [_notify("{account} renews on {renewal_date} and has no CSM")])
    add("Renewal in 45 days, large mid-market", "renewal_in", {"days": 45},
        [_seg("mid_market"), _arr("gte", 100_000)], [_task("Renewal review with {account}", due=7)])
    return specs


def create_rules() -> list:
    from paceline.automation import services
    from paceline.automation.models import Channel
    from paceline.core.services import Actor
    from paceline.users.models import User

    Channel.objects.create(name=CHANNEL, kind="email", target="cs-leads@example.com")
    actor = Actor(user=User.objects.get(username="lead"), via="cli")
    return [services.rule_create(actor=actor, **spec) for spec in rule_specs()]


def seed_yesterday(rules: list, *, now: dt.datetime) -> int:
    """The firings the scheduled rules made before today, each on the day it crossed its threshold."""
    from paceline.automation import conditions, engine, triggers
    from paceline.automation.models import Firing

    yesterday = now.date() - dt.timedelta(days=1)
    accounts = engine._account_rows(None)
    rows, pk = [], 0
    for rule in rules:
        trigger = triggers.TRIGGERS[rule.trigger]
        if not trigger.scheduled:
            continue
        days = rule.trigger_params["days"]
        for c in trigger.scan(rule.trigger_params, yesterday):
            if not conditions.all_hold(rule.conditions, accounts[c.account_id]):
                continue
            if "renewal_date" in c.why:
                crossed = dt.date.fromisoformat(c.why["renewal_date"]) - dt.timedelta(days=days)
            else:
                crossed = dt.date.fromisoformat(c.why["last_conversation"]) + dt.timedelta(days=days + 1)
            at = dt.datetime.combine(min(crossed, yesterday), dt.time(6), tzinfo=dt.UTC)
            pk += 1
            rows.append((pk, rule.pk, c.account_id, c.cause, _ts(at), json.dumps(c.why), "[]", "done"))
    return _insert(Firing, ("id", "rule_id", "account_id", "cause", "fired_at", "why", "outcome", "status"), rows)


# The day ------------------------------------------------------------------------------------------


def _payload(rng: random.Random, kind: str, account: int, day: dt.date) -> tuple[str, str, dict]:
    """(subject_type, subject_id, payload) of one event, as the app that sends it writes it."""
    if kind == "health.score_changed":
        before = rng.randrange(30, 95)
        after = max(0, before + int(rng.gauss(-3, 9)))
        band = lambda s: "red" if s < 40 else "yellow" if s < 70 else "green"  # noqa: E731
        return "", "", {"model": rng.choice(("adoption", "renewal", "expansion")), "score_from": before,
                        "score_to": after, "band_from": band(before), "band_to": band(after)}
    if kind == "usage.weekly_change":
        previous = rng.randrange(20, 2000)
        change = max(-95.0, round(rng.gauss(-2, 18), 1))
        return "", "", {"metric": rng.choice(("active_users", "active_users", "logins")), "week": day.isoformat(),
                        "previous": previous, "current": round(previous * (1 + change / 100)), "change_pct": change}
    if kind == "survey.responded":
        survey = rng.choice(("nps", "nps", "csat"))
        score = rng.randrange(0, 11) if survey == "nps" else rng.randrange(1, 6)
        band = ("detractor" if score <= 6 else "passive" if score <= 8 else "promoter") if survey == "nps" else (
            "low" if score <= 2 else "")
        return "surveys.response", str(rng.randrange(1, 10**7)), {"survey_kind": survey, "score": score, "band": band}
    if kind == "contact.departed":
        i = rng.randrange(3)
        return "customers.contact", str(3 * (account - 1) + i + 1), {
            "name": f"Contact {account}-{i}", "roles": ROLES[i], "left_on": day.isoformat()}
    if kind in ("account.stage_changed", "account.segment_changed"):
        choices = [s for s, _ in (STAGES if kind == "account.stage_changed" else SEGMENTS)]
        old, new = rng.sample(choices, 2)
        return "customers.account", str(account), {"from": old, "to": new}
    if kind == "touchpoint.missed":
        return "engagement.touchpoint", str(rng.randrange(1, 10**7)), {"name": "Monthly check-in",
                                                                        "due_date": day.isoformat()}
    if kind == "success.commitment_missed.customer":
        return "success.commitment", str(rng.randrange(1, 10**7)), {
            "title": "Share the rollout plan", "side": "customer", "due_on": day.isoformat(), "goal": "Roll out"}
    if kind == "success.metric_behind_pace":
        return "success.goalmetric", str(rng.randrange(1, 10**7)), {
            "goal": "Adoption", "metric": "Weekly active users", "from": "on_track", "to": "behind"}
    return "", "", {"title": f"{kind} at {account}"}


def load_day(n: int, *, seed: int = 6, now: dt.datetime) -> int:
    """The outbox of the 24 hours before ``now``, in order of time; the rules' cursor before it."""
    from paceline.automation.tasks import CURSOR
    from paceline.core import outbox
    from paceline.core.models import ActivityEvent

    outbox.start_at_end(CURSOR)
    rng = random.Random(seed + 1)
    start = now - dt.timedelta(days=1)
    drawn = []
    for kind, share in DAY:
        for account in rng.sample(range(1, n + 1), max(1, round(n * share))):
            drawn.append((start + dt.timedelta(seconds=rng.randrange(0, 86_340)), kind, account))
    drawn.sort()
    first = (ActivityEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    rows = []
    for i, (at, kind, account) in enumerate(drawn):
        subject_type, subject_id, payload = _payload(rng, kind, account, at.date())
        rows.append((first + i, kind, _ts(at), _ts(at), account, subject_type, subject_id, json.dumps(payload)))
    return _insert(ActivityEvent, ("id", "kind", "occurred_at", "created_at", "account_id", "subject_type",
                                   "subject_id", "payload"), rows)
