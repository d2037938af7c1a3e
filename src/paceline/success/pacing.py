"""Pacing: is a success metric on its way to its target by its date?

Pure functions over plain data (no database): dates, floats and small frozen dataclasses. The
method is documented in ``docs/pacing.md``; in short:

- the **pace line** runs straight from the baseline through each checkpoint (lap) to the target;
- the **actual rate** is the least-squares slope of the latest measurements (at most
  ``TREND_WINDOW``; with a single measurement, the slope from the baseline to it), so an early
  leap or an old plateau does not dominate the projection;
- the **required rate** is what is left to gain divided by the days left from the latest
  measurement to the target date;
- the **projection** is the latest value carried forward at the actual rate to the target date,
  kept within the unit's bounds (a percentage stays within 0-100, a count or a time above 0);
- the **status** compares them, in this order: hit, missed, no data, then the ratio of actual
  to required rate (ahead, on pace, behind, at risk). Every status carries the rule that set it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

TREND_WINDOW = 4
AHEAD_RATIO = 1.25  # gaining at least this much faster than required, and ahead of the pace line
BEHIND_RATIO = 0.5  # gaining at least half as fast as required: behind, but recoverable
NO_DATA_GRACE = 0.5  # share of the time that may pass without a measurement before it is at risk

STATUSES = ("no_data", "ahead", "on_pace", "behind", "at_risk", "hit", "missed")
STATUS_RANK = {"missed": 0, "at_risk": 1, "no_data": 2, "behind": 3, "on_pace": 4, "ahead": 5, "hit": 6}

BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "count": (0.0, None),
    "percent": (0.0, 100.0),
    "currency": (0.0, None),
    "duration": (0.0, None),
    "days": (0.0, None),
    "ratio": (None, None),
    "score": (None, None),
}


@dataclass(frozen=True)
class Point:
    on: dt.date
    value: float


@dataclass(frozen=True)
class MetricSpec:
    direction: str  # "higher" or "lower"
    baseline: Point
    target: Point
    unit: str = "count"
    checkpoints: tuple[Point, ...] = ()

    @property
    def sign(self) -> int:
        return 1 if self.direction == "higher" else -1


@dataclass(frozen=True)
class CheckpointPace:
    due_on: dt.date
    target: float
    split: float  # the change required since the previous checkpoint (or the baseline)
    days: int  # days since the previous checkpoint (or the baseline)
    split_per_day: float
    state: str  # "reached", "missed" or "upcoming"
    value_then: float | None  # the latest measurement on or before its date


@dataclass(frozen=True)
class Pace:
    status: str
    rule: str
    current: Point | None
    best: Point | None
    required_rate: float | None  # per day, signed (negative when lower is better)
    actual_rate: float | None  # per day, signed
    projected: float | None  # at the target date
    pace_line_today: float
    progress: float  # share of the baseline-to-target distance covered by the current value
    elapsed: float  # share of the baseline-to-target time gone by today
    checkpoints: tuple[CheckpointPace, ...]


def meets(value: float, target: float, direction: str) -> bool:
    return value >= target if direction == "higher" else value <= target


def clamp(value: float, unit: str) -> float:
    low, high = BOUNDS.get(unit, (None, None))
    if low is not None:
        value = max(low, value)
    if high is not None:
        value = min(high, value)
    return value


def pace_line(spec: MetricSpec, on: dt.date) -> float:
    """The value the plan expects on a day: straight lines baseline -> checkpoints -> target."""
    knots = [spec.baseline, *sorted(spec.checkpoints, key=lambda p: p.on), spec.target]
    if on <= knots[0].on:
        return knots[0].value
    for left, right in zip(knots, knots[1:], strict=False):
        if on == right.on:
            return right.value
        if on < right.on:
            span = (right.on - left.on).days or 1
            return left.value + (right.value - left.value) * (on - left.on).days / span
    return knots[-1].value


def trend(points: Sequence[Point]) -> float | None:
    """Least-squares slope (value per day) of the points; None with fewer than two distinct days."""
    if len(points) < 2:
        return None
    origin = points[0].on
    xs = [(p.on - origin).days for p in points]
    ys = [p.value for p in points]
    mean_x = sum(xs) / len(xs)
    mean_y = sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx


def even_checkpoints(baseline: Point, target: Point, laps: int) -> list[Point]:
    """Split the way from baseline to target into ``laps`` equal laps (the last is the target)."""
    if laps < 1:
        raise ValueError("laps must be at least 1")
    days = (target.on - baseline.on).days
    return [
        Point(
            on=baseline.on + dt.timedelta(days=round(days * i / laps)),
            value=baseline.value + (target.value - baseline.value) * i / laps,
        )
        for i in range(1, laps + 1)
    ]


def checkpoint_paces(spec: MetricSpec, measurements: Sequence[Point], today: dt.date) -> tuple[CheckpointPace, ...]:
    result = []
    previous = spec.baseline
    for checkpoint in sorted(spec.checkpoints, key=lambda p: p.on):
        days = max((checkpoint.on - previous.on).days, 1)
        split = checkpoint.value - previous.value
        then = [m for m in measurements if m.on <= checkpoint.on]
        value_then = then[-1].value if then else None
        if checkpoint.on > today:
            state = "reached" if value_then is not None and meets(value_then, checkpoint.value, spec.direction) else "upcoming"
        else:
            state = "reached" if value_then is not None and meets(value_then, checkpoint.value, spec.direction) else "missed"
        result.append(CheckpointPace(checkpoint.on, checkpoint.value, split, days, split / days, state, value_then))
        previous = checkpoint
    return tuple(result)


def _progress(spec: MetricSpec, value: float) -> float:
    distance = spec.target.value - spec.baseline.value
    if distance == 0:
        return 1.0
    return (value - spec.baseline.value) / distance


def evaluate(spec: MetricSpec, measurements: Sequence[Point], today: dt.date, fmt=None) -> Pace:
    """The pace of one metric on ``today``. ``fmt`` formats values in the rule's text."""
    fmt = fmt or (lambda v: f"{v:g}")
    sign = spec.sign
    known = sorted((m for m in measurements if m.on <= today), key=lambda m: m.on)
    total_days = max((spec.target.on - spec.baseline.on).days, 1)
    elapsed = min(max((today - spec.baseline.on).days / total_days, 0.0), 1.0)
    line_today = pace_line(spec, min(today, spec.target.on))
    laps = checkpoint_paces(spec, known, today)
    best = max(known, key=lambda m: sign * m.value) if known else None

    def pace(status, rule, *, current=None, required=None, actual=None, projected=None):
        progress = _progress(spec, current.value) if current else 0.0
        return Pace(status, rule, current, best, required, actual, projected, line_today, progress, elapsed, laps)

    on_time = [m for m in known if m.on <= spec.target.on]
    if today > spec.target.on:
        last = on_time[-1] if on_time else None
        if last is not None and meets(last.value, spec.target.value, spec.direction):
            return pace("hit", f"{fmt(last.value)} on {last.on:%d %b %Y} met the target of "
                               f"{fmt(spec.target.value)} by {spec.target.on:%d %b %Y}.", current=last)
        late = [m for m in known if m.on > spec.target.on and meets(m.value, spec.target.value, spec.direction)]
        if late:
            return pace("missed", f"The target date {spec.target.on:%d %b %Y} passed unmet; "
                                  f"{fmt(late[0].value)} on {late[0].on:%d %b %Y} came after it.", current=last)
        if last is None:
            return pace("missed", f"The target date {spec.target.on:%d %b %Y} passed with no measurement.")
        return pace("missed", f"The target date {spec.target.on:%d %b %Y} passed at {fmt(last.value)}, "
                              f"short of {fmt(spec.target.value)}.", current=last)

    if not known:
        if meets(spec.baseline.value, spec.target.value, spec.direction):
            return pace("hit", f"The baseline {fmt(spec.baseline.value)} already meets the target.")
        if elapsed >= NO_DATA_GRACE:
            return pace("at_risk", f"{elapsed:.0%} of the time has passed with no measurement.")
        return pace("no_data", "No measurement yet.")

    current = known[-1]
    if meets(current.value, spec.target.value, spec.direction):
        return pace("hit", f"{fmt(current.value)} on {current.on:%d %b %Y} meets the target of "
                           f"{fmt(spec.target.value)}.", current=current)

    window = known[-TREND_WINDOW:]
    if len(window) < 2:
        window = [spec.baseline, *window] if spec.baseline.on < current.on else window
    actual = trend(window)
    days_left = (spec.target.on - current.on).days
    to_gain = spec.target.value - current.value
    if days_left <= 0:
        return pace("at_risk", f"{fmt(abs(to_gain))} still to go and the target is due today.",
                    current=current, actual=actual, projected=current.value)
    required = to_gain / days_left
    projected = clamp(current.value + (actual or 0.0) * days_left, spec.unit)
    said = (f"{fmt(abs(to_gain))} to go in {days_left} days: {_rate(required, fmt)} needed, "
            f"{_rate(actual, fmt) if actual is not None else 'no trend yet'} so far")
    kwargs = {"current": current, "required": required, "actual": actual, "projected": projected}
    # The gap is positive (the target is not met), so this ratio of progress to need is defined
    # even when the required rate underflows to zero.
    ratio = (sign * actual * days_left) / (sign * to_gain) if actual is not None else 0.0
    ahead_of_line = meets(current.value, line_today, spec.direction)
    if ratio >= AHEAD_RATIO and ahead_of_line:
        return pace("ahead", f"{said}; ahead of the pace line ({fmt(line_today)} today), "
                             f"projected {fmt(projected)} by {spec.target.on:%d %b %Y}.", **kwargs)
    if ratio >= 1:
        return pace("on_pace", f"{said}; projected {fmt(projected)} by {spec.target.on:%d %b %Y}.", **kwargs)
    if ratio >= BEHIND_RATIO:
        return pace("behind", f"{said}; at this rate {fmt(projected)} by {spec.target.on:%d %b %Y}.", **kwargs)
    moving = "not moving toward the target" if ratio <= 0 else "less than half the pace needed"
    if elapsed < NO_DATA_GRACE:
        return pace("behind", f"{said}; {moving}, with time to recover.", **kwargs)
    return pace("at_risk", f"{said}; {moving} with {elapsed:.0%} of the time gone.", **kwargs)


