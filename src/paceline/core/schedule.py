"""Periodic jobs: a registry of declared jobs, and a scheduler that only enqueues them.

An app declares its jobs in ``AppConfig.ready()``::

    from paceline.core import schedule
    schedule.register(schedule.Job("success.plans_evaluate", schedule.Daily(5, 0), tasks.plans_evaluate,
                                   "Re-pace every metric of open goals."))

A job has a name, a cadence (``Every(minutes)`` or ``Daily(hour, minute)`` in
``settings.TIME_ZONE``) and a django-tasks task, enqueued without arguments. The worker does the
work; the scheduler (``paceline worker`` runs it in a thread beside the task worker) only decides
that a run is due and enqueues it.

Each cadence defines **slots**, the moments a run is due. On every tick the scheduler takes each
job's latest slot and claims it with a conditional UPDATE on the job's ``ScheduledRun`` row
(``last_slot < slot``), in the same transaction as the enqueue: only the scheduler whose UPDATE
changed the row enqueues, so any number of workers can run a scheduler and a run is enqueued
once. A job never run, or whose slots passed while no worker ran, is due at once, and runs once
however many slots it missed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from paceline.core.models import ScheduledRun

logger = logging.getLogger("paceline.schedule")

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def default_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# Cadences: pure functions of a moment and a time zone --------------------------------------------


@dataclass(frozen=True)
class Every:
    """Every N minutes, on the multiples of N minutes since 1970-01-01 00:00 UTC (``Every(15)``
    runs at :00, :15, :30 and :45 of every hour, whatever the time zone)."""

    minutes: int

    def __post_init__(self) -> None:
        if not isinstance(self.minutes, int) or self.minutes < 1:
            raise ValueError(f"every {self.minutes!r} minutes: use a whole number of minutes, at least 1")

    def previous(self, now: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime:
        """The latest slot at or before ``now``."""
        step = dt.timedelta(minutes=self.minutes)
        return EPOCH + ((now - EPOCH) // step) * step

    def following(self, now: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime:
        """The first slot strictly after ``now``."""
        return self.previous(now) + dt.timedelta(minutes=self.minutes)

    def __str__(self) -> str:
        return "every minute" if self.minutes == 1 else f"every {self.minutes} minutes"


@dataclass(frozen=True)
class Daily:
    """Once a day at HH:MM local time. On the day clocks go forward past HH:MM, the run is at the
    same moment of the old offset (02:30 becomes 03:30); on the day they go back, it runs at the
    first of the two HH:MM."""

    hour: int
    minute: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError(f"daily at {self.hour}:{self.minute:02d}: use a time from 00:00 to 23:59")

    def on(self, day: dt.date, zone: dt.tzinfo) -> dt.datetime:
        """The slot of one local calendar day, in UTC."""
        return dt.datetime.combine(day, dt.time(self.hour, self.minute), tzinfo=zone).astimezone(dt.UTC)

    def _around(self, now: dt.datetime, zone: dt.tzinfo) -> list[dt.datetime]:
        today = now.astimezone(zone).date()
        return [self.on(today + dt.timedelta(days=n), zone) for n in (-2, -1, 0, 1, 2)]

    def previous(self, now: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime:
        return max(s for s in self._around(now, zone or default_zone()) if s <= now)

    def following(self, now: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime:
        return min(s for s in self._around(now, zone or default_zone()) if s > now)

    def __str__(self) -> str:
        return f"daily at {self.hour:02d}:{self.minute:02d}"


Cadence = Every | Daily


# The registry ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    name: str  # dotted, "<app>.<what>"
    cadence: Cadence
    task: Any  # a django-tasks Task, enqueued without arguments
    description: str = ""


_registry: dict[str, Job] = {}


def register(job: Job) -> Job:
    """Declare a periodic job. Declaring the same job again is harmless; another job under a name
    already taken is refused, so two apps cannot silently replace each other's work."""
    existing = _registry.get(job.name)
    if existing is not None and existing != job:
        raise ValueError(f"A periodic job named {job.name!r} is already registered ({existing.cadence}).")
    _registry[job.name] = job
    return job


def unregister(name: str) -> None:
    _registry.pop(name, None)


def jobs() -> list[Job]:
    """The registered jobs in the order they were declared (due together, they are enqueued so)."""
    return list(_registry.values())


def get_job(name: str) -> Job:
    try:
        return _registry[name]
    except KeyError:
        known = ", ".join(j.name for j in jobs()) or "none"
        raise LookupError(f"No periodic job named {name!r}. Registered: {known}.") from None


# Claiming and enqueueing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Enqueued:
    job: Job
    slot: dt.datetime | None  # None for a run enqueued by hand
    task_id: str


