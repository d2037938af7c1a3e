"""The demo company's product usage: two years of events from its users' sessions, vectorised.

Pure NumPy, no database: ``account_spec`` reads what the generator needs from an account's plan
(its fate, segment and seats per term), ``generate`` draws the events as integer arrays, and
``Events.month_tables`` turns them into ``store.EVENT_SCHEMA`` tables, one per calendar month.

The hidden rules (what the usage metrics should find), per account and day ``d``:

- A pool of users as large as the most seats the account ever bought, each with a propensity
  (log-normal: a few power users, many occasional ones); the first user is the admin and uses
  every feature the account has.
- Active users ``n(d) = seats(d) x share x ramp(d)``: ``share = (0.3 + 0.6 e)(1 - 0.7 p)`` with the
  term's engagement ``e`` and pressure ``p`` (``fate``: rises over the 180 days before a churn
  decision, half as high before a contraction), so a doomed account loses users months before it
  goes and a contracting one uses fewer seats; ``ramp`` climbs from 0.15 to 1 over the onboarding
  (30 days for SMB, 60 mid-market, 120 enterprise) after the first contract's start.
- Sessions per day: a Poisson process of rate ``c x weekday(d) x (0.6 + 0.8 e)(1 - 0.5 p) x
  W(n(d))`` (``W``: the summed propensity of the active users; ``c`` scales the whole book to the
  requested number of events), each session taken by an active user in proportion to propensity.
  Weekends are quiet; Monday to Thursday are the busiest days.
- A session opens with "Signed In" or "page:Home", then draws its events from the segment's mix
  (``usage_catalogue``). An event of a key feature the account has not taken up (or not yet:
  each feature has an adoption delay), that this user does not use, or that a doomed account has
  dropped (with probability 0.6 p) becomes a page view or a search instead.
- Events fall between the first contract's start and the churn day (or the anchor), in business
  hours of the account's time zone; 0.2% carry an empty or unknown group id (sent before the
  ``group`` call, or from a sandbox), for the "unmatched" view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from paceline.customers.models import RenewalKind
from paceline.ops.demo import usage_catalogue as cat
from paceline.usage.store import EVENT_SCHEMA

HISTORY_DAYS = 730
UNMATCHED_SHARE = 0.002
DAY_MS = 86_400_000
EPOCH = dt.date(1970, 1, 1)
# Time zones (hours from UTC) of the demo's customers: mostly North America, some Europe.
TIME_ZONES = (-8, -7, -6, -5, -5, -5, -4, 0, 1, 1, 2)

_NAMES = [e.name for e in cat.EVENTS]
_CODE = {name: i for i, name in enumerate(_NAMES)}
_FEATURE_KEYS = [f.key for f in cat.FEATURES]
_FEATURE_OF = np.array([_FEATURE_KEYS.index(e.feature) if e.feature else -1 for e in cat.EVENTS], dtype=np.int8)
_FADES = np.array([f.fades for f in cat.FEATURES])
_MIX = [np.cumsum([e.weights[s] for e in cat.EVENTS]) / sum(e.weights[s] for e in cat.EVENTS) for s in range(3)]
_FALLBACK_CODES = np.array([_CODE[n] for n in cat.FALLBACKS], dtype=np.int8)
_FALLBACK_MIX = np.cumsum([0.45, 0.35, 0.2])
_OPENERS = np.array([_CODE[n] for n in cat.OPENERS], dtype=np.int8)
_TYPE = np.array([0 if e.type == "track" else 1 for e in cat.EVENTS], dtype=np.int8)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


@dataclass(frozen=True)
class AccountSpec:
    """What the generator needs of one account, as plain values (days are offsets from the anchor)."""

    index: int
    external_id: str
    segment: int  # position in usage_catalogue.SEGMENTS
    seed: int
    start: int  # the first contract's start
    end: int  # exclusive: the churn day, or 1 (the anchor is the last day with events)
    term_ends: tuple[int, ...]
    seats: tuple[int, ...]
    engagement: tuple[float, ...]
    pressure: tuple[float, ...]  # the weight of each term's pressure: 1 before a churn, 0.5 a contraction
    decision: tuple[int, ...]


def term_seats(seats0: int, terms) -> list[int]:
    """The core subscription's seats in each term (the rule ``contracts.plan_subscriptions`` applies)."""
    seats, out = seats0, []
    for term in terms:
        out.append(seats)
        if term.closed and term.outcome != RenewalKind.CHURNED:
            after = max(1, round(seats * term.arr_factor))
            if term.outcome == RenewalKind.EXPANDED:
                after = max(after, seats + 1)
            elif term.outcome == RenewalKind.CONTRACTED:
                after = min(after, seats - 1) if seats > 1 else seats
            seats = after
    return out


