"""Rules, playbooks and a notification channel for the demo company, with nine months of their firings.

The history is made by the real engine: for each rule, the causes the demo's data holds (champions
and sponsors who left, NPS detractors, customer commitments missed, touchpoints missed, silences of
45 days, renewals 120 and 30 days out) become the candidates its trigger would have named, handed
to ``engine.fire`` on the day they happened. So every firing carries the trigger's *why* and what
its actions did, and the tasks, escalations and playbook runs are the services' own. Afterwards:

- everything the services stamped with the load's clock is moved to the firing's moment;
- touchpoints made by playbooks are kept or missed by the timeline, as plan touchpoints are;
- tasks due more than a week ago were mostly done (less often on accounts under pressure), and a
  run whose items are all closed is completed; e-mails sent then were delivered;
- the services' audit entries are dropped (the load keeps one entry for everything it generated);
- the outbox readers of rules and touchpoints start after the demo, so a worker does not replay it.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from django.db import connection
from django.utils import timezone

from paceline.automation import conditions, engine, triggers
from paceline.automation.models import (
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Escalation,
    Firing,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    Rule,
    RunStatus,
)
from paceline.automation.services import rule_create
from paceline.automation.tasks import CURSOR as RULES_CURSOR
from paceline.core import outbox
from paceline.core.models import ActivityEvent, AuditEntry
from paceline.core.services import Actor
from paceline.customers.models import (
    Account,
    ContactRole,
    Interaction,
    Subscription,
    Task,
    TaskStatus,
)
from paceline.engagement.models import ANY_KIND, Touchpoint, TouchpointStatus
from paceline.engagement.tasks import CURSOR as TOUCHPOINTS_CURSOR
from paceline.ops.demo import automation_defaults as defaults
from paceline.ops.demo.bulk import db_datetime
from paceline.ops.demo.relationship import conversations
from paceline.ops.demo.team import leaders
from paceline.ops.demo.world import World
from paceline.success.models import ActionItem, Side
from paceline.surveys.models import Response, SurveyKind

# Days of firings kept per kind of cause: longer for the rare ones, shorter for those that fire
# often (the history is made by the real services, which cost a few milliseconds a firing).
HISTORY = {"departures": 180, "detractors": 90, "commitments": 120, "silences": 180, "renewals": 150,
           "touchpoints": 30}
SETUP_DAY = -300  # when the rules were written
KEY_ROLES = {ContactRole.CHAMPION, ContactRole.EXECUTIVE_SPONSOR}


def save_setup(world: World) -> dict[str, object]:
    leader = world.users[leaders()[0]]
    Channel.objects.create(**defaults.CHANNEL)
    for name, description, steps in defaults.PLAYBOOKS:
        playbook = Playbook.objects.create(name=name, description=description)
        PlaybookStep.objects.bulk_create([
            PlaybookStep(playbook=playbook, kind=kind, title=title, description=text, due_in_days=due,
                         owner_role=role, priority=priority, touchpoint_kind=tp_kind, position=position)
            for position, (kind, title, text, due, role, priority, tp_kind) in enumerate(steps, 1)])
    actor = Actor(user=leader, via="cli")
    rules = {spec["name"]: rule_create(actor=actor, **spec) for spec in defaults.RULES}
    written = world.moment(SETUP_DAY, 10 * 60)
    Rule.objects.filter(pk__in=[r.pk for r in rules.values()]).update(created_at=written, updated_at=written)
    return rules


class Clock:
    """Maps the load's wall clock back to the story: each firing call gets its historical moment."""

    def __init__(self):
        self.walls: list[dt.datetime] = []
        self.moments: list[dt.datetime] = []

    def at(self, moment: dt.datetime) -> None:
        self.walls.append(timezone.now())
        self.moments.append(moment)

    def story(self, wall: dt.datetime) -> dt.datetime:
        i = max(0, bisect.bisect_right(self.walls, wall) - 1)
        return self.moments[i] + (wall - self.walls[i])

    def retime(self, model, stamp: str, columns: tuple[str, ...]) -> list[int]:
        """Move the rows this step wrote (``stamp`` at or after the first firing) to the story's time."""
        rows = list(model.objects.filter(**{f"{stamp}__gte": self.walls[0]}).values_list("pk", stamp))
        table = connection.ops.quote_name(model._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
        values = [(*[db_datetime(self.story(wall))] * len(columns), pk) for pk, wall in rows]
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", values)  # noqa: S608
        return [pk for pk, _ in rows]


def _event(kind: str, account_id: int, subject_id: int, at: dt.datetime, payload: dict) -> ActivityEvent:
    return ActivityEvent(kind=kind, account_id=account_id, subject_id=str(subject_id), occurred_at=at, payload=payload)


def departures(world: World) -> list[tuple[dt.datetime, ActivityEvent]]:
    found = []
    for account in world.accounts:
        for c in account.contacts:
            if c.left is not None and -HISTORY["departures"] <= c.left < 0 and KEY_ROLES & set(c.roles):
                at = world.moment(c.left, 12 * 60)
                found.append((at, _event("contact.departed", account.obj.pk, c.obj.pk, at, {
                    "name": c.name, "roles": c.roles, "key_roles": sorted(KEY_ROLES & set(c.roles)),
                    "left_on": world.date(c.left).isoformat()})))
    return found


def detractors(world: World) -> list[tuple[dt.datetime, ActivityEvent]]:
    rows = Response.objects.filter(survey__kind=SurveyKind.NPS, score__lte=6, submitted_at__isnull=False,
                                   submitted_at__gte=world.moment(-HISTORY["detractors"], 0)).values_list(
        "pk", "account_id", "submitted_at", "score")
    return [(at, _event("survey.responded", account_id, pk, at, {
        "survey_kind": SurveyKind.NPS, "score": score, "band": "detractor"})) for pk, account_id, at, score in rows]


def commitments(world: World) -> list[tuple[dt.datetime, ActivityEvent]]:
    since = world.date(-HISTORY["commitments"])
    rows = ActionItem.objects.filter(side=Side.CUSTOMER, missed_on__gte=since).values_list(
        "pk", "goal__plan__account_id", "title", "due_on", "goal__title")
    found = []
    for pk, account_id, title, due, goal in rows:
        at = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(12), dt.UTC)
        found.append((at, _event("success.commitment_missed.customer", account_id, pk, at, {
            "title": title, "side": Side.CUSTOMER, "due_on": due.isoformat(), "goal": goal})))
    return found


