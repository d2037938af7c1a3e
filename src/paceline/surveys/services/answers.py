"""Checking answers against their questions, whichever door they came through.

A respondent's form, a CSV import and the API all hand over ``{question_key: value}``; each value
is checked against its question (range for rated questions, the question's own choices, length
for text) and every problem is reported at once, keyed by the question's key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from paceline.surveys.models import Answer, Question, QuestionKind, Survey, SurveyKind
from paceline.surveys.scoring import nps_band

MAX_TEXT = 5000
REQUIRED = "This question needs an answer."


@dataclass(frozen=True)
class Value:
    """One checked answer, in the shape of an ``Answer`` row."""

    number: int | None = None
    text: str = ""
    choices: list[str] = field(default_factory=list)


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return all(_empty(v) for v in value)
    return False


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit() and len(text) <= 6:
            return int(text)
    return None


def _one_choice(question: Question, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Choose one of the listed answers.")
    wanted = value.strip().casefold()
    for choice in question.choices:
        if choice.casefold() == wanted:
            return choice
    raise ValueError(f"“{value.strip()[:80]}” is not one of the answers: {', '.join(question.choices)}.")


def clean_value(question: Question, value: Any) -> Value | None:
    """The checked answer, None when empty; ``ValueError`` with a message for the respondent."""
    if _empty(value):
        return None
    kind = question.kind
    if kind in (QuestionKind.NPS, QuestionKind.CSAT, QuestionKind.CES, QuestionKind.SCALE):
        low, high = question.bounds
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = value[0]
        number = _whole_number(value)
        if number is None or not low <= number <= high:
            raise ValueError(f"Choose a whole number from {low} to {high}.")
        return Value(number=number)
    if kind == QuestionKind.SINGLE:
        if isinstance(value, (list, tuple)):
            values = [v for v in value if not _empty(v)]
            if len(values) != 1:
                raise ValueError("Choose only one answer.")
            value = values[0]
        return Value(choices=[_one_choice(question, value)])
    if kind == QuestionKind.MULTI:
        values = value if isinstance(value, (list, tuple)) else [value]
        chosen = {_one_choice(question, v) for v in values if not _empty(v)}
        return Value(choices=[c for c in question.choices if c in chosen])
    if not isinstance(value, str):
        raise ValueError("Write your answer as text.")
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"Keep it under {MAX_TEXT:,} characters (this is {len(text):,}).")
    return Value(text=text)


def clean_answers(
    questions: Iterable[Question],
    answers: Mapping[str, Any],
    *,
    saved: Mapping[str, Value] | None = None,
    complete: bool,
) -> dict[str, Value | None]:
    """Check the given answers; with ``complete``, also that every required question is answered
    (by these answers or the ``saved`` ones). Raises one ValidationError naming every bad key."""
    by_key = {q.key: q for q in questions}
    errors: dict[str, str] = {}
    cleaned: dict[str, Value | None] = {}
    if not isinstance(answers, Mapping):
        raise ValidationError({"answers": "Give the answers as {question key: value}."})
    for key, value in answers.items():
        question = by_key.get(key)
        if question is None:
            errors[str(key)] = f"There is no question with the key “{key}” in this survey; the keys are {', '.join(by_key)}."
            continue
        try:
            cleaned[key] = clean_value(question, value)
        except ValueError as problem:
            errors[key] = str(problem)
    if complete:
        final = {**(saved or {}), **cleaned}
        for key, question in by_key.items():
            if question.required and final.get(key) is None and key not in errors:
                errors[key] = REQUIRED
    if errors:
        raise ValidationError(errors)
    return cleaned


def saved_values(answers: Iterable[Answer]) -> dict[str, Value]:
    return {a.question.key: Value(number=a.number, text=a.text, choices=list(a.choices or [])) for a in answers}


def headline_and_comment(survey: Survey, questions: list[Question], values: Mapping[str, Value]) -> tuple[int | None, str]:
    """The headline rated answer (NPS, CSAT or CES surveys) and the first free-text answer."""
    score = None
    headline = survey.headline_kind
    if headline is not None:
        question = next((q for q in questions if q.kind == headline), None)
        value = values.get(question.key) if question else None
        score = value.number if value else None
    comment = next((values[q.key].text for q in questions if q.kind == QuestionKind.TEXT and values.get(q.key)), "")
    return score, comment


def band(survey_kind: str, score: int | None) -> str:
    """NPS: promoter/passive/detractor; CSAT: satisfied/neutral/dissatisfied; CES: easy/neutral/hard."""
    if score is None:
        return ""
    if survey_kind == SurveyKind.NPS:
        return nps_band(score)
    if survey_kind == SurveyKind.CSAT:
        return "satisfied" if score >= 4 else "neutral" if score == 3 else "dissatisfied"
    if survey_kind == SurveyKind.CES:
        return "easy" if score >= 5 else "neutral" if score == 4 else "hard"
    return ""