def _rate(rate: float | None, fmt) -> str:
    if rate is None:
        return "no trend"
    per_week = rate * 7
    return f"{'+' if per_week >= 0 else '−'}{fmt(abs(per_week))} a week"


def worst(statuses: Sequence[str]) -> str:
    """A goal is as healthy as its weakest measured metric.

    A metric not measured yet says nothing about the others, so it only counts when no metric
    of the goal is measured (then the goal is not measured yet either).
    """
    measured = [s for s in statuses if s != "no_data"] or list(statuses)
    return min(measured, key=STATUS_RANK.__getitem__) if measured else ""


# Validation ------------------------------------------------------------------------------------


def validate_metric(*, unit, direction, baseline, baseline_date, target, target_date, denominator=None) -> dict:
    """Errors by field name for a metric definition (empty when it is sound)."""
    errors: dict[str, str] = {}
    if None in (baseline, target, baseline_date, target_date):
        return errors  # the missing fields are reported by the form or model first
    if direction not in ("higher", "lower"):
        errors["direction"] = "Use 'higher' or 'lower'."
        return errors
    if target_date <= baseline_date:
        errors["target_date"] = "The target date must be after the baseline date."
    if direction == "higher" and target < baseline:
        errors["target"] = f"Higher is better, so the target must not be below the baseline ({baseline:g})."
    if direction == "lower" and target > baseline:
        errors["target"] = f"Lower is better, so the target must not be above the baseline ({baseline:g})."
    low, high = BOUNDS.get(unit, (None, None))
    for name, value in (("baseline", baseline), ("target", target)):
        if low is not None and value < low:
            errors[name] = f"A {unit} value cannot be below {low:g}."
        if high is not None and value > high:
            errors[name] = f"A {unit} value cannot be above {high:g}."
    if denominator is not None:
        if unit != "percent":
            errors["denominator"] = "Only a percent metric has a denominator (the population it is a share of)."
        elif denominator <= 0:
            errors["denominator"] = "The denominator must be above zero."
    return errors


