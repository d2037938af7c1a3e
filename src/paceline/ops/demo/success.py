"""Success plans for the demo company: goals with numbers, laps, measurements and commitments on
both sides, whose history follows each account's fate (``fate.py``).

The rules, on top of the hidden rules in ``paceline.ops.demo``:

1. Who has a plan: 88% of the accounts whose destiny is not churn, 70% of the others. Three in
   four get "Onboarding to first value" at their kickoff; most get a plan for the current term (a
   churned account: its last), and some one for the term before, closed at that renewal. A third
   of the mid-market and enterprise plans come from "Procurement process rollout"; the others are
   built from ``goals.IDEAS`` for the segment.
2. Agreement: a goal is agreed by a contact of the account (the champion, else the decision
   maker) with probability 0.55 + 0.45 e; the others stay proposed, which is a churn story too.
3. Progress: a measurement every two weeks (enterprise) or month. The share of the way to the
   target grows each day by m (1 - 0.9 p) ramp / span, m ~ N(0.62 + 0.9 e, 0.15), ramp rising
   from 0.75 to 1.25 over the span, plus noise: engaged accounts hit, churners plateau.
4. Staleness: a churn-bound term's plan goes stale 100-150 days before the decision (a
   contraction's, two times in five, 60-120 days before): no review, no measurement after it,
   customer commitments mostly missed, goals past their date left open until the plan is closed.
5. Commitments: ours are kept with probability 0.72 + 0.25 e - 0.25 p, the customer's with
   0.1 + 0.8 e - 0.6 p; the rest are late or missed. ``missed_on`` is the day after the due
   date, as the daily check would have set it.
6. Renegotiation: halfway, a goal well behind its pace is renegotiated half of the time (more
   time when the account is engaged, a lower target when not); a training goal's team sometimes
   doubles and the percentage halves, the same people making the same success. One account always
   carries the seed's example: 50% of a team of 100 becomes 25% of 200.
7. Closing: a hit goal is closed within a week and celebrated on the timeline; one past its date
   is closed as missed while someone still looks; a closed plan retires what is left open.

Rows go in by bulk insert, with no audit entry or event per row (like the rest of the demo).
Every metric is paced as of the anchor by ``success.services.metric_pace`` on the rows it is
about to write, so the stored statuses are those the daily job would store.
"""

from __future__ import annotations

import random
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError

from paceline.customers.models import Interaction, RenewalKind, Segment
from paceline.ops.demo import goals as library
from paceline.ops.demo.bulk import db_date, db_datetime, insert_rows, reserve_ids, reset_sequence
from paceline.ops.demo.success_story import (
    Change,
    Frame,
    GoalDraft,
    MetricDraft,
    PlanDraft,
    Story,
    contact,
)
from paceline.ops.demo.world import AccountPlan, World, business_day, historical_timestamps
from paceline.success import pacing
from paceline.success.models import (
    ActionItem,
    Checkpoint,
    Goal,
    GoalStatus,
    Measurement,
    MetricChange,
    PlanStatus,
    PlanTemplate,
    Side,
    SuccessMetric,
    SuccessPlan,
)
from paceline.success.plan_templates import validate_structure
from paceline.success.services import metric_pace

ONBOARDING = "Onboarding to first value"
PROCUREMENT = "Procurement process rollout"
NOTES = (
    (0.6, "Sponsor is engaged and asks for the numbers before we send them. Reference candidate."),
    (0.4, "Good working relationship; the champion carries the plan."),
    (0.0, "Hard to get time with the sponsor; reviews keep moving."),
)


Templates = dict[str, tuple[PlanTemplate, list[dict]]]


# Which plans, when ---------------------------------------------------------------------------------


def _closing(day: int | None, account: AccountPlan) -> int | None:
    fate = account.fate
    last = min(-1, fate.ended - 1)
    if day is not None and day <= last:
        return day
    return last if fate.churned else None


