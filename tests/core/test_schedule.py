"""Periodic jobs: cadences as pure functions (across midnight and DST), the registry, and the claim
that enqueues each run once however many schedulers tick."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django_tasks import task
from hypothesis import given, settings
from hypothesis import strategies as st

from paceline.core import schedule
from paceline.core.models import ScheduledRun

UTC = dt.UTC
# Zones with the awkward cases: DST at 02:00 (New York), at midnight (Havana, Sao Paulo until
# 2019), by 30 minutes (Lord Howe), at odd offsets (St John's, Chatham), and none (Kolkata).
ZONES = [ZoneInfo(name) for name in (
    "UTC", "America/New_York", "Europe/Berlin", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe",
    "America/Sao_Paulo", "America/Havana", "America/St_Johns", "Pacific/Chatham", "Asia/Kolkata",
)]
moments = st.datetimes(min_value=dt.datetime(1995, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(UTC))
dailies = st.builds(schedule.Daily, st.integers(0, 23), st.integers(0, 59))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


# Cadences -------------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(dailies, moments, st.sampled_from(ZONES))
def test_daily_slots_bracket_now_with_nothing_between(daily, now, zone):
    before, after = daily.previous(now, zone), daily.following(now, zone)
    assert before <= now < after
    assert daily.following(before, zone) == after
    assert daily.previous(after, zone) == after


@settings(max_examples=400, deadline=None)
@given(dailies, moments, st.sampled_from(ZONES))
def test_daily_runs_once_a_local_day_at_its_time_or_just_after_a_gap(daily, now, zone):
    before, after = daily.previous(now, zone), daily.following(now, zone)
    assert after.astimezone(zone).date() - before.astimezone(zone).date() == dt.timedelta(days=1)
    for slot in (before, after):
        local = slot.astimezone(zone)
        wanted = dt.datetime.combine(local.date(), dt.time(daily.hour, daily.minute))
        # Exactly the time; or, the day clocks jumped over it, the same moment of the old offset.
        assert dt.timedelta(0) <= local.replace(tzinfo=None) - wanted <= dt.timedelta(hours=1)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 60 * 24 * 3), moments)
def test_every_n_minutes_slots_are_n_minutes_apart_on_the_multiples_of_n(minutes, now):
    every = schedule.Every(minutes)
    before, after = every.previous(now), every.following(now)
    assert before <= now < after
    assert after - before == dt.timedelta(minutes=minutes)
    assert (before - schedule.EPOCH) % dt.timedelta(minutes=minutes) == dt.timedelta(0)


def test_daily_across_midnight():
    late = schedule.Daily(23, 59)
    assert late.previous(at("2025-03-01 00:00:30"), UTC) == at("2025-02-28 23:59")
    assert late.following(at("2025-03-01 00:00:30"), UTC) == at("2025-03-01 23:59")
    berlin = ZoneInfo("Europe/Berlin")
    five = schedule.Daily(5, 0)
    # 02:00 UTC is 04:00 in Berlin (summer time): today's 05:00 is still ahead.
    assert five.previous(at("2025-06-30 02:00"), berlin) == at("2025-06-29 03:00")
    assert five.following(at("2025-06-30 02:00"), berlin) == at("2025-06-30 03:00")
    # 23:30 UTC on 30 June is already 1 July in Berlin.
    assert five.following(at("2025-06-30 23:30"), berlin) == at("2025-07-01 03:00")


def test_daily_on_the_days_new_york_changes_its_clocks():
    new_york = ZoneInfo("America/New_York")
    half_past_two = schedule.Daily(2, 30)
    # 10 March 2024: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist, the run is at 03:30 EDT.
    assert half_past_two.following(at("2024-03-10 05:00"), new_york) == at("2024-03-10 07:30")
    assert half_past_two.previous(at("2024-03-09 08:00"), new_york) == at("2024-03-09 07:30")
    assert half_past_two.following(at("2024-03-10 07:30"), new_york) == at("2024-03-11 06:30")
    # 3 November 2024: 01:00-02:00 happens twice; 01:30 runs once, at the first (EDT, 05:30 UTC).
    half_past_one = schedule.Daily(1, 30)
    after_the_second = at("2024-11-03 06:45")  # 01:45 EST, past the second 01:30 (06:30 UTC)
    assert half_past_one.previous(after_the_second, new_york) == at("2024-11-03 05:30")
    assert half_past_one.following(after_the_second, new_york) == at("2024-11-04 06:30")


def test_daily_uses_the_settings_time_zone(settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    assert schedule.Daily(5, 0).previous(at("2025-06-30 00:00")) == at("2025-06-29 23:30")


def test_cadences_refuse_impossible_values():
    with pytest.raises(ValueError, match="at least 1"):
        schedule.Every(0)
    with pytest.raises(ValueError, match="00:00 to 23:59"):
        schedule.Daily(24, 0)
    assert str(schedule.Every(15)) == "every 15 minutes" and str(schedule.Daily(5, 7)) == "daily at 05:07"


# The registry and the claim -------------------------------------------------------------------

RUNS: list[str] = []


@task()
def note_a_run() -> int:
    RUNS.append("ran")
    return len(RUNS)


@pytest.fixture
def job():
    saved = dict(schedule._registry)
    RUNS.clear()
    registered = schedule.register(schedule.Job("tests.note", schedule.Every(15), note_a_run, "A test job."))
    yield registered
    schedule._registry.clear()
    schedule._registry.update(saved)


def test_the_registry_keeps_declaration_order_and_refuses_a_second_job_under_one_name(job):
    assert schedule.jobs()[-1] is job
    assert schedule.register(job) is job  # declaring the same job again is harmless
    with pytest.raises(ValueError, match="'tests.note' is already registered"):
        schedule.register(schedule.Job("tests.note", schedule.Daily(1), note_a_run))
    with pytest.raises(LookupError, match="No periodic job named 'tests.nope'. Registered: .*tests.note"):
        schedule.get_job("tests.nope")


@pytest.mark.django_db
def test_a_due_job_is_enqueued_once_per_slot(job):
    first = schedule.tick(now=at("2025-06-30 10:07"), registered=[job])
    assert [(e.job.name, e.slot) for e in first] == [("tests.note", at("2025-06-30 10:00"))]
    assert schedule.tick(now=at("2025-06-30 10:14"), registered=[job]) == []
    assert len(schedule.tick(now=at("2025-06-30 10:15"), registered=[job])) == 1
    assert RUNS == ["ran", "ran"]
    run = ScheduledRun.objects.get(name="tests.note")
    assert (run.last_slot, run.enqueued, run.last_trigger) == (at("2025-06-30 10:15"), 2, "schedule")
    assert run.last_task_id and run.last_enqueued_at == at("2025-06-30 10:15")


@pytest.mark.django_db
def test_two_schedulers_enqueue_a_slot_once_even_when_one_clock_is_behind(job):
    slot = at("2025-06-30 10:00")
    assert schedule.claim_and_enqueue(job, slot) is not None
    assert schedule.claim_and_enqueue(job, slot) is None  # the second scheduler, same slot
    assert schedule.claim_and_enqueue(job, at("2025-06-30 09:45")) is None  # a scheduler whose clock lags
    assert RUNS == ["ran"]
    assert ScheduledRun.objects.get(name="tests.note").enqueued == 1


@pytest.mark.django_db
def test_missed_slots_run_once_late_not_once_each(job):
    schedule.tick(now=at("2025-06-30 10:01"), registered=[job])
    assert len(schedule.tick(now=at("2025-07-03 18:20"), registered=[job])) == 1  # 300 slots missed
    assert RUNS == ["ran", "ran"]
    assert ScheduledRun.objects.get(name="tests.note").last_slot == at("2025-07-03 18:15")


@pytest.mark.django_db
def test_an_enqueue_that_fails_leaves_the_slot_to_the_next_tick(job, monkeypatch, caplog):
    def broken(job):
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(schedule, "_enqueue", broken)
    assert schedule.tick(now=at("2025-06-30 10:07"), registered=[job]) == []
    assert "Could not enqueue the periodic job tests.note" in caplog.text
    assert not ScheduledRun.objects.filter(name="tests.note", last_slot__isnull=False).exists()
    monkeypatch.undo()
    assert len(schedule.tick(now=at("2025-06-30 10:08"), registered=[job])) == 1
    assert RUNS == ["ran"]


@pytest.mark.django_db
def test_a_run_by_hand_leaves_the_schedule_alone(job):
    enqueued = schedule.run_now("tests.note")
    assert enqueued.slot is None and RUNS == ["ran"]
    run = ScheduledRun.objects.get(name="tests.note")
    assert (run.last_trigger, run.last_slot, run.enqueued) == ("manual", None, 1)
    assert len(schedule.tick(now=at("2025-06-30 10:07"), registered=[job])) == 1


@pytest.mark.django_db
def test_states_say_what_is_due_and_when_next(job):
    now = at("2025-06-30 10:07")
    state = next(s for s in schedule.states(now=now) if s.job is job)
    assert state.due_now and state.next_run == at("2025-06-30 10:00") and state.run is None
    schedule.tick(now=now, registered=[job])
    state = next(s for s in schedule.states(now=now) if s.job is job)
    assert not state.due_now and state.next_run == at("2025-06-30 10:15") and state.run.enqueued == 1


@pytest.mark.django_db
def test_schedule_list_and_run_commands(job):
    out = StringIO()
    call_command("schedule", "list", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("tests.note"))
    assert "every 15 minutes" in line and "never" in line and "due now" in line
    out = StringIO()
    call_command("schedule", "run", "tests.note", stdout=out)
    assert "Enqueued tests.note as task" in out.getvalue() and RUNS == ["ran"]
    out = StringIO()
    call_command("schedule", "list", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("tests.note"))
    assert "never" not in line.split("every 15 minutes")[1].split("due now")[0] and "by hand" in line
    with pytest.raises(CommandError, match="No periodic job named 'tests.nope'"):
        call_command("schedule", "run", "tests.nope")


@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_enqueue_a_slot_once(job):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need PostgreSQL here (the worker test covers two processes on SQLite)")
    ScheduledRun.objects.create(name=job.name)
    slot, start = at("2025-06-30 10:00"), threading.Barrier(6)
    results = []

    def scheduler():
        try:
            start.wait()
            results.append(schedule.claim_and_enqueue(job, slot))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6
    assert sum(r is not None for r in results) == 1
    assert RUNS == ["ran"] and ScheduledRun.objects.get(name=job.name).enqueued == 1