def account_spec(plan, seed: int) -> AccountSpec:
    """The spec of an ``AccountPlan`` (its ``fate`` decided), with the seed of its own randomness."""
    fate = plan.fate
    weight = {RenewalKind.CHURNED: 1.0, RenewalKind.CONTRACTED: 0.5}
    return AccountSpec(
        index=plan.index, external_id=plan.external_id, segment=cat.SEGMENTS.index(plan.segment), seed=seed,
        start=fate.start, end=fate.ended if fate.churned else 1,
        term_ends=tuple(t.end for t in fate.terms), seats=tuple(term_seats(plan.seats0, fate.terms)),
        engagement=tuple(t.engagement for t in fate.terms),
        pressure=tuple(weight.get(t.outcome, 0.0) for t in fate.terms),
        decision=tuple(t.decision for t in fate.terms),
    )


@dataclass
class _Account:
    """One account's days and rates, between the two passes."""

    spec: AccountSpec
    rng: np.random.Generator
    days: np.ndarray  # offsets from the anchor
    pressure: np.ndarray  # per day
    active: np.ndarray  # active users per day
    cum_weight: np.ndarray  # cumulative propensity of the user pool, by rank
    rate: np.ndarray  # sessions per day, before the book's scale


def _prepare(spec: AccountSpec, first_day: int, weekday0: int) -> _Account | None:
    lo, hi = max(spec.start, first_day), min(spec.end, 1)
    if hi <= lo:
        return None
    rng = np.random.default_rng(spec.seed)
    days = np.arange(lo, hi)
    term = np.minimum(np.searchsorted(np.array(spec.term_ends), days, side="right"), len(spec.term_ends) - 1)
    seats = np.array(spec.seats)[term]
    engagement = np.array(spec.engagement)[term]
    decision = np.array(spec.decision)[term]
    pressure = np.array(spec.pressure)[term] * np.clip((days - (decision - 180)) / 180, 0.0, 1.0)
    ramp = np.clip(0.15 + 0.85 * (days - spec.start) / cat.RAMP_DAYS[spec.segment], 0.0, 1.0)
    pool = max(spec.seats)
    share = (0.3 + 0.6 * engagement) * (1 - 0.7 * pressure)
    active = np.clip(np.rint(seats * share * ramp), 1, pool).astype(np.int64)
    weight = rng.lognormal(0.0, 0.9, pool)
    weight[0] *= 1.5  # the admin
    cum_weight = np.cumsum(weight)
    weekday = np.array(cat.WEEKDAY)[(weekday0 + days) % 7]
    noise = rng.lognormal(0.0, 0.15, len(days))  # no two days alike
    rate = weekday * noise * (0.6 + 0.8 * engagement) * (1 - 0.5 * pressure) * cum_weight[active - 1]
    return _Account(spec, rng, days, pressure, active, cum_weight, rate)


