"""The rules benchmark's own code at a tiny size: it builds what it says and measures real work.

Counts only: the times depend on the machine and belong in docs/PERFORMANCE.md, not in a test.
One run serves every check, because building the book is the slow part.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from benchmarks import rules, rules_data
from paceline.automation.models import Delivery, Rule
from paceline.core.models import ActivityEvent
from paceline.customers.models import Account, Contact, Interaction, Task

SIZE = 300
SAMPLE = 20


def _check_built(result, started):
    day = sum(max(1, round(SIZE * share)) for _, share in rules_data.DAY)
    assert (Account.objects.count(), Contact.objects.count(), Interaction.objects.count()) == (SIZE, 3 * SIZE, 4 * SIZE)
    # The day's events all happened a minute or more before the run; the engine's own came after.
    assert result["events"] == day == ActivityEvent.objects.filter(occurred_at__lt=started - dt.timedelta(seconds=30)).count()
    assert result["rules"] == Rule.objects.count() == 50
    assert set(Rule.objects.values_list("trigger", flat=True)) == {
        "health_changed", "usage_dropped", "key_contact_left", "commitment_missed", "touchpoint_missed",
        "survey_answered", "goal_behind", "entered_segment_or_stage", "no_interaction", "renewal_in"}


def _check_engine(result):
    engine = result["engine"]
    events, scheduled = engine["events"]["summary"], engine["scheduled"]["summary"]
    assert events["events"] == result["events"]  # read the whole day
    assert engine["firings"] == events["fired"] + events["capped"] + scheduled["fired"] + scheduled["capped"] > 0
    assert engine["tasks"] == Task.objects.filter(source="rule").count() > 0
    assert engine["deliveries"] == Delivery.objects.count()
    # Yesterday's firings of the scheduled rules are found again and deduplicated, not fired twice.
    assert scheduled["skipped_duplicate"] == result["seeded_firings"] > 0


def _check_baseline(result):
    baseline = result["baseline"]
    assert baseline["sample"] == SAMPLE
    assert baseline["agree"] and baseline["sample_firings"] == baseline["engine_sample_firings"]
    assert baseline["queries"] > result["engine"]["queries"]


@pytest.mark.django_db
def test_the_benchmark_builds_its_book_and_measures_both_evaluators():
    started = timezone.now()
    result = rules.measure(SIZE, baseline_sample=SAMPLE, seed=6, analyze=False)

    _check_built(result, started)
    _check_engine(result)
    _check_baseline(result)
    text = rules.report(result)
    assert f"naive baseline (extrapolated from {SAMPLE} accounts)" in text
    assert f"{result['engine']['firings']:,} firings" in text and "the same (rule, account, cause, status)" in text
    assert rules.scaling([result, result]).count(f"| {SIZE:,} |") == 2


def test_the_sample_is_spread_over_the_book():
    assert rules.sample_ids(1000, 4) == [1, 251, 501, 751]
    assert rules.sample_ids(3, 10) == [1, 2, 3]
