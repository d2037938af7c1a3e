"""The timeline: emails, calls, meetings, QBRs, events and notes, with people on both sides.

Touches arrive week by week as a Poisson count whose rate is the tier's cadence times the term's
engagement, times ``1 - 0.8 * pressure`` (so they fade over a doomed term's last 180 days), times
a boost in the first 90 days (onboarding) and in the run-up to an expansion. Executives appear in
meetings and QBRs with a probability that grows with engagement and collapses under pressure.
Sentiment turns negative with ``1 - engagement`` and with pressure. QBRs are scheduled every
quarter (tier 1) or half-year (tier 2) and held with a probability that follows engagement; a
missed one leaves a "postponed" note and a task to reschedule. Each closed renewal, each
champion's departure and the kickoff leave their own entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from paceline.customers.models import (
    ContactLevel,
    ContactRole,
    Interaction,
    RenewalKind,
    Sentiment,
    Tier,
)
from paceline.ops.demo import phrases
from paceline.ops.demo.bulk import db_datetime, insert_rows, reserve_ids, reset_sequence
from paceline.ops.demo.team import leaders
from paceline.ops.demo.world import (
    AccountPlan,
    ContactPlan,
    World,
    business_day,
    poisson,
)

RATE = {Tier.TIER_1: 7.0, Tier.TIER_2: 3.5, Tier.TIER_3: 1.5}  # touches per 30 days, middling engagement
QBR_EVERY = {Tier.TIER_1: 91, Tier.TIER_2: 182}
KINDS = {
    "high": (("email", 0.42), ("call", 0.25), ("meeting", 0.18), ("note", 0.10), ("event", 0.05)),
    "tech": (("email", 0.60), ("call", 0.15), ("meeting", 0.05), ("note", 0.10), ("event", 0.10)),
}
DECISIONS = {
    RenewalKind.CHURNED: "{who} confirmed they will not renew; the contract ends at term.",
    RenewalKind.CONTRACTED: "{who} renewed for fewer seats; usage did not justify the rest.",
    RenewalKind.RENEWED: "{who} signed the renewal on the same terms.",
    RenewalKind.EXPANDED: "{who} signed the renewal and added seats.",
}
INTERACTION_COLUMNS = (
    "id", "account_id", "kind", "occurred_at", "subject", "summary", "sentiment", "created_by_id",
    "created_at", "updated_at",
)
CHUNK = 250  # accounts generated and written at a time, to bound memory on big books


@dataclass
class Touch:
    day: int
    minute: int
    kind: str
    subject: str
    summary: str
    sentiment: str
    contacts: list[int] = field(default_factory=list)
    users: list[str] = field(default_factory=list)


def _pick_kind(rng, tier: str) -> str:
    mix = KINDS["tech" if tier == Tier.TIER_3 else "high"]
    roll = rng.random()
    for kind, weight in mix:
        roll -= weight
        if roll < 0:
            return kind
    return "email"


def _tone(rng, engagement: float, pressure: float, momentum: float) -> str:
    negative = 0.04 + 0.28 * (1 - engagement) ** 1.5 + 0.4 * pressure
    positive = (0.12 + 0.5 * engagement) * (1 - pressure) + 0.15 * momentum
    roll = rng.random()
    if roll < negative:
        return Sentiment.NEGATIVE
    if roll < negative + positive:
        return Sentiment.POSITIVE
    return Sentiment.NEUTRAL


def exec_chance(engagement: float, pressure: float, momentum: float) -> float:
    return (0.08 + 0.55 * engagement) * (1 - 0.85 * pressure) + 0.3 * momentum


def _minute(rng) -> int:
    return rng.randint(8 * 4, 17 * 4) * 15


class Timeline:
    """Builds one account's touches."""

    def __init__(self, world: World, account: AccountPlan):
        self.world = world
        self.account = account
        self.rng = world.rng("activity", account.index)
        self.owner = account.owner or "jonas"
        self.leader = leaders()[0 if account.segment == "enterprise" else -1]
        self.touches: list[Touch] = []
        self.end = min(0, account.fate.ended)

    def _people(self, day: int) -> tuple[list[ContactPlan], list[ContactPlan], list[ContactPlan]]:
        active = self.account.active_contacts(day)
        executives = [c for c in active if c.level == ContactLevel.EXECUTIVE]
        champions = [c for c in active if ContactRole.CHAMPION in c.roles]
        others = [c for c in active if c.level != ContactLevel.EXECUTIVE and c not in champions]
        return executives, champions, others

    def add(self, day: int, kind: str, tone: str, contacts: list[ContactPlan], *, subject: str = "",
            summary: str = "", users: list[str] | None = None, late: bool = False) -> None:
        if day >= self.end:
            return
        who = contacts[0].name.split()[0] if contacts else "The team"
        self.touches.append(
            Touch(
                day=day, minute=_minute(self.rng), kind=kind,
                subject=subject or phrases.subject(self.rng, kind, tone, late=late),
                summary=summary or phrases.summary(self.rng, tone, who, late=late),
                sentiment=tone, contacts=sorted({c.key for c in contacts}),
                users=users if users is not None else [self.owner],
            )
        )

    def routine(self) -> None:
        fate, rng = self.account.fate, self.rng
        weekly = RATE[self.account.tier] / 30 * 7 * self.world.config.activity_scale
        for week in range(fate.start, self.end, 7):
            middle = week + 3
            term = fate.term_at(middle)
            e, p, m = term.engagement, term.pressure(middle), term.momentum(middle)
            rate = weekly * (0.35 + 1.3 * e) * (1 - 0.8 * p) * (1 + 0.4 * m)
            if middle - fate.start < 90:
                rate *= 1.8
            if term.outcome == RenewalKind.CHURNED and term.decided is not None and middle > term.decided:
                rate *= 0.2  # notice given: the relationship winds down
            for _ in range(poisson(rng, rate)):
                day = business_day(week + rng.randint(0, 6), self.world.anchor)
                self.touch(day, _pick_kind(rng, self.account.tier))

    def touch(self, day: int, kind: str) -> None:
        rng = self.rng
        term = self.account.fate.term_at(day)
        e, p, m = term.engagement, term.pressure(day), term.momentum(day)
        executives, champions, others = self._people(day)
        chance = exec_chance(e, p, m)
        tone = _tone(rng, e, p, m) if kind != "note" or rng.random() < 0.3 else ""
        if kind == "email" and rng.random() < 0.3:
            tone = ""
        people: list[ContactPlan] = []
        if kind in ("email", "call"):
            if executives and rng.random() < chance * 0.35:
                people = [executives[0]]
            elif champions and rng.random() < 0.6:
                people = [champions[0]]
            elif others or champions:
                people = [rng.choice(others or champions)]
        elif kind == "meeting":
            people = champions[:1] + rng.sample(others, min(len(others), rng.randint(0, 2)))
            if executives and rng.random() < chance:
                people.append(executives[0])
        elif kind == "event":
            pool = champions + others
            people = rng.sample(pool, min(len(pool), rng.randint(1, 2)))
        self.add(day, kind, tone, people, late=p > 0.5)

    def reviews(self) -> Iterator[tuple[int, bool]]:
        """QBRs: (day, held). Missed ones are yielded too, for the tasks they leave."""
        every = QBR_EVERY.get(self.account.tier)
        if not every:
            return
        fate, rng = self.account.fate, self.rng
        for day in range(fate.start + 90, self.end, every):
            day = business_day(day, self.world.anchor)
            term = fate.term_at(day)
            e, p, m = term.engagement, term.pressure(day), term.momentum(day)
            held = rng.random() < (0.3 + 0.65 * e) * (1 - 0.6 * p) + 0.1 * m
            executives, champions, others = self._people(day)
            if held:
                people = champions[:1] + [c for c in others if ContactRole.DECISION_MAKER in c.roles][:1]
                people += rng.sample(others, min(len(others), rng.randint(0, 2)))
                chance = min(1.0, (0.25 + 0.7 * e) * (1 - 0.85 * p) + 0.2 * m)
                if executives and rng.random() < chance:
                    people.append(executives[0])
                users = [self.owner] + ([self.leader] if rng.random() < 0.5 else [])
                self.add(day, "qbr", _tone(rng, e, p, m), people, users=users, late=p > 0.5)
            else:
                self.add(day, "note", Sentiment.NEGATIVE if rng.random() < 0.5 else Sentiment.NEUTRAL,
                         champions[:1], subject="QBR postponed by the customer",
                         summary="The customer asked to move the business review; no new date yet.")
            yield day, held

    def milestones(self) -> None:
        account, fate = self.account, self.account.fate
        executives, champions, others = self._people(fate.start)
        admins = [c for c in others if ContactRole.ADMIN in c.roles]
        self.add(business_day(fate.start + 3, self.world.anchor), "meeting", Sentiment.POSITIVE,
                 champions[:1] + executives[:1] + admins[:1], subject="Kickoff: onboarding plan and success goals",
                 summary="Agreed the onboarding plan, the first success goals and who owns what on both sides.",
                 users=[self.owner, self.leader])
        if fate.champion_left is not None:
            gone = next(c for c in account.contacts if c.left == fate.champion_left and ContactRole.CHAMPION in c.roles)
            self.add(fate.champion_left, "note", Sentiment.NEGATIVE, [gone],
                     subject=f"{gone.name} has left {account.name}",
                     summary=f"Our champion {gone.name} ({gone.title}) has left the company. Find a new sponsor.")
        for term in fate.terms:
            if not term.closed:
                continue
            tone = {
                RenewalKind.CHURNED: Sentiment.NEGATIVE, RenewalKind.CONTRACTED: Sentiment.NEGATIVE,
                RenewalKind.RENEWED: Sentiment.NEUTRAL, RenewalKind.EXPANDED: Sentiment.POSITIVE,
            }[term.outcome]
            executives, champions, others = self._people(term.decided)
            deciders = [c for c in executives + others if ContactRole.DECISION_MAKER in c.roles]
            subject = {
                RenewalKind.CHURNED: "Notice of non-renewal received",
                RenewalKind.CONTRACTED: "Renewal signed with fewer seats",
                RenewalKind.RENEWED: "Renewal signed",
                RenewalKind.EXPANDED: "Renewal signed with an expansion",
            }[term.outcome]
            people = deciders[:1] + [c for c in champions[:1] if c not in deciders]
            who = people[0].name.split()[0] if people else "The team"
            self.add(term.decided, "call", tone, people, subject=subject,
                     summary=DECISIONS[term.outcome].format(who=who))