def _draw(a: _Account, scale: float, epoch_day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The account's events: (ts in ms, user rank, event code), in generation order."""
    rng, spec = a.rng, a.spec
    per_day = rng.poisson(scale * a.rate)
    day = np.repeat(np.arange(len(a.days)), per_day)
    sessions = len(day)
    if not sessions:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty.astype(np.int8)
    ceiling = a.cum_weight[a.active[day] - 1]
    user = np.minimum(np.searchsorted(a.cum_weight, rng.random(sessions) * ceiling, side="right"), a.active[day] - 1)
    size = 1 + rng.poisson(cat.EVENTS_PER_SESSION[spec.segment] - 1, sessions)
    count = int(size.sum())
    first = np.cumsum(size) - size  # each session's first event
    session = np.repeat(np.arange(sessions), size)

    # When: a session starts in the account's business hours; its events follow seconds to minutes apart.
    tz = TIME_ZONES[int(rng.integers(len(TIME_ZONES)))]
    hour = np.clip(rng.normal(12.8, 2.6, sessions), 6.0, 21.5) - tz
    gaps = (rng.exponential(40_000, count) + 3_000).astype(np.int64)
    gaps[first] = 0
    elapsed = np.cumsum(gaps)
    elapsed -= elapsed[first][session]
    # A late American afternoon is past midnight UTC: it wraps to the small hours of the same UTC
    # day (a day's metrics are UTC days), and a session never runs over into the next day.
    start_ms = (hour * 3_600_000).astype(np.int64) % DAY_MS
    start_ms = np.maximum(0, np.minimum(start_ms, DAY_MS - 1 - elapsed[first + size - 1]))
    in_day = start_ms[session] + elapsed
    event_day = a.days[day][session]
    ts = (epoch_day + event_day) * DAY_MS + in_day

    # What: the segment's mix, opened by a sign-in or the home page, gated by who uses which feature.
    code = np.searchsorted(_MIX[spec.segment], rng.random(count), side="right").astype(np.int8)
    code[first] = _OPENERS[(rng.random(sessions) >= 0.35).astype(np.int8)]
    user_of_event = user[session]
    adoption = np.array([f.adoption[spec.segment] for f in cat.FEATURES])
    since = np.array([rng.integers(f.delay[0], f.delay[1] + 1) for f in cat.FEATURES]) + spec.start
    since[rng.random(len(cat.FEATURES)) >= adoption] = np.iinfo(np.int64).max
    uses = rng.random((len(a.cum_weight), len(cat.FEATURES))) < np.array([f.users[spec.segment] for f in cat.FEATURES])
    uses[0] = True
    feature = _FEATURE_OF[code]
    gated = np.flatnonzero(feature >= 0)
    f = feature[gated]
    keep = (event_day[gated] >= since[f]) & uses[user_of_event[gated], f]
    dropped = _FADES[f] & (rng.random(len(gated)) < 0.6 * a.pressure[day[session[gated]]])
    lost = gated[~keep | dropped]
    code[lost] = _FALLBACK_CODES[np.searchsorted(_FALLBACK_MIX, rng.random(len(lost)), side="right")]
    return ts, user_of_event, code


@dataclass
class Events:
    """The generated events as integer arrays, with the dictionaries their codes index."""

    ts: np.ndarray  # int64, ms since the epoch (UTC)
    group: np.ndarray  # int32, into ``groups``
    user: np.ndarray  # int32, into ``users``
    code: np.ndarray  # int8, into usage_catalogue.EVENTS
    groups: list[str]
    users: list[str]
    seed: int

    def __len__(self) -> int:
        return len(self.ts)

    def month_tables(self) -> Iterator[tuple[str, pa.Table]]:
        """One ``EVENT_SCHEMA`` table per calendar month ("YYYY-MM"), oldest first."""
        day = self.ts // DAY_MS
        first = EPOCH + dt.timedelta(days=int(day.min())) if len(day) else EPOCH
        last = EPOCH + dt.timedelta(days=int(day.max())) if len(day) else EPOCH
        bounds, labels = [], []
        month = dt.date(first.year, first.month, 1)
        while month <= last:
            labels.append(f"{month:%Y-%m}")
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
            bounds.append((month - EPOCH).days)
        which = np.searchsorted(np.array(bounds), day, side="right")
        order = np.argsort(which, kind="stable")
        edges = np.searchsorted(which[order], np.arange(len(labels) + 1))
        groups, users = pa.array(self.groups, pa.string()), pa.array(self.users, pa.string())
        names, types = pa.array(_NAMES, pa.string()), pa.array(["track", "page"], pa.string())
        # Rows go out in the store's order (group, user, ts), so its sort finds them sorted.
        group_rank, user_rank = _ranks(self.groups), _ranks(self.users)
        user_bits = max(1, len(self.users).bit_length())
        packed = len(self.groups).bit_length() + user_bits + 32 <= 63
        for i, label in enumerate(labels):
            rows = order[edges[i]:edges[i + 1]]
            if not len(rows):
                continue
            g, u = group_rank[self.group[rows]], user_rank[self.user[rows]]
            if packed:  # one integer key: much faster than a lexsort
                since = (bounds[i - 1] if i else int(day.min())) * DAY_MS
                rows = rows[np.argsort((g << (user_bits + 32)) | (u << 32) | (self.ts[rows] - since), kind="stable")]
            else:
                rows = rows[np.lexsort((self.ts[rows], u, g))]
            yield label, self._table(rows, groups, users, names, types)

    def _table(self, rows: np.ndarray, groups, users, names, types) -> pa.Table:
        ts = pa.array(self.ts[rows], pa.int64()).cast(pa.timestamp("ms", tz="UTC"))
        code = self.code[rows]
        columns = [
            ts,
            pa.DictionaryArray.from_arrays(pa.array(self.group[rows]), groups).cast(pa.string()),
            pa.DictionaryArray.from_arrays(pa.array(self.user[rows]), users).cast(pa.string()),
            pa.DictionaryArray.from_arrays(pa.array(code), names).cast(pa.string()),
            pa.DictionaryArray.from_arrays(pa.array(_TYPE[code]), types).cast(pa.string()),
            message_ids(rows, self.seed),
            ts,
            pa.nulls(len(rows), pa.string()),
        ]
        return pa.Table.from_arrays(columns, schema=EVENT_SCHEMA)


def _ranks(values: list[str]) -> np.ndarray:
    """Each value's position in sorted order (int64, to build sort keys)."""
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.argsort(np.array(values, dtype=object))] = np.arange(len(values))
    return rank