def validate_checkpoints(spec: MetricSpec, checkpoints: Sequence[Point]) -> list[str]:
    """Problems with a metric's laps, each naming the checkpoint by its date."""
    problems = []
    ordered = sorted(checkpoints, key=lambda p: p.on)
    if len({p.on for p in ordered}) != len(ordered):
        problems.append("Two checkpoints fall on the same day.")
    previous = spec.baseline
    for point in ordered:
        if not spec.baseline.on < point.on <= spec.target.on:
            problems.append(f"The checkpoint on {point.on} is outside the baseline-to-target dates.")
        if not meets(point.value, previous.value, spec.direction):
            problems.append(f"The checkpoint on {point.on} ({point.value:g}) goes backwards from {previous.value:g}.")
        if not meets(spec.target.value, point.value, spec.direction):
            problems.append(f"The checkpoint on {point.on} ({point.value:g}) is beyond the target.")
        previous = point
    return problems


def validate_measurement(*, unit: str, value: float, on: dt.date, baseline_date: dt.date, today: dt.date) -> dict:
    errors: dict[str, str] = {}
    low, high = BOUNDS.get(unit, (None, None))
    if low is not None and value < low:
        errors["value"] = f"A {unit} value cannot be below {low:g}."
    if high is not None and value > high:
        errors["value"] = f"A {unit} value cannot be above {high:g}."
    if on > today:
        errors["measured_on"] = "A measurement cannot be dated in the future."
    elif on < baseline_date:
        errors["measured_on"] = f"A measurement cannot be dated before the baseline ({baseline_date})."
    return errors