def missed_touchpoints(world: World) -> list[tuple[dt.datetime, ActivityEvent]]:
    since = world.date(-HISTORY["touchpoints"])
    rows = Touchpoint.objects.filter(status=TouchpointStatus.MISSED, closed_on__gte=since,
                                     closed_on__lt=world.date(-1)).values_list(
        "pk", "account_id", "name", "due_date", "closed_on", "kind")
    return [(dt.datetime.combine(on, dt.time(12), dt.UTC), _event("touchpoint.missed", account_id, pk,
             dt.datetime.combine(on, dt.time(12), dt.UTC), {"name": name, "due_date": due.isoformat(), "kind": kind}))
            for pk, account_id, name, due, on, kind in rows]


def silences(world: World, talks: dict[int, list], days: int) -> list[tuple[dt.datetime, triggers.Candidate]]:
    """The daily scan's candidates: the first morning each account had been quiet for ``days``."""
    found = []
    for account in world.accounts:
        dates = [day for day, *_ in talks.get(account.obj.pk, [])]
        end = world.date(min(0, account.fate.ended))
        for last, following in zip(dates, [*dates[1:], world.anchor], strict=True):
            fires = last + dt.timedelta(days=days + 1)
            if fires < following and world.date(-HISTORY["silences"]) <= fires < end:
                found.append((dt.datetime.combine(fires, dt.time(6), dt.UTC), triggers.Candidate(
                    account.obj.pk, f"silent-since:{last.isoformat()}",
                    {"last_conversation": last.isoformat(), "days_quiet": days + 1})))
    return found