def plan_frames(world: World, account: AccountPlan, templates: Templates) -> list[Frame]:
    rng = world.rng("success", account.index)
    fate = account.fate
    if rng.random() >= (0.7 if fate.current.outcome == RenewalKind.CHURNED else 0.88):
        return []
    frames = []
    kickoff = business_day(fate.start + 3, world.anchor)
    onboarding = rng.random() < 0.75 and ONBOARDING in templates and kickoff <= -14
    if onboarding:
        frames.append(Frame("onboarding", fate.terms[0], kickoff, _closing(kickoff + 150, account)))
    for term in fate.terms[-2:]:
        if term is not fate.current and rng.random() >= 0.6:
            continue
        start = term.start + rng.randint(5, 30)
        if onboarding and term.index == 0:
            start = max(start, kickoff + 90)
        start = business_day(start, world.anchor)
        kind = "procurement" if account.segment != Segment.SMB and PROCUREMENT in templates and rng.random() < 0.35 else "custom"
        if start > -14 or start >= fate.ended - 1:
            continue
        end = _closing(term.decided + rng.randint(0, 10) if term.closed else None, account)
        frames.append(Frame(kind, term, start, end))
    return frames


def choose_showcase(world: World, frames: dict[int, list[Frame]]) -> None:
    """Mark the one plan that carries the seed's renegotiation: a hand-built plan of an open term,
    started about nine months ago, at a mid-market or enterprise account that will renew."""
    candidates = []
    for account in world.accounts:
        for frame in frames.get(account.index, []):
            if frame.kind != "onboarding" and frame.end is None:
                candidates.append((account.segment == Segment.SMB,
                                   frame.term.outcome not in (RenewalKind.RENEWED, RenewalKind.EXPANDED),
                                   abs(-frame.start - 280), account.index, frame))
    if candidates:
        chosen = min(candidates, key=lambda c: c[:4])[-1]
        chosen.kind, chosen.showcase = "custom", True


def build_plan(world: World, account: AccountPlan, frame: Frame, rng: random.Random, templates: Templates) -> PlanDraft:
    story = Story(world, account, frame, rng)
    template = {"onboarding": ONBOARDING, "procurement": PROCUREMENT}.get(frame.kind)
    if template:
        specs = [library.from_template(rng, account, goal) for goal in templates[template][1]]
    else:
        ideas = library.pick_ideas(rng, account)
        if frame.showcase:
            ideas = [idea for idea in ideas if idea is not library.TRAINING][:2]
        subgoal_odds = {Segment.ENTERPRISE: 0.6, Segment.MID_MARKET: 0.3}.get(account.segment, 0.0)
        specs = [library.from_idea(rng, account, idea, subgoal_odds=subgoal_odds) for idea in ideas]
        if frame.showcase:
            specs.insert(0, library.showcase_training())
    drafts = story.build(specs)
    if template:
        title, summary = template, templates[template][0].description
    else:
        title = f"Year {frame.term.index + 1} success plan"
        wants = [spec.wants for spec in specs if spec.wants]
        said = ", ".join(wants[:-1]) + (" and " if len(wants) > 1 else "") + wants[-1]
        summary = f"For {account.name}, success this year means {said}."
    note = next(text for floor, text in NOTES if frame.term.engagement >= floor)
    if story.stale is not None and story.stale < min(-1, frame.end if frame.end is not None else -1):
        note += " Nobody on their side has looked at the plan for months."
    return PlanDraft(frame, title, summary, note, story.reviewed(), contact(account, "champion", frame.start),
                     drafts, template)


# Writing -----------------------------------------------------------------------------------------

def installed_templates() -> Templates:
    """The two default templates as installed by migration (an edited one that no longer lays out
    is left out, and its plans are built by hand)."""
    found: Templates = {}
    for template in PlanTemplate.objects.filter(name__in=(ONBOARDING, PROCUREMENT), is_active=True):
        try:
            found[template.name] = (template, validate_structure(template.structure))
        except ValidationError:
            continue
    return found


def _paced(world: World, metric: SuccessMetric, draft: MetricDraft) -> None:
    """Store the pace the service would compute from the rows about to be written."""
    date = world.date
    points = [SimpleNamespace(measured_on=date(d), value=v) for d, v, _ in draft.points]
    laps = [SimpleNamespace(due_on=date(d), target=v) for d, v, _ in draft.laps]
    pace = metric_pace(metric, world.anchor, measurements=points, checkpoints=laps)
    metric.pace_status, metric.pace_reason, metric.evaluated_on = pace.status, pace.rule[:400], world.anchor


