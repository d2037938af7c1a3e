"""Properties of the pure scoring: bounded, monotone, weights that add up, gates that hold,
contributions that add up to the score, missing-data policies, the manual read fading out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from paceline.health import scoring, spec
from paceline.health.factors import FACTORS, interpolate
from paceline.health.facts import Fact

DAY = dt.date(2026, 3, 1)
SPEC = spec.validate(spec.default())
MEASURES = {m.key: m for f in FACTORS.values() for m in f.measures}
RELATIONSHIP_BEST = {"contact.levels_90d": 3, "sponsor.days_since": 0, "champion.present": 1,
                     "sentiment.score_90d": 1, "nps.score": 100}


def _range(key: str) -> tuple[float, float]:
    xs = [x for m in FACTORS.values() for ms in m.measures if ms.key == key for x, _ in ms.points]
    return min(xs) - 1, max(xs) + 1


@st.composite
def facts(draw, keys=tuple(MEASURES)):
    chosen = draw(st.sets(st.sampled_from(keys)))
    found = {k: Fact(draw(st.floats(*_range(k), allow_nan=False)), DAY) for k in chosen}
    if draw(st.booleans()):
        found["manual.score"] = Fact(draw(st.integers(0, 100)), DAY - dt.timedelta(days=draw(st.integers(0, 90))))
    return found


@st.composite
def definitions(draw):
    definition = spec.default()
    definition["gate"] = draw(st.integers(1, 100))
    for factor in definition["factors"].values():
        factor["missing"] = draw(st.sampled_from(sorted(spec.POLICIES)))
    for equation in definition["equations"].values():
        for term in equation["terms"]:
            equation["terms"][term] = draw(st.floats(0, 5, allow_nan=False))
    return spec.validate(definition)


@settings(max_examples=200, deadline=None)
@given(facts(), definitions())
# Found by this test: weights of 0.2588... and 0.7411... on two perfect terms summed past 100.
@example({"support.severe_open": Fact(0.0, DAY), "usage.seat_utilisation": Fact(1.0, DAY)},
         spec.validate({**spec.default(), "gate": 1,
                        "factors": {k: {"missing": "exclude"} for k in spec.default()["factors"]},
                        "equations": {
                            "adoption": {"terms": {"product": 0.0, "outcomes": 0.0, "enablement": 1.0,
                                                   "guidance": 0.0}, "requires": []},
                            "renewal": {"terms": {"adoption": 0.0, "relationship": 0.0, "manual": 0.0},
                                        "requires": ["adoption"]},
                            "expansion": {"terms": {"adoption": 1.375, "relationship": 0.0, "need": 3.9375},
                                          "requires": ["adoption", "need"]}}}))
def test_scores_are_bounded_weights_add_to_one_and_contributions_to_the_score(found, definition):
    result = scoring.score(found, definition, as_of=DAY)
    for equation in result.equations.values():
        if equation.score is None:
            continue
        assert 0 <= equation.score <= 100
        assert sum(t.weight for t in equation.terms) == pytest.approx(1)
        assert sum(t.contribution for t in equation.terms) == pytest.approx(equation.score)
        assert 0 <= equation.gate <= 1


@settings(max_examples=300, deadline=None)
@given(facts(), st.sampled_from(sorted(MEASURES)), st.data())
def test_every_score_moves_the_way_its_measures_point(found, key, data):
    low, high = _range(key)
    a, b = sorted(data.draw(st.floats(low, high, allow_nan=False)) for _ in range(2))
    measure = MEASURES[key]
    worse, better = (a, b) if interpolate(measure.points, a) <= interpolate(measure.points, b) else (b, a)
    low_score = scoring.score({**found, key: Fact(worse, DAY)}, SPEC, as_of=DAY)
    high_score = scoring.score({**found, key: Fact(better, DAY)}, SPEC, as_of=DAY)
    for name in spec.EQUATIONS:
        x, y = low_score.equations[name].score, high_score.equations[name].score
        if x is not None and y is not None:
            assert y >= x - 1e-9, name


@settings(max_examples=200, deadline=None)
@given(facts(), definitions())
def test_adoption_under_the_gate_caps_renewal(found, definition):
    result = scoring.score(found, definition, as_of=DAY)
    adoption, renewal = result.equations["adoption"].score, result.equations["renewal"]
    assume(adoption is not None and renewal.score is not None and adoption < definition["gate"])
    mean = sum(t.weight * t.score for t in renewal.terms)
    assert renewal.score == pytest.approx(mean * adoption / definition["gate"])
    assert renewal.blocking == "adoption"


def test_great_relationships_and_no_adoption_are_not_healthy_for_renewal():
    found = {k: Fact(v, DAY) for k, v in RELATIONSHIP_BEST.items()}
    found.update({k: Fact(0, DAY) for k in ("plan.agreed", "goals.on_pace_share", "touchpoints.kept_share",
                                             "readiness.level", "onboarding.kept_share")})
    found["contact.days_since"] = Fact(400, DAY)
    found["needs.open"] = Fact(3, DAY)  # a clear need too: expansion still waits for adoption
    result = scoring.score(found, SPEC, as_of=DAY)
    assert result.factors["relationship"].value == 100
    assert result.equations["renewal"].band == "red" and result.equations["renewal"].blocking == "adoption"
    assert result.equations["expansion"].band == "red"


@pytest.mark.parametrize("policy, used", [("neutral", 50.0), ("failing", 0.0), ("exclude", None)])
def test_a_factor_without_data_follows_its_policy(policy, used):
    definition = spec.default()
    definition["factors"]["relationship"]["missing"] = policy
    result = scoring.score({"plan.agreed": Fact(1, DAY), "touchpoints.kept_share": Fact(1, DAY)},
                           spec.validate(definition), as_of=DAY)
    assert (result.factors["relationship"].used, result.factors["relationship"].policy) == (used, policy)
    terms = {t.key: t for t in result.equations["renewal"].terms}
    if used is None:
        assert set(terms) == {"adoption"} and terms["adoption"].weight == pytest.approx(1)
    else:
        assert terms["relationship"].score == used
        assert terms["relationship"].weight == pytest.approx(1.5 / 3.5)


@given(st.integers(0, 200))
def test_the_manual_read_fades_to_nothing_at_expiry(age):
    fact = Fact(90, DAY - dt.timedelta(days=age))
    expires, weight = SPEC["manual"]["expires_days"], SPEC["manual"]["weight"]
    found = scoring.manual_weight(fact, SPEC, DAY)
    assert found == pytest.approx(max(0.0, weight * (1 - age / expires)))
    assert found <= scoring.manual_weight(Fact(90, DAY - dt.timedelta(days=max(age - 1, 0))), SPEC, DAY)
    result = scoring.score({"plan.agreed": Fact(1, DAY), "manual.score": fact}, SPEC, as_of=DAY)
    assert ("manual" in {t.key for t in result.equations["renewal"].terms}) == (age < expires)


@pytest.mark.parametrize("change, place", [
    (lambda d: d["bands"].update(yellow=80), "bands.yellow"),
    (lambda d: d.update(gate=0), "gate"),
    (lambda d: d["factors"]["product"].update(missing="guess"), "factors.product.missing"),
    (lambda d: d["equations"]["adoption"]["terms"].update(renewal=1), "equations.adoption.terms.renewal"),
    (lambda d: d["equations"]["renewal"]["terms"].update(relationship="high"), "equations.renewal.terms.relationship"),
    (lambda d: d["custom_factors"].update(seats={"source": "crm.seats", "points": [[0, 0]]}),
     "custom_factors.seats.source"),
    (lambda d: d.update(colour="blue"), "definition.colour"),
])
def test_validation_names_the_place_of_each_error(change, place):
    definition = spec.default()
    change(definition)
    with pytest.raises(ValidationError) as error:
        spec.validate(definition)
    assert place in error.value.message_dict