def message_ids(counters: np.ndarray, seed: int) -> pa.Array:
    """Unique, deterministic, random-looking 16-hex-digit ids: an odd multiple of the counter mod 2^64."""
    offset = np.uint64((seed << 40) % (1 << 64))
    mixed = (counters.astype(np.uint64) + offset) * np.uint64(0x9E3779B97F4A7C15)
    octets = mixed.astype(">u8").view(np.uint8).reshape(-1, 8)
    digits = np.empty((len(counters), 16), dtype=np.uint8)
    digits[:, 0::2] = _HEX[octets >> 4]
    digits[:, 1::2] = _HEX[octets & 15]
    offsets = np.arange(0, 16 * len(counters) + 1, 16, dtype=np.int32)
    return pa.StringArray.from_buffers(len(counters), pa.py_buffer(offsets), pa.py_buffer(digits.tobytes()))


def generate(
    specs: Sequence[AccountSpec],
    *,
    anchor: dt.date,
    target: int,
    seed: int,
    days: int = HISTORY_DAYS,
    on_account: Callable[[], None] | None = None,
) -> Events:
    """About ``target`` events over the ``days`` ending on ``anchor`` (included), for these accounts."""
    first_day = 1 - days
    prepared = [_prepare(s, first_day, anchor.weekday()) for s in specs]
    expected = sum(cat.EVENTS_PER_SESSION[a.spec.segment] * a.rate.sum() for a in prepared if a is not None)
    scale = target / expected if expected else 0.0
    epoch_day = (anchor - EPOCH).days
    ts, group, user, code, names = [], [], [], [], []
    for position, a in enumerate(prepared):
        if a is not None:
            t, u, c = _draw(a, scale, epoch_day)
            ts.append(t)
            group.append(np.full(len(t), position, dtype=np.int32))
            user.append((u + len(names)).astype(np.int32))
            code.append(c)
            names.extend(f"u-{a.spec.external_id}-{n:04d}" for n in range(len(a.cum_weight)))
        if on_account:
            on_account()
    events = Events(
        ts=np.concatenate(ts) if ts else np.empty(0, np.int64),
        group=np.concatenate(group) if group else np.empty(0, np.int32),
        user=np.concatenate(user) if user else np.empty(0, np.int32),
        code=np.concatenate(code) if code else np.empty(0, np.int8),
        groups=[s.external_id for s in specs] + ["", *cat.UNKNOWN_GROUPS], users=names, seed=seed,
    )
    _unmatch(events, np.random.default_rng([seed, len(specs)]), len(specs))
    return events


def _unmatch(events: Events, rng: np.random.Generator, known: int) -> None:
    """A small share of events lose their group (sent before ``group``) or carry one nobody knows."""
    picked = np.flatnonzero(rng.random(len(events)) < UNMATCHED_SHARE)
    choice = np.searchsorted(np.cumsum([0.4, 0.3, 0.2, 0.1]), rng.random(len(picked)), side="right")
    events.group[picked] = known + choice