class Writer:
    """Turns the drafts into rows: bulk creates in dependency order, bulk inserts for the volume."""

    def __init__(self, world: World, templates: Templates):
        self.world, self.templates = world, templates
        self.plans: list[SuccessPlan] = []
        self.goals: list[tuple[GoalDraft, AccountPlan, SuccessPlan]] = []
        self.metrics: list[tuple[MetricDraft, SuccessMetric]] = []
        self.laps: list[Checkpoint] = []
        self.changes: list[MetricChange] = []
        self.actions: list[ActionItem] = []

    def owner(self, account: AccountPlan):
        return self.world.users.get(account.owner or "jonas")

    def goal(self, account: AccountPlan, plan: SuccessPlan, draft: GoalDraft, parent: Goal | None) -> Goal:
        world, owner = self.world, self.owner(account)
        changed = max(d for d in (draft.start, draft.agreed_on, draft.closed_on) if d is not None)
        metrics = []
        for m in draft.metrics:
            shape = m.spec.shape
            metric = SuccessMetric(
                name=shape.name, unit=shape.unit, currency=shape.currency, direction=shape.direction,
                baseline=shape.baseline, baseline_date=world.date(m.start), target=m.target,
                target_date=world.date(m.target_day), denominator=m.denominator,
                created_at=world.moment(m.start, 10 * 60),
                updated_at=world.moment(max([m.start, *(c.day for c in m.changes)]), 10 * 60),
            )
            _paced(world, metric, m)
            metrics.append(metric)
            self.metrics.append((m, metric))
        goal = Goal(
            plan=plan, parent=parent, title=draft.title, description=draft.description, status=draft.status,
            target_date=world.date(draft.target_day), position=draft.position,
            agreed_by_contact=draft.agreed_by.obj if draft.agreed_by else None,
            agreed_by_user=owner if draft.agreed_on is not None else None,
            agreed_on=world.date(draft.agreed_on) if draft.agreed_on is not None else None,
            closed_on=world.date(draft.closed_on) if draft.closed_on is not None else None,
            close_reason=draft.close_reason, pace_status=pacing.worst([m.pace_status for m in metrics]),
            created_at=world.moment(draft.start, 10 * 60), updated_at=world.moment(changed, 16 * 60),
        )
        draft.obj = goal
        for metric in metrics:
            metric.goal = goal
        for a in draft.actions:
            touched = max(d for d in (a.created, a.done, a.missed if a.missed is not None and a.missed <= -1 else None)
                          if d is not None)
            self.actions.append(ActionItem(
                goal=goal, title=a.title, side=a.side, owner_user=owner if a.side == Side.VENDOR else None,
                owner_contact=a.owner.obj if a.owner else None, due_on=world.date(a.due), status=a.status,
                done_on=world.date(a.done) if a.done is not None else None,
                missed_on=world.date(a.missed) if a.missed is not None else None,
                created_at=world.moment(a.created, 10 * 60), updated_at=world.moment(touched, 17 * 60),
            ))
        self.goals.append((draft, account, plan))
        return goal

    def add(self, account: AccountPlan, draft: PlanDraft) -> None:
        world, frame = self.world, draft.frame
        last = max(d for d in (frame.start, draft.reviewed, frame.end) if d is not None)
        plan = SuccessPlan(
            account=account.obj, title=draft.title, summary=draft.summary, internal_notes=draft.internal_notes,
            status=PlanStatus.CLOSED if frame.end is not None else PlanStatus.ACTIVE, owner=self.owner(account),
            customer_owner=draft.customer_owner.obj,
            template=self.templates[draft.template][0] if draft.template else None,
            reviewed_on=world.date(draft.reviewed) if draft.reviewed is not None else None,
            created_at=world.moment(frame.start, 9 * 60), updated_at=world.moment(last, 17 * 60),
        )
        self.plans.append(plan)
        for goal in draft.goals:
            self.goal(account, plan, goal, None)

    def save(self) -> dict[str, int]:
        world = self.world
        with historical_timestamps(SuccessPlan, Goal, SuccessMetric, ActionItem, MetricChange):
            SuccessPlan.objects.bulk_create(self.plans, batch_size=1000)
            tops = [(d, a, p) for d, a, p in self.goals if d.obj.parent is None]
            Goal.objects.bulk_create([d.obj for d, _, _ in tops], batch_size=1000)
            for draft, account, plan in tops:
                for child in draft.children:
                    self.goal(account, plan, child, draft.obj)
            Goal.objects.bulk_create([d.obj for d, _, _ in self.goals if d.obj.parent is not None], batch_size=1000)
            SuccessMetric.objects.bulk_create([m for _, m in self.metrics], batch_size=1000)
            for draft, metric in self.metrics:
                self.laps += [Checkpoint(metric=metric, due_on=world.date(d), target=v, label=label)
                              for d, v, label in draft.laps]
                self.changes += [self._change(draft, metric, change) for change in draft.changes]
            Checkpoint.objects.bulk_create(self.laps, batch_size=2000)
            MetricChange.objects.bulk_create(self.changes, batch_size=1000)
            ActionItem.objects.bulk_create(self.actions, batch_size=2000)
        measurements = insert_rows(Measurement, MEASUREMENT_COLUMNS, self._measurements())
        celebrations = self._celebrate()
        return {"goals": len(self.goals), "success_metrics": len(self.metrics), "measurements": measurements,
                "commitments": len(self.actions), "goals_celebrated": celebrations}

    def _change(self, draft: MetricDraft, metric: SuccessMetric, change: Change) -> MetricChange:
        world = self.world
        held = pacing.equivalence(
            unit=metric.unit, old_target=float(change.old_target),
            old_denominator=float(change.old_denominator) if change.old_denominator is not None else None,
            new_target=float(change.new_target),
            new_denominator=float(change.new_denominator) if change.new_denominator is not None else None,
        )
        return MetricChange(
            metric=metric, changed_on=world.date(change.day), old_target=change.old_target,
            new_target=change.new_target, old_target_date=world.date(change.old_day),
            new_target_date=world.date(change.new_day), old_denominator=change.old_denominator,
            new_denominator=change.new_denominator,
            old_absolute=Decimal(str(round(held.old_absolute, 4))) if held.old_absolute is not None else None,
            new_absolute=Decimal(str(round(held.new_absolute, 4))) if held.new_absolute is not None else None,
            reason=change.reason, equivalence=change.equivalence, agreed_by_contact=change.contact.obj,
            agreed_by_user=metric.goal.agreed_by_user, created_at=world.moment(change.day, 15 * 60),
        )

    def _measurements(self):
        world = self.world
        for draft, metric in self.metrics:
            by = None if draft.source == "api" else metric.goal.agreed_by_user_id
            for day, value, note in draft.points:
                yield (metric.pk, db_date(world.date(day)), value, draft.source, note, by,
                       db_datetime(world.moment(day, 16 * 60)))

    def _celebrate(self) -> int:
        """A hit goal on the account's timeline, worded as ``services.goal_close`` words it."""
        world = self.world
        first = next_id = reserve_ids(Interaction)
        rows, people = [], []
        for draft, account, plan in self.goals:
            if draft.status != GoalStatus.HIT:
                continue
            at = db_datetime(world.moment(draft.closed_on, 12 * 60))
            summary = (f"{account.name} hit the goal \u201c{draft.title}\u201d of the plan \u201c{plan.title}\u201d."
                       " Time to set the next one.")
            owner = draft.obj.agreed_by_user
            rows.append((next_id, account.obj.pk, "event", at, f"Goal hit: {draft.title}"[:300], summary, "positive",
                         owner.pk if owner else None, at, at))
            if draft.agreed_by is not None:
                people.append((next_id, draft.agreed_by.obj.pk))
            next_id += 1
        insert_rows(Interaction, INTERACTION_COLUMNS, rows)
        insert_rows(Interaction.contacts.through, ("interaction_id", "contact_id"), people)
        reset_sequence(Interaction)
        return next_id - first


MEASUREMENT_COLUMNS = ("metric_id", "measured_on", "value", "source", "note", "recorded_by_id", "recorded_at")
INTERACTION_COLUMNS = (
    "id", "account_id", "kind", "occurred_at", "subject", "summary", "sentiment", "created_by_id",
    "created_at", "updated_at",
)


def run(world: World, progress) -> int:
    templates = installed_templates()
    progress.total(len(world.accounts))
    frames = {account.index: plan_frames(world, account, templates) for account in world.accounts}
    choose_showcase(world, frames)
    writer = Writer(world, templates)
    for account in world.accounts:
        rng = world.rng("success-plans", account.index)
        for frame in frames[account.index]:
            writer.add(account, build_plan(world, account, frame, rng, templates))
        progress.advance()
    world.counts.update(writer.save())
    # The celebrations are timeline entries too; the demo only loads into a book without accounts.
    world.counts["interactions"] = Interaction.objects.count()
    return len(writer.plans)
