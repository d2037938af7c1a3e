"""The column scorer gives the same numbers as the one that explains, on random facts."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from paceline.health import batch, scoring, spec
from paceline.health.factors import FACTORS
from paceline.health.facts import Fact

AS_OF = dt.date(2026, 6, 30)
KEYS = sorted({m.key for f in FACTORS.values() for m in f.measures})

fact_values = st.one_of(st.none(), st.floats(min_value=-200, max_value=400, allow_nan=False))
account = st.fixed_dictionaries({k: fact_values for k in KEYS}).map(
    lambda d: {k: Fact(v) for k, v in d.items() if v is not None})
manual = st.one_of(st.none(), st.tuples(st.integers(0, 100), st.integers(-5, 90)))


def _same(a, b) -> bool:
    if a is None:
        return math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(account, manual), min_size=1, max_size=12), st.sampled_from(["exclude", "neutral", "failing"]))
def test_score_many_agrees_with_score(accounts, policy):
    definition = spec.default()
    definition["factors"]["relationship"]["missing"] = policy
    definition = spec.validate(definition)
    facts = []
    for f, m in accounts:
        f = dict(f)
        if m is not None:
            f["manual.score"] = Fact(m[0], on=AS_OF - dt.timedelta(days=m[1]))
        facts.append(f)
    many = batch.score_many(facts, definition, as_of=AS_OF)
    for i, f in enumerate(facts):
        one = scoring.score(f, definition, as_of=AS_OF)
        assert _same(one.equations["adoption"].score, many.adoption[i])
        assert _same(one.equations["renewal"].score, many.renewal[i])
        assert _same(one.equations["expansion"].score, many.expansion[i])
        assert one.band == many.band(i)
        assert one.most_impactful == many.most_impactful[i]
        assert math.isclose(one.gain, many.gain[i], abs_tol=1e-9)