def plan_touches(world: World, account: AccountPlan) -> tuple[list[Touch], list[tuple[int, bool]]]:
    timeline = Timeline(world, account)
    timeline.milestones()
    timeline.routine()
    qbrs = list(timeline.reviews())
    timeline.touches.sort(key=lambda t: (t.day, t.minute))
    return timeline.touches, qbrs


def write(world: World, pairs: list[tuple[AccountPlan, list[Touch]]]) -> int:
    first = next_id = reserve_ids(Interaction)
    rows, contact_links, user_links = [], [], []
    for account, touches in pairs:
        for t in touches:
            at = db_datetime(world.moment(t.day, t.minute))
            author = world.users.get(t.users[0])
            rows.append((next_id, account.obj.pk, t.kind, at, t.subject[:300], t.summary, t.sentiment,
                         author.pk if author else None, at, at))
            contact_links.extend((next_id, account.contacts[key].obj.pk) for key in t.contacts)
            user_links.extend((next_id, world.users[name].pk) for name in t.users)
            next_id += 1
    insert_rows(Interaction, INTERACTION_COLUMNS, rows)
    insert_rows(Interaction.contacts.through, ("interaction_id", "contact_id"), contact_links)
    insert_rows(Interaction.users.through, ("interaction_id", "user_id"), user_links)
    reset_sequence(Interaction)
    return next_id - first


def run(world: World, progress) -> int:
    progress.total(len(world.accounts))
    total = 0
    for start in range(0, len(world.accounts), CHUNK):
        pairs = []
        for account in world.accounts[start : start + CHUNK]:
            touches, qbrs = plan_touches(world, account)
            world.qbrs[account.index] = qbrs
            pairs.append((account, touches))
        total += write(world, pairs)
        progress.advance(len(pairs))
    return total