def _ensure_rows(names: list[str]) -> None:
    ScheduledRun.objects.bulk_create([ScheduledRun(name=n) for n in names], ignore_conflicts=True)


def _enqueue(job: Job) -> str:
    return str(job.task.enqueue().id)


def claim_and_enqueue(job: Job, slot: dt.datetime, *, now: dt.datetime | None = None) -> Enqueued | None:
    """Enqueue the job's run for ``slot`` unless a run for this slot (or a later one) was claimed.

    The claim and the enqueue share one transaction: with the database task backend the queued
    task and the claim commit together, and an enqueue that fails leaves the slot unclaimed.
    """
    if ScheduledRun.objects.filter(name=job.name, last_slot__gte=slot).exists():
        return None  # the usual case, answered without taking a write lock
    now = now or timezone.now()
    due = ScheduledRun.objects.filter(name=job.name).filter(Q(last_slot__isnull=True) | Q(last_slot__lt=slot))
    changes = {"last_slot": slot, "last_enqueued_at": now, "last_trigger": ScheduledRun.Trigger.SCHEDULE,
               "enqueued": F("enqueued") + 1}
    with transaction.atomic():
        claimed = due.update(**changes)
        if not claimed and not ScheduledRun.objects.filter(name=job.name).exists():
            _ensure_rows([job.name])  # the job's first run ever
            claimed = due.update(**changes)
        if not claimed:
            return None
        task_id = _enqueue(job)
        ScheduledRun.objects.filter(name=job.name).update(last_task_id=task_id[:64])
    logger.info("Enqueued %s (%s, due %s) as task %s", job.name, job.cadence, slot.isoformat(), task_id)
    return Enqueued(job, slot, task_id)


def run_now(name: str, *, now: dt.datetime | None = None) -> Enqueued:
    """Enqueue a job at once, by hand. Its schedule is untouched: the next slot still runs."""
    job = get_job(name)
    _ensure_rows([job.name])
    with transaction.atomic():
        task_id = _enqueue(job)
        ScheduledRun.objects.filter(name=job.name).update(
            last_enqueued_at=now or timezone.now(), last_trigger=ScheduledRun.Trigger.MANUAL,
            last_task_id=task_id[:64], enqueued=F("enqueued") + 1,
        )
    logger.info("Enqueued %s by hand as task %s", job.name, task_id)
    return Enqueued(job, None, task_id)


def tick(*, now: dt.datetime | None = None, zone: dt.tzinfo | None = None,
         registered: list[Job] | None = None) -> list[Enqueued]:
    """Enqueue every job whose latest slot has not been claimed yet. One job's failure is logged
    and does not keep the others from running."""
    now = now or timezone.now()
    zone = zone or default_zone()
    enqueued = []
    for job in registered if registered is not None else jobs():
        try:
            run = claim_and_enqueue(job, job.cadence.previous(now, zone), now=now)
        except Exception:
            logger.exception("Could not enqueue the periodic job %s", job.name)
            continue
        if run is not None:
            enqueued.append(run)
    return enqueued


# What the schedule looks like (for ``paceline schedule list``) ------------------------------------


@dataclass(frozen=True)
class JobState:
    job: Job
    run: ScheduledRun | None
    next_run: dt.datetime
    due_now: bool


def states(*, now: dt.datetime | None = None, zone: dt.tzinfo | None = None) -> list[JobState]:
    now = now or timezone.now()
    zone = zone or default_zone()
    runs = {r.name: r for r in ScheduledRun.objects.all()}
    result = []
    for job in jobs():
        run = runs.get(job.name)
        slot = job.cadence.previous(now, zone)
        due = run is None or run.last_slot is None or run.last_slot < slot
        result.append(JobState(job, run, slot if due else job.cadence.following(now, zone), due))
    return result


# The loop ----------------------------------------------------------------------------------------


class Scheduler:
    """Ticks every ``interval`` seconds until ``stop`` is set. Runs in its own thread (with its own
    database connection, closed when it stops) or in the foreground."""

    def __init__(self, *, interval: float = 30.0, stop: threading.Event | None = None):
        self.interval = interval
        self.stop = stop or threading.Event()

    def run(self) -> None:
        names = ", ".join(f"{j.name} ({j.cadence})" for j in jobs()) or "no jobs registered"
        logger.info("Scheduler started: %s", names)
        try:
            while not self.stop.is_set():
                try:
                    close_old_connections()
                    tick()
                except Exception:
                    logger.exception("A scheduler tick failed; trying again in %s s", self.interval)
                finally:
                    close_old_connections()
                self.stop.wait(self.interval)
        finally:
            connections.close_all()
            logger.info("Scheduler stopped")

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="paceline-scheduler", daemon=True)
        thread.start()
        return thread
