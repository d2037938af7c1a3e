"""Orchestration: run the steps in order, in one transaction, report progress, mark the load.

``STEPS`` is the extension point. A capability that wants demo data (usage events, success plans,
surveys...) writes ``paceline/ops/demo/<idea>.py`` with a ``run(world, progress) -> int`` that
reads what earlier steps planned (``world.accounts``: each account's fate, contacts, saved
objects) and appends ``Step("<name>", "<label>", <idea>.run)`` here, or calls ``register``. Keyed
randomness (``world.rng(name, account.index)``) keeps the earlier steps' data unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.db import transaction

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.core.services import event_emit
from paceline.ops.demo import (
    activity,
    automation,
    company,
    contracts,
    health,
    people,
    relationship,
    success,
    team,
    usage,
    voice,
    work,
)
from paceline.ops.demo.world import GENERATOR_VERSION, DemoConfig, World

MARKER = "demo.loaded"


class Progress(Protocol):
    def total(self, n: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class SilentProgress:
    def total(self, n: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    run: Callable[[World, Progress], int]


STEPS: list[Step] = [
    Step("team", "CS team", team.run),
    Step("accounts", "Accounts and hierarchies", company.run),
    Step("contacts", "Contacts and chains of command", people.run),
    Step("contracts", "Subscriptions and renewals", contracts.run),
    Step("usage", "Product usage: ~20M events", usage.run),
    Step("interactions", "Interactions", activity.run),
    Step("tasks", "Tasks", work.run),
    Step("success_plans", "Success plans", success.run),
    Step("voice", "Voice of the customer", voice.run),
    Step("touchpoints", "Touchpoint plans, resources and needs", relationship.run),
    Step("automation", "Rules, playbooks and their firings", automation.run),
    Step("health", "Health scores over half a year", health.run),
]


def register(step: Step, *, after: str | None = None) -> None:
    """Add a step (at the end, or right after the named one). Registering a name twice replaces it."""
    names = [s.name for s in STEPS]
    if step.name in names:
        STEPS[names.index(step.name)] = step
        return
    position = names.index(after) + 1 if after else len(STEPS)
    STEPS.insert(position, step)


@dataclass
class LoadReport:
    anchor: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def loaded_demo() -> dict | None:
    """The payload recorded by the last demo load in this database, or None."""
    event = ActivityEvent.objects.filter(kind=MARKER).order_by("-id").first()
    return event.payload if event is not None else None


def load_demo(
    config: DemoConfig,
    *,
    progress_for: Callable[[Step], Progress] | None = None,
    steps: list[Step] | None = None,
) -> LoadReport:
    """Generate the demo company into the database, all or nothing, and record one summary entry."""
    world = World(config)
    report = LoadReport(anchor=world.anchor.isoformat(), seed=config.seed)
    with transaction.atomic():
        for step in steps if steps is not None else STEPS:
            progress = progress_for(step) if progress_for else SilentProgress()
            began = time.perf_counter()
            report.counts[step.name] = step.run(world, progress)
            report.seconds[step.name] = time.perf_counter() - began
        report.counts.update(world.counts)
        payload = {
            "seed": config.seed,
            "accounts": config.accounts,
            "anchor": report.anchor,
            "activity_scale": config.activity_scale,
            "generator_version": GENERATOR_VERSION,
            "counts": report.counts,
            "seconds": round(report.total_seconds, 2),
        }
        # One entry for the whole load instead of one per generated row.
        entry = AuditEntry.objects.create(
            actor_label="paceline demo", via="cli", action=AuditEntry.Action.CREATE,
            target_type="ops.demo", target_id=str(config.seed),
            target_repr=f"Demo company ({config.accounts} accounts, as of {report.anchor})", after=payload,
        )
        event_emit(kind=MARKER, account_id=None, payload=payload | {"audit_entry": entry.pk})
    return report