# Renegotiation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Equivalence:
    old_absolute: float | None
    new_absolute: float | None
    held: bool


def equivalence(*, unit: str, old_target: float, old_denominator: float | None,
                new_target: float, new_denominator: float | None) -> Equivalence:
    """For a percent metric: how many the old and the new percentage are, and whether that held.

    50% of 100 is 50; 25% of 200 is 50: the absolute figure held.
    """
    if unit != "percent" or old_denominator is None or new_denominator is None:
        return Equivalence(None, None, False)
    old_abs = old_target * old_denominator / 100
    new_abs = new_target * new_denominator / 100
    return Equivalence(old_abs, new_abs, math.isclose(old_abs, new_abs, rel_tol=1e-9, abs_tol=1e-9))


# Values as people write them ---------------------------------------------------------------------

_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$|^(\d+):(\d{1,2}(?:\.\d+)?)$")


def parse_value(unit: str, text: str) -> Decimal:
    """A value as typed: "19:27" for a duration, "45%" for a percent, "$1,200" for currency."""
    raw = (text or "").strip()
    if not raw:
        raise ValueError("Give a value.")
    if unit == "duration" and ":" in raw:
        parts = raw.split(":")
        if len(parts) > 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
            raise ValueError(f"'{raw}' is not a duration: use h:mm:ss, m:ss or seconds.")
        seconds = Decimal(0)
        for part in parts:
            seconds = seconds * 60 + Decimal(part)
        return seconds
    cleaned = raw.replace(",", "").replace("_", "").replace(" ", "")
    if unit == "percent":
        cleaned = cleaned.removesuffix("%")
    if unit == "currency":
        cleaned = re.sub(r"^[A-Z]{3}|^[$€£¥]", "", cleaned)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{raw}' is not a number.") from None
    if not value.is_finite():
        raise ValueError(f"'{raw}' is not a number.")
    return value


def format_value(unit: str, value: float | Decimal | None, currency: str = "") -> str:
    if value is None:
        return "—"
    number = float(value)
    if unit == "duration":
        sign = "-" if number < 0 else ""
        number = abs(number)
        hours, rest = divmod(number, 3600)
        minutes, seconds = divmod(rest, 60)
        secs = f"{seconds:04.1f}" if round(seconds % 1, 1) else f"{int(round(seconds)):02d}"
        if secs == "60":
            minutes, secs = minutes + 1, "00"
        return f"{sign}{int(hours)}:{int(minutes):02d}:{secs}" if hours else f"{sign}{int(minutes)}:{secs}"
    if unit == "percent":
        return f"{number:.1f}%".replace(".0%", "%")
    if unit == "currency":
        return f"{currency + ' ' if currency else ''}{number:,.0f}"
    if number == int(number):
        return f"{int(number):,}"
    return f"{number:,.2f}"
