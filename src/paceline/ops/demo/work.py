"""Tasks: the CSM's follow-ups, renewal preparation, and the work a missed QBR or a lost champion leaves.

Whether a task is done on time follows the term's engagement and pressure
(``0.3 + 0.65 * engagement - 0.5 * pressure``); the rest are done late or never. Never-done tasks
stay open (overdue, piling up on at-risk accounts) in the current term; those of closed terms were
cancelled at the renewal, and a churned account's at its end, so the book is not littered with
dead work but the history keeps when each task was due and when, if ever, it was done.
"""

from __future__ import annotations

from dataclasses import dataclass

from paceline.customers.models import ContactRole, Task, TaskPriority, TaskStatus, Tier
from paceline.ops.demo import phrases
from paceline.ops.demo.bulk import db_date, db_datetime, insert_rows
from paceline.ops.demo.world import AccountPlan, World, business_day, poisson

TASK_RATE = {Tier.TIER_1: 2.5, Tier.TIER_2: 1.2, Tier.TIER_3: 0.4}  # per 30 days


@dataclass
class Chore:
    created: int
    due: int
    title: str
    description: str = ""
    priority: str = TaskPriority.NORMAL
    done: int | None = None  # the day it was completed, if ever


def plan_chores(world: World, account: AccountPlan) -> list[Chore]:
    rng = world.rng("work", account.index)
    fate = account.fate
    end = min(0, fate.ended)
    chores: list[Chore] = []
    weekly = TASK_RATE[account.tier] / 30 * 7 * world.config.activity_scale
    for week in range(fate.start, end, 7):
        for _ in range(poisson(rng, weekly)):
            created = week + rng.randint(0, 6)
            people = account.active_contacts(created)
            who = rng.choice(people).name.split()[0] if people else "the customer"
            chores.append(Chore(created, business_day(created + rng.randint(3, 21), world.anchor),
                                phrases.task_title(rng, who),
                                priority=TaskPriority.HIGH if rng.random() < 0.1 else TaskPriority.NORMAL))
    for term in fate.terms:
        prep = term.end - 130
        if prep < end:
            chores.append(Chore(prep, term.end - 90, "Prepare the renewal quote", priority=TaskPriority.HIGH,
                                description="Usage, outcomes reached and the proposed terms, before the notice period."))
        if account.tier != Tier.TIER_3 and term.end - 140 < end:
            chores.append(Chore(term.end - 140, term.end - 100, "Confirm who signs the renewal"))
    for day, held in world.qbrs.get(account.index, []):
        if not held:
            chores.append(Chore(day, day + 14, "Reschedule the QBR", priority=TaskPriority.HIGH,
                                description="The customer postponed the business review. Get a date with the sponsor."))
    if fate.champion_left is not None:
        gone = next(c for c in account.contacts if c.left == fate.champion_left and ContactRole.CHAMPION in c.roles)
        chores.append(Chore(fate.champion_left, fate.champion_left + 21, "Find a new champion",
                            priority=TaskPriority.URGENT,
                            description=f"{gone.name} left. Map who now owns the rollout and meet them."))
    for chore in chores:
        term = fate.term_at(chore.due)
        e, p = term.engagement, term.pressure(chore.due)
        on_time = min(0.95, max(0.05, 0.3 + 0.65 * e - 0.5 * p))
        roll = rng.random()
        if roll < on_time:
            chore.done = rng.randint(chore.created, max(chore.created, chore.due))
        elif roll < on_time + (1 - on_time) * 0.45:
            chore.done = chore.due + rng.randint(2, 40)
        if chore.done is not None and chore.done >= end:
            chore.done = None  # not done by the anchor (or by the churn)
    return [c for c in chores if c.created < end]


def _status(world: World, account: AccountPlan, chore: Chore) -> tuple[str, int]:
    """The task's status at the anchor, and the day of its last change."""
    fate = account.fate
    if chore.done is not None:
        return TaskStatus.DONE, chore.done
    if fate.churned:
        return TaskStatus.CANCELLED, fate.ended
    term = fate.term_at(chore.due)
    if term is not fate.current and chore.due < fate.current.start:
        return TaskStatus.CANCELLED, max(term.end, chore.created)
    return TaskStatus.OPEN, chore.created


COLUMNS = (
    "account_id", "title", "description", "owner_id", "due_date", "priority", "status", "source",
    "completed_at", "created_by_id", "created_at", "updated_at",
)


def run(world: World, progress) -> int:
    progress.total(len(world.accounts))
    rows = []
    for account in world.accounts:
        owner = world.user_for(account)
        owner_id = owner.pk if owner else None
        for chore in plan_chores(world, account):
            status, changed = _status(world, account, chore)
            created = world.moment(chore.created, 9 * 60)
            done = world.moment(chore.done, 17 * 60) if chore.done is not None else None
            rows.append((
                account.obj.pk, chore.title, chore.description, owner_id, db_date(world.date(chore.due)),
                chore.priority, status, "manual", db_datetime(done), owner_id, db_datetime(created),
                db_datetime(max(created, world.moment(changed, 17 * 60))),
            ))
        progress.advance()
    return insert_rows(Task, COLUMNS, rows)
