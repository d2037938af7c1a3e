"""The relationship run by plan: each segment's touchpoint plan applied to every term of the last two
years, kept or missed as the timeline decides, and the help catalogue with the needs CSMs noted.

The rules are the app's own (``engagement.services.touchpoints``), replayed over the history:

1. A plan is applied when a term starts (``plan_apply`` on that day): one touchpoint per step, due
   after the start or before the renewal, none after the renewal.
2. Each logged conversation (never a note) keeps the nearest still-planned touchpoint of its kind
   (or of any kind) whose window holds its day and whose term had started, as
   ``interactions_match`` does when the interaction is logged; its summary is the result.
3. A touchpoint whose window ended before the anchor without one is missed on its last day
   (``touchpoints_check_missed``); one still open when its account churned was cancelled then.

So nothing is drawn here: engaged accounts keep their reviews, and a term heading for churn, whose
touches fade, misses them. Needs: about a third of live accounts have one or two, most of them open
(areas picked by lifecycle stage); older ones of churned accounts were met or left open.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from paceline.customers.models import Interaction, InteractionKind
from paceline.engagement.models import (
    ANY_KIND,
    Need,
    NeedArea,
    NeedStatus,
    OwnerRole,
    Resource,
    Touchpoint,
    TouchpointPlan,
    TouchpointStatus,
    TouchpointStep,
)
from paceline.ops.demo import relationship_catalogue as catalogue
from paceline.ops.demo.bulk import db_date, db_datetime, insert_rows, reset_sequence
from paceline.ops.demo.team import leaders
from paceline.ops.demo.world import AccountPlan, World, historical_timestamps

HISTORY_DAYS = 730  # terms that ended longer ago than this get no touchpoints
CATALOGUE_DAY = -800
MAX_WINDOW = dt.timedelta(days=max(step[4] for plan in catalogue.PLANS for step in plan["steps"]))  # when the CS team wrote its plans and catalogue
TOUCHPOINT_COLUMNS = (
    "account_id", "plan_id", "step_id", "term_start", "source", "name", "kind", "purpose", "expected_result",
    "due_date", "window_days", "owner_id", "status", "interaction_id", "result", "closed_on", "created_at",
    "updated_at",
)


@dataclass
class Planned:
    step: TouchpointStep
    term_start: dt.date
    due: dt.date
    status: str = TouchpointStatus.PLANNED
    interaction: int | None = None
    result: str = ""
    closed_on: dt.date | None = None

    @property
    def window_start(self) -> dt.date:
        return self.due - dt.timedelta(days=self.step.window_days)

    @property
    def window_end(self) -> dt.date:
        return self.due + dt.timedelta(days=self.step.window_days)


def save_plans(world: World) -> dict[str, TouchpointPlan]:
    """The plans and their steps, dated when the team wrote them; by segment."""
    at = world.moment(CATALOGUE_DAY, 10 * 60)
    plans = [TouchpointPlan(name=p["name"], description=p["description"], segment=p["segment"], created_at=at,
                            updated_at=at) for p in catalogue.PLANS]
    with historical_timestamps(TouchpointPlan):
        TouchpointPlan.objects.bulk_create(plans)
    steps = []
    for plan, spec in zip(plans, catalogue.PLANS, strict=True):
        for position, (name, kind, anchor, offset, window, role, purpose, expected) in enumerate(spec["steps"], 1):
            steps.append(TouchpointStep(plan=plan, name=name, kind=kind, anchor=anchor, offset_days=offset,
                                        window_days=window, owner_role=role, purpose=purpose,
                                        expected_result=expected, position=position))
    TouchpointStep.objects.bulk_create(steps)
    by_segment = {}
    for plan in plans:
        plan.ordered_steps = [s for s in steps if s.plan_id == plan.pk]
        by_segment[plan.segment] = plan
    return by_segment


def conversations(account_ids: list[int]) -> dict[int, list[tuple[dt.date, str, int, str]]]:
    """Each account's logged conversations (day, kind, id, summary), oldest first; notes never count."""
    found: dict[int, list] = defaultdict(list)
    rows = (Interaction.objects.filter(account_id__in=account_ids).exclude(kind=InteractionKind.NOTE)
            .order_by("occurred_at", "id").values_list("account_id", "occurred_at", "kind", "id", "summary"))
    for account_id, at, kind, pk, summary in rows.iterator(chunk_size=5000):
        found[account_id].append((timezone.localdate(at), kind, pk, summary))
    return found


def plan_terms(world: World, account: AccountPlan, plan: TouchpointPlan) -> list[Planned]:
    """The plan applied at the start of every term of the last two years."""
    made = []
    for term in account.fate.terms:
        if term.end <= -HISTORY_DAYS:
            continue
        start, renewal = world.date(term.start), world.date(term.end)
        for step in plan.ordered_steps:
            due = step.due_on(start=start, renewal=renewal)
            if due <= renewal:
                made.append(Planned(step, start, due))
    return made