def renewals(world: World, days: int) -> list[tuple[dt.datetime, triggers.Candidate]]:
    """The daily scan's candidates: each renewal, the morning it came within ``days``."""
    arr: dict[tuple[int, dt.date], object] = defaultdict(int)
    for account_id, end, value in Subscription.objects.values_list("account_id", "end_date", "arr"):
        arr[(account_id, end)] += value
    found = []
    for account in world.accounts:
        for term in account.fate.terms:
            day = term.end - days
            if -HISTORY["renewals"] <= day < 0 and day < (account.fate.ended if account.fate.churned else 1):
                renewal = world.date(term.end)
                found.append((world.moment(day, 6 * 60), triggers.Candidate(account.obj.pk, f"renewal:{renewal}", {
                    "renewal_date": renewal.isoformat(), "days_to_renewal": days,
                    "arr": f"{arr[(account.obj.pk, renewal)]:.2f}"})))
    return found


def fire_history(rule, found: list, clock: Clock, *, delay: dt.timedelta, accounts: dict[int, dict]) -> int:
    """Hand each day's candidates to the engine, at the moment the worker would have."""
    trigger = triggers.TRIGGERS[rule.trigger]
    by_moment: dict[dt.datetime, list[triggers.Candidate]] = defaultdict(list)
    for at, item in sorted(found, key=lambda pair: (pair[0], getattr(pair[1], "pk", 0) or 0)):
        candidate = trigger.match(item, rule.trigger_params) if isinstance(item, ActivityEvent) else item
        if candidate is not None:
            by_moment[at + delay].append(candidate)
    fired = 0
    for now in sorted(by_moment):
        clock.at(now)
        fired += engine.fire(rule, by_moment[now], now=now, today=now.date(), accounts=accounts).fired
    return fired


def settle_playbook_touchpoints(world: World, ids: list[int]) -> None:
    """Keep or miss the touchpoints playbooks made, by the timeline, as the app's matching would."""
    touchpoints = list(Touchpoint.objects.filter(pk__in=ids, status=TouchpointStatus.PLANNED).order_by("due_date", "pk"))
    if not touchpoints:
        return
    linked = set(Touchpoint.objects.exclude(interaction=None).values_list("interaction_id", flat=True))
    talks = conversations(sorted({tp.account_id for tp in touchpoints}))
    for tp in touchpoints:
        made = timezone.localdate(tp.created_at)
        for day, kind, pk, summary in talks.get(tp.account_id, []):
            if pk in linked or tp.kind not in (ANY_KIND, kind):
                continue
            if max(made, tp.window_start) <= day <= tp.window_end and summary.strip():
                tp.status, tp.interaction_id, tp.result, tp.closed_on = TouchpointStatus.KEPT, pk, summary.strip(), day
                linked.add(pk)
                break
        else:
            if tp.window_end < world.anchor:
                tp.status, tp.closed_on = TouchpointStatus.MISSED, tp.window_end
    Touchpoint.objects.bulk_update(touchpoints, ["status", "interaction", "result", "closed_on"], batch_size=1000)


def close_tasks(world: World, ids: list[int]) -> int:
    """Tasks due more than a week ago were mostly done, a little late under pressure."""
    by_pk = {a.obj.pk: a for a in world.accounts}
    tasks = list(Task.objects.filter(pk__in=ids, status=TaskStatus.OPEN).order_by("pk"))
    done = []
    for task in tasks:
        account = by_pk[task.account_id]
        offset = (task.due_date - world.anchor).days
        if offset >= -7:
            continue
        rng = world.rng("automation-tasks", account.index, offset, task.title)
        pressure = account.fate.term_at(offset).pressure(offset)
        if rng.random() < 0.9 - 0.45 * pressure:
            created = (timezone.localdate(task.created_at) - world.anchor).days
            day = min(-1, max(created, offset + rng.randint(-4, 3 + round(6 * pressure))))
            task.status, task.completed_at = TaskStatus.DONE, world.moment(day, rng.randint(9 * 60, 18 * 60))
            task.updated_at = task.completed_at
            done.append(task)
    Task.objects.bulk_update(done, ["status", "completed_at", "updated_at"], batch_size=1000)
    return len(done)


