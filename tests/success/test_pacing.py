"""Pacing, with the seed's own numbers and the edge cases, then properties for any input."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from paceline.success import pacing
from paceline.success.pacing import MetricSpec, Point, evaluate

SEASON_START = dt.date(2016, 9, 3)
DISTRICTS = SEASON_START + dt.timedelta(weeks=8)


def seconds(text: str) -> float:
    return float(pacing.parse_value("duration", text))


RACE = MetricSpec(
    direction="lower", unit="duration",
    baseline=Point(SEASON_START, seconds("27:00")), target=Point(DISTRICTS, seconds("19:00")),
)


def test_two_miles_is_eight_laps_and_19_00_needs_2_22_5_a_lap():
    start, finish = dt.date(2016, 10, 1), dt.date(2016, 10, 1) + dt.timedelta(days=8)
    laps = pacing.even_checkpoints(Point(start, 0.0), Point(finish, seconds("19:00")), 8)
    spec = MetricSpec("higher", Point(start, 0.0), Point(finish, seconds("19:00")), "duration", tuple(laps))
    splits = pacing.checkpoint_paces(spec, [], start)
    assert [c.split for c in splits] == [142.5] * 8
    assert pacing.format_value("duration", splits[0].split) == "2:22.5"
    assert laps[-1].value == seconds("19:00")


@pytest.mark.parametrize(
    ("week", "time", "coach_says"),
    [
        (1, "21:00", "ahead"),  # six minutes off in a week: far ahead of what 19:00 needs
        (2, "18:54", "hit"),  # under 19:00
        (3, "19:27", "ahead"),  # slipped back over, but 27 s to find in five weeks at her rate
        (4, "19:17", "ahead"),
        (5, "18:44", "hit"),
        (6, "18:22", "hit"),
        (7, "18:41", "hit"),
    ],
)
def test_the_race_status_after_each_meet(week, time, coach_says):
    times = ["21:00", "18:54", "19:27", "19:17", "18:44", "18:22", "18:41"]
    meets = [Point(SEASON_START + dt.timedelta(weeks=i + 1), seconds(t)) for i, t in enumerate(times[:week])]
    pace = evaluate(RACE, meets, today=meets[-1].on, fmt=lambda v: pacing.format_value("duration", v))
    assert pace.current.value == seconds(time)
    assert pace.status == coach_says, pace.rule


def test_the_season_ends_hit_because_the_last_meet_before_districts_was_under_19():
    meets = [Point(SEASON_START + dt.timedelta(weeks=i + 1), seconds(t))
             for i, t in enumerate(["21:00", "18:54", "19:27", "19:17", "18:44", "18:22", "18:41"])]
    pace = evaluate(RACE, meets, today=DISTRICTS + dt.timedelta(days=3))
    assert pace.status == "hit"
    assert pace.best.value == seconds("18:22")


def test_a_plateau_over_the_target_falls_behind_then_at_risk():
    times = ["21:00", "20:10", "19:55", "19:50", "19:48", "19:47"]
    meets = [Point(SEASON_START + dt.timedelta(weeks=i + 1), seconds(t)) for i, t in enumerate(times)]
    at_week_4 = evaluate(RACE, meets[:4], today=meets[3].on)
    at_week_6 = evaluate(RACE, meets, today=meets[5].on)
    assert at_week_4.status == "ahead"  # still dropping 22 s a week where 12.5 are needed
    assert at_week_6.status == "at_risk"  # a second a week, with 47 s to find in two weeks
    assert "needed" in at_week_6.rule


def test_no_measurement_yet_is_no_data_then_at_risk_when_half_the_time_is_gone():
    assert evaluate(RACE, [], today=SEASON_START + dt.timedelta(days=3)).status == "no_data"
    assert evaluate(RACE, [], today=SEASON_START + dt.timedelta(days=40)).status == "at_risk"


def test_a_baseline_equal_to_the_target_is_already_hit():
    spec = MetricSpec("higher", Point(SEASON_START, 50), Point(DISTRICTS, 50))
    assert evaluate(spec, [], today=SEASON_START).status == "hit"


def test_a_target_date_that_passed_unmet_is_missed_even_if_met_later():
    spec = MetricSpec("higher", Point(SEASON_START, 0), Point(DISTRICTS, 100))
    late = [Point(DISTRICTS - dt.timedelta(days=1), 80), Point(DISTRICTS + dt.timedelta(days=5), 120)]
    pace = evaluate(spec, late, today=DISTRICTS + dt.timedelta(days=10))
    assert pace.status == "missed"
    assert "came after it" in pace.rule


def test_a_measurement_after_the_target_date_does_not_count_for_the_target():
    spec = MetricSpec("higher", Point(SEASON_START, 0), Point(DISTRICTS, 100))
    pace = evaluate(spec, [Point(DISTRICTS + dt.timedelta(days=1), 150)], today=DISTRICTS + dt.timedelta(days=2))
    assert pace.status == "missed"


def test_non_uniform_intervals_use_real_dates():
    spec = MetricSpec("higher", Point(dt.date(2026, 1, 1), 0), Point(dt.date(2026, 12, 31), 365))
    # 10 on 11 Jan, then 100 on 11 Apr: 90/90 = 1 a day, exactly the required pace.
    points = [Point(dt.date(2026, 1, 11), 10), Point(dt.date(2026, 4, 11), 100)]
    pace = evaluate(spec, points, today=dt.date(2026, 4, 11))
    assert pace.actual_rate == pytest.approx(1.0)
    assert pace.required_rate == pytest.approx(265 / 264)
    assert pace.status == "behind" or pace.status == "on_pace"


def test_a_metric_moving_the_wrong_way_is_behind_early_and_at_risk_late():
    spec = MetricSpec("higher", Point(dt.date(2026, 1, 1), 10), Point(dt.date(2026, 12, 31), 100))
    early = [Point(dt.date(2026, 2, 1), 12), Point(dt.date(2026, 3, 1), 11)]
    late = [Point(dt.date(2026, 8, 1), 12), Point(dt.date(2026, 9, 1), 11)]
    assert evaluate(spec, early, today=dt.date(2026, 3, 1)).status == "behind"
    assert evaluate(spec, late, today=dt.date(2026, 9, 1)).status == "at_risk"


def test_checkpoints_report_each_lap():
    spec = MetricSpec(
        "higher", Point(dt.date(2026, 1, 1), 0), Point(dt.date(2026, 12, 31), 100), "count",
        (Point(dt.date(2026, 3, 31), 25), Point(dt.date(2026, 6, 30), 50)),
    )
    laps = evaluate(spec, [Point(dt.date(2026, 3, 30), 30), Point(dt.date(2026, 6, 1), 40)],
                    today=dt.date(2026, 7, 15)).checkpoints
    assert [(c.state, c.split, c.value_then) for c in laps] == [("reached", 25, 30), ("missed", 25, 40)]


def test_renegotiation_keeps_the_same_fifty_people():
    same = pacing.equivalence(unit="percent", old_target=50, old_denominator=100, new_target=25, new_denominator=200)
    assert (same.old_absolute, same.new_absolute, same.held) == (50, 50, True)
    different = pacing.equivalence(unit="percent", old_target=50, old_denominator=100, new_target=50, new_denominator=200)
    assert different.held is False and different.new_absolute == 100


@pytest.mark.parametrize(
    ("unit", "text", "value"),
    [("duration", "19:27", "1167"), ("duration", "1:02:03", "3723"), ("duration", "95", "95"),
     ("percent", "45%", "45"), ("currency", "$1,200.50", "1200.50"), ("count", "1,000", "1000")],
)
def test_values_as_people_write_them(unit, text, value):
    assert pacing.parse_value(unit, text) == Decimal(value)


@pytest.mark.parametrize(("unit", "text"), [("duration", "19:xx"), ("count", "lots"), ("percent", ""), ("count", "NaN")])
def test_values_that_are_not_numbers_are_refused(unit, text):
    with pytest.raises(ValueError):
        pacing.parse_value(unit, text)


def test_validation_names_the_field():
    errors = pacing.validate_metric(unit="percent", direction="higher", baseline=40, target=30,
                                    baseline_date=dt.date(2026, 5, 1), target_date=dt.date(2026, 4, 1))
    assert set(errors) == {"target", "target_date"}
    assert pacing.validate_metric(unit="percent", direction="higher", baseline=0, target=120,
                                  baseline_date=dt.date(2026, 1, 1), target_date=dt.date(2026, 4, 1)) == {
        "target": "A percent value cannot be above 100."}


def test_checkpoints_that_go_backwards_or_beyond_are_named():
    spec = MetricSpec("higher", Point(dt.date(2026, 1, 1), 0), Point(dt.date(2026, 12, 31), 100))
    problems = pacing.validate_checkpoints(spec, [Point(dt.date(2026, 3, 1), 60), Point(dt.date(2026, 6, 1), 40),
                                                  Point(dt.date(2027, 2, 1), 100)])
    assert any("2026-06-01" in p and "backwards" in p for p in problems)
    assert any("2027-02-01" in p and "outside" in p for p in problems)


# Properties ------------------------------------------------------------------------------------

values = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
day_offsets = st.integers(min_value=1, max_value=700)


@st.composite
def scenarios(draw):
    direction = draw(st.sampled_from(["higher", "lower"]))
    start = dt.date(2025, 1, 1)
    length = draw(st.integers(min_value=7, max_value=730))
    a, b = draw(values), draw(values)
    baseline, target = (min(a, b), max(a, b)) if direction == "higher" else (max(a, b), min(a, b))
    spec = MetricSpec(direction, Point(start, baseline), Point(start + dt.timedelta(days=length), target))
    offsets = sorted(set(draw(st.lists(st.integers(min_value=0, max_value=length + 60), max_size=8))))
    points = [Point(start + dt.timedelta(days=o), draw(values)) for o in offsets]
    today = start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=length + 90)))
    return spec, points, today


@given(scenarios())
def test_every_evaluation_has_a_known_status_and_a_rule(scenario):
    spec, points, today = scenario
    pace = evaluate(spec, points, today)
    assert pace.status in pacing.STATUSES
    assert pace.rule
    assert 0.0 <= pace.elapsed <= 1.0


@given(scenarios())
def test_hit_means_a_value_that_meets_the_target(scenario):
    spec, points, today = scenario
    pace = evaluate(spec, points, today)
    if pace.status == "hit":
        value = pace.current.value if pace.current else spec.baseline.value
        assert pacing.meets(value, spec.target.value, spec.direction)
    if pace.current is not None and today <= spec.target.on and pacing.meets(pace.current.value, spec.target.value, spec.direction):
        assert pace.status == "hit"


@given(scenarios(), st.integers(min_value=1, max_value=400))
def test_after_the_target_date_only_hit_or_missed(scenario, days_after):
    spec, points, _ = scenario
    today = spec.target.on + dt.timedelta(days=days_after)
    assert evaluate(spec, points, today).status in {"hit", "missed"}


@given(scenarios())
def test_the_projection_stays_within_the_units_bounds(scenario):
    spec, points, today = scenario
    pace = evaluate(spec, points, today)
    if pace.projected is not None:
        assert pace.projected >= 0


@given(scenarios(), st.floats(min_value=0.01, max_value=1e4))
def test_a_better_latest_value_never_makes_the_status_worse(scenario, improvement):
    spec, points, today = scenario
    known = [p for p in points if p.on <= today]
    assume(known and today <= spec.target.on)
    better = [*known[:-1], Point(known[-1].on, max(0.0, known[-1].value + spec.sign * improvement))]
    before, after = evaluate(spec, known, today), evaluate(spec, better, today)
    assert pacing.STATUS_RANK[after.status] >= pacing.STATUS_RANK[before.status]


@given(st.sampled_from(["higher", "lower"]), values, values, st.dates(dt.date(2025, 1, 1), dt.date(2027, 1, 1)))
def test_the_pace_line_runs_from_baseline_to_target(direction, a, b, on):
    spec = MetricSpec(direction, Point(dt.date(2025, 6, 1), a), Point(dt.date(2026, 6, 1), b))
    value = pacing.pace_line(spec, on)
    assert min(a, b) - 1e-6 <= value <= max(a, b) + 1e-6
    assert pacing.pace_line(spec, spec.baseline.on) == a
    assert pacing.pace_line(spec, spec.target.on) == b


def test_a_goal_is_as_healthy_as_its_weakest_measured_metric():
    assert pacing.worst(["ahead", "behind", "hit"]) == "behind"
    assert pacing.worst(["ahead", "no_data"]) == "ahead"
    assert pacing.worst(["no_data", "no_data"]) == "no_data"
    assert pacing.worst([]) == ""
    assert pacing.worst(["at_risk", "no_data"]) == "at_risk"
