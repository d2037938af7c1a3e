"""The adoption-readiness assessment: scoring as pure functions, then the assessment written from a response."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.surveys import readiness
from paceline.surveys.models import (
    Answer,
    Question,
    QuestionKind,
    ReadinessAssessment,
    ReadinessLevel,
    Response,
    Survey,
    SurveyKind,
)
from paceline.surveys.readiness import QuestionSpec, assess, level_for, score, scoring_errors
from tests.factories import AccountFactory, ContactFactory

BUILT_IN = [QuestionSpec.of(q) for q in readiness.QUESTIONNAIRE]
BEST = {
    "adoption_program": "Yes, a defined program", "adoption_method": "A named method we apply to every system",
    "executive_sponsor": "Yes, named and active", "change_management": "Before, during and after go-live",
    "sustain_adoption": 5, "value_share": "Over 75%", "blockers": [], "help_needed": [],
}
WORST = {
    "adoption_program": "No", "adoption_method": "None", "executive_sponsor": "No",
    "change_management": "We do not manage them", "sustain_adoption": 1, "value_share": "Under 25%",
    "blockers": list(readiness.BLOCKERS), "help_needed": ["Defining an adoption program"],
}


# Strategies: questionnaires with arbitrary points, and answers to them -------------------------

points = st.integers(min_value=-50, max_value=50)


@st.composite
def questions(draw) -> QuestionSpec:
    kind = draw(st.sampled_from([QuestionKind.SINGLE, QuestionKind.MULTI, QuestionKind.SCALE]))
    key = draw(st.text(alphabet="abcdefgh", min_size=3, max_size=8))
    if kind == QuestionKind.SCALE:
        low = draw(st.integers(0, 3))
        high = draw(st.integers(low + 1, low + 9))
        steps = draw(st.lists(st.integers(low, high), min_size=1, max_size=high - low + 1, unique=True))
        return QuestionSpec(key, kind, key, (), low, high, {str(s): draw(points) for s in steps})
    choices = tuple(draw(st.lists(st.text(alphabet="xyzw", min_size=1, max_size=4), min_size=2, max_size=6, unique=True)))
    scored = draw(st.lists(st.sampled_from(choices), min_size=1, unique=True))
    return QuestionSpec(key, kind, key, choices, None, None, {c: draw(points) for c in scored})


def answer_to(q: QuestionSpec):
    if q.kind == QuestionKind.SCALE:
        return st.integers(q.scale_min, q.scale_max)
    if q.kind == QuestionKind.MULTI:
        return st.lists(st.sampled_from(q.choices), unique=True)
    return st.sampled_from(q.choices)


@st.composite
def answered(draw):
    qs = draw(st.lists(questions(), min_size=1, max_size=8, unique_by=lambda q: q.key))
    answers = {}
    for q in qs:
        if draw(st.booleans()) or not answers:
            answers[q.key] = draw(answer_to(q))
    return qs, answers


@st.composite
def built_in_answers(draw):
    return {q.key: draw(answer_to(q)) for q in BUILT_IN if q.scored or q.key == readiness.HELP_KEY}


# Pure scoring ------------------------------------------------------------------------------------


@given(answered())
def test_the_score_stays_between_0_and_100_and_its_level_follows_the_thresholds(case):
    qs, answers = case
    result = assess(qs, answers)
    assert 0 <= result.score <= 100
    assert result.level == level_for(result.score)


@given(answered(), st.data())
def test_an_answer_worth_more_points_never_lowers_the_score(case, data):
    qs, answers = case
    q = data.draw(st.sampled_from(qs))
    first, second = data.draw(answer_to(q)), data.draw(answer_to(q))
    assume(q.points(first) >= q.points(second))
    better, worse = score(qs, {**answers, q.key: first})[0], score(qs, {**answers, q.key: second})[0]
    assert better >= worse


@given(built_in_answers(), st.sampled_from([b for b in BUILT_IN if b.scored]), st.data())
def test_on_the_built_in_questionnaire_a_better_answer_raises_or_keeps_the_score(answers, q, data):
    other = data.draw(answer_to(q))
    if q.points(other) > q.points(answers[q.key]):
        assert score(BUILT_IN, {**answers, q.key: other})[0] >= score(BUILT_IN, answers)[0]


def test_best_and_worst_answers_reach_both_ends():
    assert score(BUILT_IN, BEST)[0] == 100
    assert score(BUILT_IN, WORST)[0] == 0


@pytest.mark.parametrize(("value", "level"), [
    (0, ReadinessLevel.NOT_READY), (34, ReadinessLevel.NOT_READY), (35, ReadinessLevel.EMERGING),
    (59, ReadinessLevel.EMERGING), (60, ReadinessLevel.CAPABLE), (79, ReadinessLevel.CAPABLE),
    (80, ReadinessLevel.MATURE), (100, ReadinessLevel.MATURE),
])
def test_levels_change_at_the_documented_thresholds(value, level):
    assert level_for(value) == level


@given(st.integers(0, 99))
def test_a_higher_score_never_has_a_lower_level(value):
    order = [ReadinessLevel.NOT_READY, ReadinessLevel.EMERGING, ReadinessLevel.CAPABLE, ReadinessLevel.MATURE]
    assert order.index(level_for(value + 1)) >= order.index(level_for(value))


@given(built_in_answers())
def test_the_recommendation_builds_adoption_capacity_first_exactly_when_readiness_is_low(answers):
    result = assess(BUILT_IN, answers)
    low = result.score < 60
    assert (result.recommendation.focus == "capacity") is low
    assert result.recommendation.headline.startswith("Build their adoption capacity first") is low


def test_low_readiness_recommends_program_sponsor_and_change_work_before_features():
    result = assess(BUILT_IN, WORST)
    text = result.recommendation.text
    assert result.level == ReadinessLevel.NOT_READY
    assert "adoption program" in text and "executive sponsor" in text
    assert "Hold back feature pushes" in text
    assert "They asked for our help with: Defining an adoption program." in text


def test_high_readiness_recommends_depth_expansion_and_a_reference():
    result = assess(BUILT_IN, BEST)
    assert result.recommendation.focus == "depth"
    assert "product depth" in result.recommendation.headline
    assert any("reference" in step for step in result.recommendation.steps)


def test_reasons_name_the_questions_that_raised_and_lowered_the_score():
    answers = {**BEST, "executive_sponsor": "No", "blockers": ["Budget", "Data quality"], "value_share": None}
    result = assess(BUILT_IN, answers)
    lowered = {r["question"]: r for r in result.lowered}
    raised = {r["question"] for r in result.raised}
    assert set(lowered) == {"executive_sponsor", "blockers"}
    assert lowered["blockers"]["answer"] == "Budget, Data quality"
    assert lowered["executive_sponsor"]["prompt"].startswith("Does an executive sponsor")
    assert {"adoption_program", "adoption_method", "sustain_adoption"} <= raised
    assert [r["question"] for r in result.reasons if r["effect"] == "unanswered"] == ["value_share"]
    # Heaviest first: a missing sponsor (15 points) weighs more than two blockers (4 points).
    assert result.reasons[0]["question"] == "executive_sponsor"


def test_an_unanswered_question_counts_neither_way():
    only_program = score(BUILT_IN, {"adoption_program": "Yes, a defined program"})[0]
    assert only_program == 100
    with pytest.raises(readiness.NotScorable):
        score(BUILT_IN, {"own_actions": "We will hire an adoption lead."})


def test_a_scale_step_without_points_lies_between_its_neighbours():
    q = QuestionSpec("s", QuestionKind.SCALE, "s", (), 1, 5, {"1": 0, "5": 20})
    assert [q.step_points(s) for s in range(1, 6)] == [0, 5, 10, 15, 20]


def test_points_of_a_removed_choice_do_not_count():
    q = QuestionSpec("q", QuestionKind.SINGLE, "q", ("a", "b"), scoring={"a": 10, "gone": 50})
    assert q.points("gone") == 0 and q.bounds() == (0, 10)


@pytest.mark.parametrize(("spec", "message"), [
    (QuestionSpec("q", QuestionKind.SINGLE, "q", ("a", "b"), scoring={"c": 1}), "not one of the choices"),
    (QuestionSpec("q", QuestionKind.SINGLE, "q", ("a", "b"), scoring={"a": "ten"}), "must be a number"),
    (QuestionSpec("q", QuestionKind.SCALE, "q", (), 1, 5, {"9": 1}), "outside the scale"),
    (QuestionSpec("q", QuestionKind.TEXT, "q", scoring={"a": 1}), "Only choice and scale"),
])
def test_scoring_errors_name_what_is_wrong(spec, message):
    assert message in scoring_errors(spec)["scoring"]


def test_the_built_in_questionnaire_has_valid_points_and_stable_keys():
    assert 8 <= len(BUILT_IN) <= 12
    assert all(scoring_errors(q) == {} for q in BUILT_IN)
    assert {"adoption_program", "adoption_method", "executive_sponsor", "sustain_adoption", "value_share",
            "blockers", "own_actions", "help_needed"} <= {q.key for q in BUILT_IN}


# Assessments from responses ---------------------------------------------------------------------


def respond(account, answers: dict, *, survey=None, submitted=True, on=None, contact=None) -> Response:
    survey = survey or readiness.readiness_survey()
    response = Response.objects.create(
        survey=survey, account=account, contact=contact, source="manual",
        submitted_at=(on or timezone.now()) if submitted else None,
    )
    by_key = {q.key: q for q in survey.questions.all()}
    for key, value in answers.items():
        q = by_key[key]
        if q.kind == QuestionKind.MULTI:
            Answer.objects.create(response=response, question=q, choices=list(value))
        elif q.kind == QuestionKind.SINGLE:
            Answer.objects.create(response=response, question=q, choices=[value])
        elif isinstance(value, int):
            Answer.objects.create(response=response, question=q, number=value)
        else:
            Answer.objects.create(response=response, question=q, text=value)
    return response


MIDDLING = {**WORST, "adoption_program": "Yes, a defined program", "executive_sponsor": "Yes, named and active",
            "blockers": ["Budget"], "sustain_adoption": 3}


@pytest.mark.django_db
def test_the_migration_installs_the_questionnaire_as_a_readiness_survey():
    survey = Survey.objects.get(name=readiness.SURVEY_NAME)
    assert survey.kind == SurveyKind.READINESS
    assert [q.key for q in survey.questions.all()] == [q["key"] for q in readiness.QUESTIONNAIRE]
    assert readiness.readiness_survey() == survey


@pytest.mark.django_db
def test_assessing_a_response_writes_score_level_reasons_and_recommendation_once(account, actor):
    contact = ContactFactory(account=account)
    response = respond(account, WORST, contact=contact)
    first = readiness.readiness_assess(actor=actor, response=response)
    again = readiness.readiness_assess(actor=actor, response=response)
    assert first.pk == again.pk
    assert (first.score, first.level) == (0, ReadinessLevel.NOT_READY)
    assert first.assessed_on == timezone.localdate(response.submitted_at)
    assert first.recommendation.startswith("Build their adoption capacity first")
    assert {r["question"] for r in first.reasons if r["effect"] == "lowered"} >= {"adoption_program", "blockers"}
    assert ReadinessAssessment.objects.count() == 1
    assert AuditEntry.objects.filter(target_type="surveys.readinessassessment").count() == 1
    event = ActivityEvent.objects.get(kind="readiness.assessed")
    assert event.account_id == account.pk and event.payload["level"] == "not_ready"
    assert event.payload["focus"] == "capacity"


@pytest.mark.django_db
def test_a_leader_editing_a_questions_points_changes_the_score(account, actor):
    response = respond(account, MIDDLING)
    before = readiness.readiness_assess(actor=actor, response=response)
    sponsor = Question.objects.get(survey=response.survey, key="executive_sponsor")
    sponsor.scoring = {**sponsor.scoring, "Yes, named and active": 60}
    sponsor.save()
    after = readiness.readiness_assess(actor=actor, response=response)
    assert after.pk == before.pk
    assert after.score > before.score
    assert AuditEntry.objects.filter(target_type="surveys.readinessassessment", action="update").count() == 1


@pytest.mark.django_db
def test_refresh_rescores_every_submitted_response_of_the_account(account, actor):
    other = AccountFactory()
    old = respond(account, WORST, on=timezone.now() - dt.timedelta(days=400))
    new = respond(account, BEST)
    respond(account, BEST, submitted=False)
    respond(account, {"own_actions": "Nothing scored here."})
    elsewhere = respond(other, BEST)
    done = readiness.readiness_refresh(actor=actor, account=account)
    assert {a.response_id for a in done} == {old.pk, new.pk}
    assert not ReadinessAssessment.objects.filter(response=elsewhere).exists()
    latest = readiness.readiness_latest([account.pk, other.pk])
    assert set(latest) == {account.pk}
    assert latest[account.pk].response_id == new.pk and latest[account.pk].level == ReadinessLevel.MATURE
    year_ago = timezone.localdate() - dt.timedelta(days=300)
    assert readiness.readiness_latest([account.pk], on=year_ago)[account.pk].response_id == old.pk


@pytest.mark.django_db
def test_only_a_submitted_readiness_response_with_a_scored_answer_is_assessed(account, actor):
    nps = Survey.objects.create(name="NPS", kind=SurveyKind.NPS)
    for response, field in [
        (Response.objects.create(survey=nps, account=account, submitted_at=timezone.now(), score=9), "response"),
        (respond(account, BEST, submitted=False), "response"),
        (respond(account, {"own_actions": "Hire an adoption lead."}), "answers"),
    ]:
        with pytest.raises(ValidationError) as error:
            readiness.readiness_assess(actor=actor, response=response)
        assert field in error.value.message_dict
    assert not ReadinessAssessment.objects.exists()


@pytest.mark.django_db
def test_reinstalling_keeps_the_questionnaire_leaders_edited():
    survey = readiness.readiness_survey()
    Question.objects.filter(survey=survey, key="adoption_program").update(prompt="Edited by a leader")
    assert readiness.readiness_survey_install() == survey
    assert survey.questions.get(key="adoption_program").prompt == "Edited by a leader"
    Survey.objects.filter(pk=survey.pk).delete()
    fresh = readiness.readiness_survey()
    assert fresh.pk != survey.pk and fresh.questions.count() == len(readiness.QUESTIONNAIRE)