def settle(world: World, account: AccountPlan, planned: list[Planned], talks: list) -> None:
    """Keep, miss or leave open each touchpoint as the app's matching and daily check would have."""
    planned.sort(key=lambda t: t.due)
    dues = [t.due for t in planned]
    for day, kind, pk, summary in talks:
        low = bisect.bisect_left(dues, day - MAX_WINDOW)
        high = bisect.bisect_right(dues, day + MAX_WINDOW)
        candidates = [tp for tp in planned[low:high] if tp.status == TouchpointStatus.PLANNED
                      and tp.step.kind in (ANY_KIND, kind) and tp.term_start <= day
                      and tp.window_start <= day <= tp.window_end]
        if not candidates:
            continue
        tp = min(candidates, key=lambda t: (abs((t.due - day).days), t.step.kind == ANY_KIND, t.step.position))
        tp.interaction, tp.result = pk, summary.strip()
        tp.status = TouchpointStatus.KEPT if tp.result else TouchpointStatus.HELD
        tp.closed_on = day if tp.result else None
    churned_on = world.date(account.fate.ended) if account.fate.churned else None
    for tp in planned:
        if tp.status != TouchpointStatus.PLANNED:
            continue
        if tp.window_end < world.anchor:
            tp.status, tp.closed_on = TouchpointStatus.MISSED, tp.window_end
        elif churned_on is not None:
            tp.status, tp.closed_on = TouchpointStatus.CANCELLED, churned_on


def touchpoint_rows(world: World, account: AccountPlan, plan: TouchpointPlan, planned: list[Planned]):
    leader = world.users[leaders()[0]]
    owner = world.user_for(account) or leader
    for tp in planned:
        who = leader if tp.step.owner_role == OwnerRole.LEADER else owner
        applied = db_datetime(dt.datetime.combine(tp.term_start, dt.time(5, 15), dt.UTC))
        closed = tp.closed_on or (tp.term_start if tp.status == TouchpointStatus.PLANNED else tp.due)
        updated = db_datetime(dt.datetime.combine(max(closed, tp.term_start), dt.time(17), dt.UTC))
        step = tp.step
        yield (account.obj.pk, plan.pk, step.pk, db_date(tp.term_start), "plan", step.name, step.kind, step.purpose,
               step.expected_result, db_date(tp.due), step.window_days, who.pk, tp.status, tp.interaction,
               tp.result, db_date(tp.closed_on), applied, updated)


def save_catalogue(world: World) -> dict[str, NeedArea]:
    areas = NeedArea.objects.bulk_create([NeedArea(key=k, name=n, description=d) for k, n, d in catalogue.NEED_AREAS])
    by_key = {a.key: a for a in areas}
    at = world.moment(CATALOGUE_DAY, 11 * 60)
    resources = [Resource(title=title, kind=kind, url=url, description=text, stages=list(stages),
                          segments=list(segments), created_at=at, updated_at=at)
                 for title, kind, url, _areas, stages, segments, text in catalogue.RESOURCES]
    with historical_timestamps(Resource):
        Resource.objects.bulk_create(resources)
    links = [Resource.areas.through(resource_id=r.pk, needarea_id=by_key[key].pk)
             for r, spec in zip(resources, catalogue.RESOURCES, strict=True) for key in spec[3]]
    Resource.areas.through.objects.bulk_create(links)
    world.counts["resources"] = len(resources)
    return by_key


def save_needs(world: World, areas: dict[str, NeedArea]) -> int:
    """One or two needs on about a third of the accounts: open lately, met or left open before."""
    needs = []
    for account in world.accounts:
        rng = world.rng("needs", account.index)
        if rng.random() >= 0.33:
            continue
        end = min(-1, account.fate.ended - 1)
        choices = catalogue.NEEDS_BY_STAGE[account.obj.lifecycle_stage]
        for key in rng.sample(choices, rng.randint(1, 2)):
            opened = max(account.fate.start + 5, end - rng.randint(3, 160))
            if opened > end:
                continue
            met = opened + rng.randint(7, 60) if rng.random() < 0.35 else None
            met = met if met is not None and met <= end else None
            active = account.active_contacts(opened)
            at = world.moment(opened, 14 * 60)
            needs.append(Need(
                account=account.obj, area=areas[key], contact=rng.choice(active).obj if active else None,
                note=rng.choice(catalogue.NEED_NOTES[key]), status=NeedStatus.MET if met else NeedStatus.OPEN,
                opened_on=world.date(opened), met_on=world.date(met) if met else None, created_at=at,
                updated_at=world.moment(met, 14 * 60) if met else at,
            ))
    with historical_timestamps(Need):
        Need.objects.bulk_create(needs, batch_size=2000)
    return len(needs)


def run(world: World, progress) -> int:
    progress.total(len(world.accounts))
    plans = save_plans(world)
    talks = world.conversations = conversations([a.obj.pk for a in world.accounts])
    rows = []
    for account in world.accounts:
        plan = plans[account.segment]
        planned = plan_terms(world, account, plan)
        settle(world, account, planned, talks.get(account.obj.pk, []))
        rows.extend(touchpoint_rows(world, account, plan, planned))
        progress.advance()
    count = insert_rows(Touchpoint, TOUCHPOINT_COLUMNS, rows)
    reset_sequence(Touchpoint)
    world.counts["touchpoint_plans"] = len(plans)
    world.counts["needs"] = save_needs(world, save_catalogue(world))
    return count