def complete_runs(run_ids: list[int]) -> int:
    """A run whose every task and touchpoint is closed was completed on the day the last one closed."""
    runs = PlaybookRun.objects.filter(pk__in=run_ids).prefetch_related("items__task", "items__touchpoint")
    completed = []
    for run in runs:
        closed = []
        for item in run.items.all():
            if item.task is not None and item.task.status != TaskStatus.OPEN:
                closed.append(timezone.localdate(item.task.completed_at or item.task.updated_at))
            elif item.touchpoint is not None and not item.touchpoint.is_open:
                closed.append(item.touchpoint.closed_on)
            else:
                break
        else:
            run.status, run.completed_on = RunStatus.COMPLETED, max(closed)
            completed.append(run)
    PlaybookRun.objects.bulk_update(completed, ["status", "completed_on"], batch_size=1000)
    return len(completed)


def deliver() -> None:
    """The e-mails the rules sent then went out a few seconds after their firing."""
    deliveries = list(Delivery.objects.filter(status=DeliveryStatus.PENDING, firing__isnull=False))
    for d in deliveries:
        d.status, d.attempts = DeliveryStatus.DELIVERED, 1
        d.delivered_at = d.created_at + dt.timedelta(seconds=2)
    Delivery.objects.bulk_update(deliveries, ["status", "attempts", "delivered_at"], batch_size=1000)
    attempts = DeliveryAttempt.objects.bulk_create([DeliveryAttempt(delivery=d, duration_ms=180) for d in deliveries])
    for a, d in zip(attempts, deliveries, strict=True):
        a.at = d.delivered_at
    DeliveryAttempt.objects.bulk_update(attempts, ["at"], batch_size=1000)


def retime_all(clock: Clock) -> dict[str, list[int]]:
    made = {
        "tasks": clock.retime(Task, "created_at", ("created_at", "updated_at")),
        "touchpoints": clock.retime(Touchpoint, "created_at", ("created_at", "updated_at")),
        "runs": clock.retime(PlaybookRun, "created_at", ("created_at", "updated_at")),
    }
    clock.retime(Interaction, "created_at", ("occurred_at", "created_at", "updated_at"))
    clock.retime(Escalation, "created_at", ("created_at",))
    clock.retime(Delivery, "created_at", ("created_at", "next_attempt_at"))
    clock.retime(ActivityEvent, "created_at", ("occurred_at", "created_at"))
    return made


def run(world: World, progress) -> int:
    audited = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rules = save_setup(world)
    talks = world.conversations or conversations([a.obj.pk for a in world.accounts])
    minute, morning = dt.timedelta(minutes=1), dt.timedelta(0)
    history = (
        ("Champion or sponsor left: escalate and re-anchor", departures(world), minute),
        ("NPS detractor: close the loop", detractors(world), minute),
        ("Customer commitment missed: escalate", commitments(world), minute),
        ("Quiet for 45 days: escalate", silences(world, talks, 45), morning),
        ("Renewal in 120 days: prepare", renewals(world, 120), morning),
        ("Renewal in 30 days: tell the leaders", renewals(world, 30), morning),
    )
    progress.total(len(history) + 1)
    # One read of the fields conditions look at, shared by every call.
    accounts = {row["pk"]: row for row in Account.objects.values(*conditions.ACCOUNT_VALUES)}
    clock = Clock()
    fired = 0
    for name, found, delay in history:
        fired += fire_history(rules[name], found, clock, delay=delay, accounts=accounts)
        progress.advance()
    made = retime_all(clock)
    settle_playbook_touchpoints(world, made["touchpoints"])
    # Missed touchpoints (the plans' and the playbooks') fire the next morning, after the daily check.
    clock = Clock()
    fired += fire_history(rules["Touchpoint missed: reschedule"], missed_touchpoints(world), clock,
                          delay=dt.timedelta(hours=17, minutes=16), accounts=accounts)
    progress.advance()
    more = retime_all(clock)
    close_tasks(world, made["tasks"] + more["tasks"])
    world.counts["playbook_runs_completed"] = complete_runs(made["runs"])
    deliver()
    # The load keeps one audit entry for all it generated; the services' own entries go.
    AuditEntry.objects.filter(id__gt=audited).delete()
    for name in (RULES_CURSOR, TOUCHPOINTS_CURSOR):
        outbox.start_at_end(name)
    world.counts["rules"] = len(rules)
    world.counts["escalations"] = Escalation.objects.count()
    return Firing.objects.count()
