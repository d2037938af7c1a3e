"""The metrics job: incremental equals full, dirty days, new days, the command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from paceline.usage import compute
from paceline.usage.models import (
    AccountFeatureWeek,
    AccountUsageDay,
    AccountUserActivity,
    DirtyDay,
    KeyFeature,
    UnmatchedGroup,
)
from tests.factories import AccountFactory, SubscriptionFactory
from tests.usage.metrics_data import Ev, write

D0 = dt.date(2026, 5, 4)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def usage_dir(settings, tmp_path):
    settings.USAGE_DIR = tmp_path / "usage"
    return settings.USAGE_DIR


def snapshot() -> dict:
    def rows(model, *exclude):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in {"id", *exclude}]
        return sorted(tuple(r) for r in model.objects.values_list(*fields))

    return {
        "days": rows(AccountUsageDay),
        "weeks": rows(AccountFeatureWeek),
        "users": rows(AccountUserActivity),
        "unmatched": rows(UnmatchedGroup),
    }


@pytest.fixture
def book(db):
    acme = AccountFactory(external_id="acme")
    beta = AccountFactory(external_id="beta")
    SubscriptionFactory(account=acme, seats=8, start_date=day(0), end_date=day(200))
    KeyFeature.objects.create(key="export", name="Export", event_names=["Exported"])
    write([Ev(day(n), "acme", f"u{n % 4}", event="Exported" if n % 5 == 0 else "Viewed") for n in range(0, 90, 2)]
          + [Ev(day(n), "beta", f"b{n % 3}") for n in range(10, 90, 7)]
          + [Ev(day(20), "ghost", "g1")])
    return acme, beta


def test_an_incremental_run_after_a_late_event_equals_a_full_recompute(book):
    first = compute.usage_compute(today=day(100))
    assert first.start == day(0) and first.days == 101
    before = snapshot()
    # A late event for a past day, marked dirty the way the compactor does.
    late = write([Ev(day(45), "beta", "late-user", event="Exported"), Ev(day(46), "ghost", "g2")])
    DirtyDay.objects.bulk_create([DirtyDay(day=d) for d in late])
    incremental = compute.usage_compute(today=day(100))
    assert incremental.start == day(45) and incremental.days == 56
    assert incremental.dirty_days_cleared == 2 and not DirtyDay.objects.exists()
    after = snapshot()
    assert after != before  # the late event changed something (beta's windows, the ghost group)
    compute.usage_compute(today=day(100), full=True)
    assert snapshot() == after


def test_a_daily_run_computes_only_the_new_days(book):
    compute.usage_compute(today=day(95))
    kept = AccountUsageDay.objects.get(account=book[0], day=day(50)).pk
    report = compute.usage_compute(today=day(100))
    assert (report.start, report.days) == (day(96), 5)
    assert AccountUsageDay.objects.get(account=book[0], day=day(50)).pk == kept  # untouched
    incremental = snapshot()
    compute.usage_compute(today=day(100), full=True)
    assert snapshot()["days"] == incremental["days"]


def test_a_nightly_run_reads_only_the_months_its_windows_need_and_equals_a_full_run(book):
    first = compute.usage_compute(today=day(100))
    assert first.read_from is None  # the first run reads everything...
    assert first.history_until == dt.date(2026, 6, 1)  # ...and keeps what the older months hold
    nightly = compute.usage_compute(today=day(101))
    assert nightly.read_from == dt.date(2026, 6, 1) and nightly.start == day(101)
    seen = {r.user_id: r.first_seen for r in AccountUserActivity.objects.filter(account=book[0])}
    assert seen == {"u0": day(0), "u2": day(2)}  # first seen in May, a month this run did not read
    incremental = snapshot()
    compute.usage_compute(today=day(101), full=True)
    assert snapshot() == incremental


def test_a_late_event_before_the_kept_history_makes_the_run_read_everything(book):
    compute.usage_compute(today=day(100))
    late = write([Ev(day(3), "ghost", "g9"), Ev(day(4), "beta", "b-early")])
    DirtyDay.objects.bulk_create([DirtyDay(day=d) for d in late])
    report = compute.usage_compute(today=day(101))
    assert report.read_from is None and report.start == day(3)
    assert UnmatchedGroup.objects.get(group_id="ghost").first_seen == day(3)
    incremental = snapshot()
    compute.usage_compute(today=day(101), full=True)
    assert snapshot() == incremental


def test_events_put_in_an_old_month_by_hand_are_not_missed(book):
    compute.usage_compute(today=day(100))
    assert AccountUserActivity.objects.get(user_id="b1").first_seen == day(10)
    write([Ev(day(1), "beta", "b1")])  # no dirty day: a file dropped into the store by hand
    report = compute.usage_compute(today=day(101))
    assert report.read_from is None  # the kept history no longer matches May's files
    assert AccountUserActivity.objects.get(user_id="b1").first_seen == day(1)
    assert compute.usage_compute(today=day(102)).read_from == dt.date(2026, 6, 1)  # kept again
    assert AccountUserActivity.objects.get(user_id="b1").first_seen == day(1)


def test_a_run_with_nothing_new_writes_nothing(book):
    compute.usage_compute(today=day(100))
    report = compute.usage_compute(today=day(100))
    assert report.days == 0 and report.usage_days == 0 and "up to date" in report.notes


def test_dirty_days_after_today_are_kept_for_a_later_run(book):
    compute.usage_compute(today=day(100))
    DirtyDay.objects.create(day=day(150))
    compute.usage_compute(today=day(101))
    assert list(DirtyDay.objects.values_list("day", flat=True)) == [day(150)]


def test_no_events_means_no_snapshot(db):
    AccountFactory(external_id="acme")
    report = compute.usage_compute(today=day(10))
    assert report.days == 0 and not AccountUsageDay.objects.exists()


def test_changing_seats_restates_past_utilisation_at_the_next_run(book):
    acme = book[0]
    compute.usage_compute(today=day(100))
    before = AccountUsageDay.objects.get(account=acme, day=day(50))
    assert before.seats == 8 and before.utilisation == pytest.approx(before.active_30d / 8)
    subscription = acme.subscriptions.get()
    subscription.seats = 4
    subscription.save()
    assert list(DirtyDay.objects.values_list("day", flat=True)) == [day(0)]  # acme's first computed day
    report = compute.usage_compute(today=day(100))
    assert report.start == day(0)
    after = AccountUsageDay.objects.get(account=acme, day=day(50))
    assert after.seats == 4 and after.utilisation == pytest.approx(after.active_30d / 4)
    subscription.delete()
    compute.usage_compute(today=day(100))
    gone = AccountUsageDay.objects.get(account=acme, day=day(50))
    assert gone.seats is None and gone.utilisation is None


def test_a_subscription_moved_to_start_later_restates_the_days_it_no_longer_covers(book):
    acme = book[0]
    compute.usage_compute(today=day(100))
    assert AccountUsageDay.objects.get(account=acme, day=day(10)).seats == 8
    subscription = acme.subscriptions.get()
    subscription.start_date = day(40)
    subscription.save()
    assert list(DirtyDay.objects.values_list("day", flat=True)) == [day(0)]  # the old start, not the new
    compute.usage_compute(today=day(100))
    assert AccountUsageDay.objects.get(account=acme, day=day(10)).seats is None
    assert AccountUsageDay.objects.get(account=acme, day=day(50)).seats == 8


def test_a_subscription_of_an_account_without_snapshots_marks_nothing(book):
    SubscriptionFactory(account=book[1], seats=3, start_date=day(0), end_date=day(100))  # nothing computed yet
    compute.usage_compute(today=day(100))
    SubscriptionFactory(account=AccountFactory(external_id="new"), seats=3, start_date=day(0), end_date=day(100))
    assert not DirtyDay.objects.exists()


def test_the_command_computes_and_says_what_it_did(book):
    out = io.StringIO()
    call_command("usage", "compute", "--today", day(100).isoformat(), stdout=out)
    text = out.getvalue()
    assert f"Computed 101 days ({day(0)} to {day(100)}) on duckdb for 2 accounts" in text
    assert AccountUsageDay.objects.filter(day=day(100)).count() == 2
    out = io.StringIO()
    call_command("usage", "compute", "--today", day(100).isoformat(), stdout=out)
    assert "up to date" in out.getvalue()


def test_the_command_refuses_an_unknown_engine(book):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("usage", "compute", "--engine", "oracle")


def test_the_compact_subcommand_drains_the_inbox_and_prints_its_report(db):
    out = io.StringIO()
    call_command("usage", "compact", stdout=out)
    assert out.getvalue().startswith("Compacted: ") and "batches 0" in out.getvalue()
