"""How one success plan unfolds: its goals agreed or not, measurements day by day, renegotiations,
hits and misses, commitments kept or missed, reviews. The rules are in ``success.py``'s docstring.

Everything here is in day offsets from the anchor and plain objects (drafts); ``success.py``
turns the drafts into rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from paceline.customers.models import ContactRole, RenewalKind, Segment, Tier
from paceline.ops.demo import goals as library
from paceline.ops.demo.fate import Term
from paceline.ops.demo.goals import GoalSpec, MetricSpec
from paceline.ops.demo.world import AccountPlan, ContactPlan, World, business_day
from paceline.success import pacing
from paceline.success.models import ActionStatus, Goal, GoalStatus, Side

WHO = {"champion": ContactRole.CHAMPION, "admin": ContactRole.ADMIN, "sponsor": ContactRole.EXECUTIVE_SPONSOR}


@dataclass
class Frame:
    """One plan's place in the account's story."""

    kind: str  # onboarding, procurement or custom
    term: Term
    start: int
    end: int | None  # the day it was closed; None while active
    showcase: bool = False


@dataclass
class Change:
    day: int
    old_target: Decimal
    new_target: Decimal
    old_day: int
    new_day: int
    old_denominator: Decimal | None
    new_denominator: Decimal | None
    reason: str
    equivalence: str
    contact: ContactPlan


@dataclass
class MetricDraft:
    spec: MetricSpec
    start: int
    target: Decimal
    target_day: int
    denominator: Decimal | None
    laps: list[tuple[int, Decimal, str]]
    source: str
    points: list[tuple[int, Decimal, str]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    hit: int | None = None
    peak: float = 0.0  # the highest share recorded so far (running totals never go down)


@dataclass
class ActionDraft:
    title: str
    side: str
    created: int
    due: int
    owner: ContactPlan | None
    status: str
    done: int | None
    missed: int | None


@dataclass
class GoalDraft:
    title: str
    description: str
    start: int
    target_day: int
    position: int
    status: str = GoalStatus.PROPOSED
    agreed_on: int | None = None
    agreed_by: ContactPlan | None = None
    closed_on: int | None = None
    close_reason: str = ""
    metrics: list[MetricDraft] = field(default_factory=list)
    actions: list[ActionDraft] = field(default_factory=list)
    children: list[GoalDraft] = field(default_factory=list)
    obj: Goal | None = None

    def close(self, status: str, day: int, reason: str = "") -> None:
        self.status, self.closed_on, self.close_reason = status, day, reason

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


@dataclass
class PlanDraft:
    frame: Frame
    title: str
    summary: str
    internal_notes: str
    reviewed: int | None
    customer_owner: ContactPlan
    goals: list[GoalDraft]
    template: str | None


def contact(account: AccountPlan, who: str, day: int) -> ContactPlan:
    active = account.active_contacts(day) or account.contacts
    for role in (WHO[who], ContactRole.CHAMPION, ContactRole.DECISION_MAKER):
        for person in active:
            if role in person.roles:
                return person
    return active[0]


class Story:
    """Builds one plan: its goals, their metrics' measurements, the commitments and the reviews."""

    def __init__(self, world: World, account: AccountPlan, frame: Frame, rng: random.Random):
        self.world, self.account, self.frame, self.rng = world, account, frame, rng
        self.anchor = world.anchor
        term = frame.term
        self.stale: int | None = None
        if term.outcome == RenewalKind.CHURNED:
            self.stale = term.decision - rng.randint(100, 150)
        elif term.outcome == RenewalKind.CONTRACTED and rng.random() < 0.4:
            self.stale = term.decision - rng.randint(60, 120)
        self.horizon = min(-1, account.fate.ended - 1)  # the last day of the account's story
        ends = [d for d in (self.stale, frame.end) if d is not None]
        self.attention = max(frame.start, min([self.horizon, *ends]))  # the last day anyone works it
        self.cadence = 14 if account.segment == Segment.ENTERPRISE else 30

    def day(self, offset: int) -> int:
        return business_day(offset, self.anchor)

    def build(self, specs: list[GoalSpec]) -> list[GoalDraft]:
        drafts = [self.goal(spec, position) for position, spec in enumerate(specs)]
        if self.frame.end is not None:
            for goal in drafts:
                for g in (goal, *goal.children):
                    if g.is_open:
                        self._retire(g)
        return drafts

    def _retire(self, goal: GoalDraft) -> None:
        end = self.frame.end
        if goal.agreed_on is None:
            goal.close(GoalStatus.RETIRED, end, "Never agreed with the customer.")
        elif goal.target_day < end:
            goal.close(GoalStatus.MISSED, end, "The target date passed; closed with the plan.")
        elif self.account.fate.churned and end >= self.horizon:
            goal.close(GoalStatus.RETIRED, end, "The customer did not renew.")
        else:
            goal.close(GoalStatus.RETIRED, end, "Closed at the renewal; carried into the next plan.")

    # Goals ---------------------------------------------------------------------------------------

    def goal(self, spec: GoalSpec, position: int, parent: GoalDraft | None = None) -> GoalDraft:
        rng, start = self.rng, self.frame.start
        goal = GoalDraft(spec.title, spec.description, start, start + spec.days, position)
        if parent is None:
            agreed_on = self.day(start + rng.randint(3, 21))
            odds = 1.0 if self.frame.showcase else 0.55 + 0.45 * self.frame.term.engagement
            if rng.random() < odds and agreed_on <= self.attention:
                goal.agreed_on, goal.agreed_by = agreed_on, contact(self.account, "champion", agreed_on)
        elif parent.agreed_on is not None:
            goal.agreed_on, goal.agreed_by = parent.agreed_on, parent.agreed_by
        if goal.agreed_on is not None:
            goal.status = GoalStatus.ACTIVE if goal.agreed_on <= -14 else GoalStatus.AGREED
        goal.metrics = [self.metric(m) for m in spec.metrics]
        if goal.metrics and goal.agreed_on is not None:
            self.measure(goal)
        goal.actions = [self.action(title, side, start + days, who) for title, side, days, who in spec.commitments]
        goal.actions = [a for a in goal.actions if a is not None]
        if not goal.metrics and goal.agreed_on is not None:
            self._close_by_actions(goal)
        for action in goal.actions:
            if goal.closed_on is not None and action.status == ActionStatus.OPEN and action.due > goal.closed_on:
                action.status, action.missed = ActionStatus.CANCELLED, None
        goal.children = [self.goal(sub, i, goal) for i, sub in enumerate(spec.subgoals)]
        return goal

    def metric(self, spec: MetricSpec) -> MetricDraft:
        rng, start = self.rng, self.frame.start
        roll = rng.random()
        if self.account.segment == Segment.ENTERPRISE:
            source = "api" if roll < 0.35 else "csv" if roll < 0.6 else "manual"
        else:
            source = "csv" if roll < 0.2 else "manual"
        return MetricDraft(spec, start, spec.shape.target, start + spec.days, spec.shape.denominator,
                           [(start + d, v, label) for d, v, label in spec.laps], source)

    def measure(self, goal: GoalDraft) -> None:
        """Walk the measurement days: progress, renegotiations, the hit or the miss."""
        rng, fate = self.rng, self.account.fate
        e = self.frame.term.engagement
        drive = max(0.1, rng.gauss(0.62 + 0.9 * e, 0.15))
        if self.frame.showcase:
            drive = max(drive, 1.2)
        state = []
        for metric in goal.metrics:
            growth = self._growth(metric, goal)
            review = metric.start + round((metric.target_day - metric.start) * rng.uniform(0.4, 0.55))
            state.append([metric, drive * rng.uniform(0.9, 1.1), 0.0, metric.start, growth, review])
        days = []
        d = max(goal.start + rng.randint(self.cadence // 2, self.cadence), goal.agreed_on + 1)
        while d <= self.attention:
            if self.day(d) <= self.attention:
                days.append(self.day(d))
            d += self.cadence + rng.randint(-3, 3)
        for day in days:
            if all(s[0].hit is not None for s in state):
                break
            for s in state:
                metric, pace, progress, previous, growth, review = s
                span = max(1, metric.spec.days)
                for mid in range(previous, day, 7):
                    step = min(7, day - mid)
                    x = (mid - metric.start) / span
                    p = fate.term_at(mid).pressure(mid)
                    progress += pace * (1 - 0.9 * p) * (0.75 + 0.5 * min(x, 1.0)) * step / span
                s[2], s[3] = progress, day
                note = ""
                if growth is not None and growth[0] <= day:
                    note = self._apply_growth(metric, *growth)
                    s[4] = None
                share = progress + rng.gauss(0, 0.025)
                if metric.spec.shape.cumulative:
                    share = metric.peak = max(share, metric.peak)
                value = self._value(metric, share)
                meets = pacing.meets(float(value), float(metric.target), metric.spec.shape.direction)
                if metric.hit is not None and not meets:
                    value = metric.target  # a hit metric of a goal still open holds its gain
                elif metric.hit is None and meets and day <= metric.target_day:
                    metric.hit, note = day, note or "Target reached."
                metric.points.append((day, value, note))
                if review is not None and day >= review and metric.hit is None:
                    s[5] = None
                    self._behind(metric, progress, day, goal)
        for metric, _pace, _progress, _previous, growth, _review in state:
            if growth is not None and growth[0] <= self.attention and (metric.hit is None or growth[0] <= metric.hit):
                self._apply_growth(metric, *growth)  # the team grew after the last measurement
        self._close_by_metrics(goal)

    def _value(self, metric: MetricDraft, share: float) -> Decimal:
        shape = metric.spec.shape
        share = min(share, 1.35)
        if shape.denominator is not None:
            people = max(0, round(share * float(shape.target) * float(shape.denominator) / 100))
            return library.quantize("percent", 100 * people / float(metric.denominator))
        b, t = float(shape.baseline), float(shape.target)
        return library.quantize(shape.unit, b + (t - b) * share)

    def _growth(self, metric: MetricDraft, goal: GoalDraft) -> tuple[int, Decimal] | None:
        """When a training goal's team grows, and by how much (exact, so the same people hold)."""
        if metric.denominator is None:
            return None
        if self.frame.showcase:
            return self.day(min(metric.start + 105, max(goal.agreed_on + 30, -15))), Decimal(2)
        if self.rng.random() >= 0.25:
            return None
        day = self.day(metric.start + round(metric.spec.days * self.rng.uniform(0.25, 0.45)))
        return day, Decimal(2) if metric.target % 2 == 0 or self.rng.random() < 0.5 else Decimal("1.5")

    def _apply_growth(self, metric: MetricDraft, day: int, factor: Decimal) -> str:
        old_den, old_target = metric.denominator, metric.target
        new_den = (old_den * factor).quantize(Decimal(1))
        new_target = library.quantize("percent", float(old_target * old_den / new_den))
        if new_target * new_den != old_target * old_den:
            new_den, new_target = old_den * 2, old_target / 2  # halving is always exact
        people = (old_target * old_den / 100).normalize()
        self._renegotiate(metric, day, new_target=new_target, new_day=metric.target_day, new_denominator=new_den,
                          reason=library.TEAM_GREW.format(old=old_den, new=new_den),
                          equivalence=library.SAME_PEOPLE.format(new_pct=f"{new_target.normalize():f}", new=new_den,
                                                                  people=f"{people:f}", old_pct=f"{old_target.normalize():f}",
                                                                  old=old_den))
        return f"The team is now {new_den} people."

    def _behind(self, metric: MetricDraft, progress: float, day: int, goal: GoalDraft) -> None:
        elapsed = (day - metric.start) / max(1, metric.target_day - metric.start)
        if day > self.attention or progress >= 0.85 * elapsed or self.rng.random() >= 0.5:
            return
        shape = metric.spec.shape
        if self.frame.term.engagement >= 0.45:
            new_day = metric.target_day + self.rng.randint(45, 90)
            self._renegotiate(metric, day, new_target=metric.target, new_day=new_day, new_denominator=metric.denominator,
                              reason=self.rng.choice(library.DATE_PUSHED))
            goal.target_day = max(goal.target_day, new_day)
            return
        b, t = float(shape.baseline), float(metric.target)
        new_target = library.quantize(shape.unit, b + (t - b) * self.rng.uniform(0.6, 0.75))
        if new_target == metric.target or new_target == shape.baseline:
            return
        self._renegotiate(metric, day, new_target=new_target, new_day=metric.target_day,
                          new_denominator=metric.denominator, reason=self.rng.choice(library.TARGET_LOWERED))

    def _renegotiate(self, metric: MetricDraft, day: int, *, new_target: Decimal, new_day: int,
                     new_denominator: Decimal | None, reason: str, equivalence: str = "") -> None:
        b = float(metric.spec.shape.baseline)
        ratio = (float(new_target) - b) / ((float(metric.target) - b) or 1.0)
        if ratio != 1:
            metric.laps = [(d, library.quantize(metric.spec.shape.unit, b + (float(v) - b) * ratio), label)
                           for d, v, label in metric.laps]
        metric.changes.append(Change(day, metric.target, new_target, metric.target_day, new_day, metric.denominator,
                                     new_denominator, reason, equivalence, contact(self.account, "champion", day)))
        metric.target, metric.target_day, metric.denominator = new_target, new_day, new_denominator

    def _close_by_metrics(self, goal: GoalDraft) -> None:
        goal.target_day = max([goal.target_day, *(m.target_day for m in goal.metrics)])
        hits = [m.hit for m in goal.metrics]
        if all(h is not None for h in hits):
            hit = max(hits)
            for metric in goal.metrics:
                metric.points = [p for p in metric.points if p[0] <= hit]
            closed = hit + self.rng.randint(0, 6)
            if closed <= self.attention:
                goal.close(GoalStatus.HIT, closed)
            return
        for metric in goal.metrics:
            metric.points = [p for p in metric.points if p[0] <= metric.target_day]
        closed = goal.target_day + self.rng.randint(3, 20)
        if closed <= self.attention:
            short = next(m for m in goal.metrics if m.hit is None)
            last = short.points[-1][1] if short.points else short.spec.shape.baseline
            unit = short.spec.shape.unit
            goal.close(GoalStatus.MISSED, closed,
                       f"{short.spec.shape.name}: {pacing.format_value(unit, last, short.spec.shape.currency)} "
                       f"against a target of {pacing.format_value(unit, short.target, short.spec.shape.currency)}.")

    def _close_by_actions(self, goal: GoalDraft) -> None:
        if goal.actions and all(a.done is not None for a in goal.actions):
            done = max(a.done for a in goal.actions)
            if done <= self.attention:
                goal.close(GoalStatus.HIT, done)
                return
        closed = goal.target_day + self.rng.randint(3, 20)
        if closed <= self.attention:
            goal.close(GoalStatus.MISSED, closed, "Not done by its date.")

    # Commitments and reviews ---------------------------------------------------------------------

    def action(self, title: str, side: str, due: int, who: str) -> ActionDraft | None:
        rng, fate, frame = self.rng, self.account.fate, self.frame
        due = self.day(due)
        created = frame.start
        if (frame.end is not None and due > frame.end) or (fate.churned and due >= fate.ended):
            return None
        term = fate.term_at(due)
        e, p = term.engagement, term.pressure(due)
        if side == Side.VENDOR:
            keep, late = 0.72 + 0.25 * e - 0.25 * p, 0.7
        elif self.stale is not None and due > self.stale:
            keep, late = 0.05, 0.15
        else:
            keep, late = 0.1 + 0.8 * e - 0.6 * p, 0.5
        keep = min(0.97, max(0.03, keep))
        roll = rng.random()
        done = None
        if roll < keep:
            done = rng.randint(max(created, due - 10), due)
        elif roll < keep + (1 - keep) * late:
            done = due + rng.randint(2, 35)
        if done is not None and done > min(self.horizon, frame.end if frame.end is not None else self.horizon):
            done = None
        owner = contact(self.account, who, created) if side == Side.CUSTOMER else None
        if side == Side.VENDOR and done is None and due < -1 and rng.random() < 0.05:
            return ActionDraft(title, side, created, due, owner, ActionStatus.CANCELLED, None, None)
        missed = due + 1 if due + 1 <= 0 and (done is None or done > due) else None
        return ActionDraft(title, side, created, due, owner, ActionStatus.DONE if done is not None else ActionStatus.OPEN,
                           done, missed)

    def reviewed(self) -> int | None:
        """The last review with the customer: the kickoff, held QBRs, check-ins while engaged."""
        rng, fate, start = self.rng, self.account.fate, self.frame.start
        last = min(self.attention, -1)
        days = [self.day(start + rng.randint(3, 14))]
        days += [d for d, held in self.world.qbrs.get(self.account.index, []) if held and start <= d]
        every = 75 if self.account.tier == Tier.TIER_3 else 45
        for d in range(start + every, last + 1, every):
            term = fate.term_at(d)
            if rng.random() < (0.3 + 0.6 * term.engagement) * (1 - term.pressure(d)):
                days.append(self.day(d))
        days = [d for d in days if d <= last]
        return max(days) if days else None
