"""Writing surveys and their questions.

Answers already given must keep their meaning: once a question has answers its key, kind and
scale are fixed, a choice that was answered cannot be removed, and the question itself cannot be
deleted. An NPS, CSAT or CES survey has exactly one headline question (its score). The
adoption-readiness questionnaire is edited by CS leaders only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, snapshot
from paceline.surveys.defaults import starter_questions
from paceline.surveys.models import Answer, Question, QuestionKind, Survey, SurveyKind

SURVEY_FIELDS = frozenset({"name", "intro", "thank_you", "is_active"})
QUESTION_FIELDS = frozenset(
    {"key", "kind", "prompt", "help_text", "required", "choices", "scale_min", "scale_max", "scoring"}
)
# Frozen once a question has answers: changing them would change what the answers mean.
FROZEN_WHEN_ANSWERED = ("key", "kind", "scale_min", "scale_max")
MAX_SCALE_STEPS = 21
MAX_CHOICES = 30


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: "This field is unknown or cannot be set." for name in unknown})


def require_editor(actor: Actor, kind: str) -> None:
    """The readiness questionnaire is the CS leaders' to shape; other surveys are any writer's."""
    user = actor.user
    if kind == SurveyKind.READINESS and user is not None and not getattr(user, "is_leader", False):
        raise PermissionDenied("Only a CS leader may edit the adoption-readiness questionnaire.")


def _save(instance, *, actor: Actor, before: dict | None) -> None:
    instance.full_clean()
    instance.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
                 instance=instance, before=before, after=snapshot(instance))


def _check_name(name: str, survey: Survey | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the survey a name."})
    clash = Survey.objects.filter(name__iexact=name)
    if survey is not None:
        clash = clash.exclude(pk=survey.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a survey called “{name}”."})
    return name


@transaction.atomic
def survey_create(*, actor: Actor, name: str, kind: str, intro: str = "", thank_you: str | None = None) -> Survey:
    """A new survey; NPS, CSAT and CES surveys start with their headline question and a "why"."""
    if kind not in SurveyKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(SurveyKind.values)}."})
    require_editor(actor, kind)
    survey = Survey(name=_check_name(name), kind=kind, intro=(intro or "").strip(), created_by=actor.user)
    if thank_you is not None and thank_you.strip():
        survey.thank_you = thank_you.strip()
    _save(survey, actor=actor, before=None)
    for position, spec in enumerate(starter_questions(kind), start=1):
        question = Question(survey=survey, position=position, **spec)
        _save(question, actor=actor, before=None)
    return survey


@transaction.atomic
def survey_update(*, actor: Actor, survey: Survey, **fields: Any) -> Survey:
    _check_fields(fields, SURVEY_FIELDS)
    require_editor(actor, survey.kind)
    before = snapshot(survey)
    if "name" in fields:
        fields["name"] = _check_name(fields["name"], survey)
    for name, value in fields.items():
        setattr(survey, name, value.strip() if isinstance(value, str) else value)
    if not survey.thank_you:
        survey.thank_you = Survey._meta.get_field("thank_you").default
    _save(survey, actor=actor, before=before)
    return survey


def _clean_choices(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)):
        raise ValidationError({"choices": "Give the choices as a list, one per line."})
    choices = [str(c).strip() for c in value if str(c).strip()]
    if len(choices) > MAX_CHOICES:
        raise ValidationError({"choices": f"At most {MAX_CHOICES} choices."})
    if len({c.casefold() for c in choices}) != len(choices):
        raise ValidationError({"choices": "Each choice must differ from the others."})
    return choices


def _clean_scoring(question: Question, scoring: Any) -> dict:
    """Points for the readiness assessment: {choice: points} or {scale step: points}."""
    if not scoring:
        return {}
    if not isinstance(scoring, dict):
        raise ValidationError({"scoring": "Give points as {answer: points}."})
    allowed: set[str] | None = None
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
        allowed = set(question.choices)
    elif question.bounds is not None and None not in question.bounds:
        low, high = question.bounds
        allowed = {str(step) for step in range(low, high + 1)}
    cleaned = {}
    for answer, points in scoring.items():
        if allowed is not None and str(answer) not in allowed:
            raise ValidationError({"scoring": f"“{answer}” is not an answer of this question."})
        if isinstance(points, bool) or not isinstance(points, (int, float)):
            raise ValidationError({"scoring": f"The points for “{answer}” must be a number."})
        cleaned[str(answer)] = points
    return cleaned


def _unique_key(survey: Survey, wanted: str, *, exclude: int | None = None, explicit: bool) -> str:
    taken = set(Question.objects.filter(survey=survey).exclude(pk=exclude).values_list("key", flat=True))
    key = slugify(wanted)[:50].replace("-", "_").strip("_") or "question"
    if key not in taken:
        return key
    if explicit:
        raise ValidationError({"key": f"Another question of this survey already has the key “{key}”."})
    n = 2
    while f"{key}_{n}" in taken:
        n += 1
    return f"{key}_{n}"


def _shape(question: Question) -> None:
    """Keep only what the question's kind uses, and check the headline and the scale."""
    if question.kind not in QuestionKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(QuestionKind.values)}."})
    question.prompt = (question.prompt or "").strip()
    if not question.prompt:
        raise ValidationError({"prompt": "Write the question."})
    if question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTI):
        question.choices = []
    if question.kind != QuestionKind.SCALE:
        question.scale_min = question.scale_max = None
    elif None not in (question.scale_min, question.scale_max) and (
        question.scale_max - question.scale_min + 1 > MAX_SCALE_STEPS
    ):
        raise ValidationError({"scale_max": f"A scale has at most {MAX_SCALE_STEPS} steps."})
    survey = question.survey
    if survey.headline_kind == question.kind:
        others = Question.objects.filter(survey=survey, kind=question.kind).exclude(pk=question.pk)
        if others.exists():
            raise ValidationError({"kind": f"This {survey.get_kind_display()} survey already has its "
                                           f"{question.get_kind_display()} question; it has exactly one."})


@transaction.atomic
def question_add(*, actor: Actor, survey: Survey, kind: str, prompt: str, key: str = "", help_text: str = "",
                 required: bool = False, choices: Any = None, scale_min: int | None = None,
                 scale_max: int | None = None, scoring: Any = None) -> Question:
    """A question at the end of the survey. Without a key, one is made from the prompt."""
    require_editor(actor, survey.kind)
    question = Question(
        survey=survey, kind=kind, prompt=prompt, help_text=(help_text or "").strip(), required=bool(required),
        choices=_clean_choices(choices), scale_min=scale_min, scale_max=scale_max,
    )
    _shape(question)
    question.key = _unique_key(survey, key or prompt, explicit=bool((key or "").strip()))
    question.scoring = _clean_scoring(question, scoring)
    question.position = (survey.questions.aggregate(top=Max("position"))["top"] or 0) + 1
    _save(question, actor=actor, before=None)
    return question


@transaction.atomic
def question_update(*, actor: Actor, question: Question, **fields: Any) -> Question:
    _check_fields(fields, QUESTION_FIELDS)
    require_editor(actor, question.survey.kind)
    before = snapshot(question)
    answered = Answer.objects.filter(question=question).exists()
    if "choices" in fields:
        fields["choices"] = _clean_choices(fields["choices"])
    if "key" in fields:
        wanted = (fields.pop("key") or "").strip()
        if wanted:
            fields["key"] = _unique_key(question.survey, wanted, exclude=question.pk, explicit=True)
    if answered:
        errors = {name: "It has answers already, so this cannot change; add a new question instead."
                  for name in FROZEN_WHEN_ANSWERED if name in fields and fields[name] != getattr(question, name)}
        if "choices" in fields and question.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            given = Answer.objects.filter(question=question).values_list("choices", flat=True)
            used = {c for chosen in given for c in (chosen or [])}
            dropped = sorted(used - set(fields["choices"]))
            if dropped:
                errors["choices"] = f"Some answers chose {', '.join(dropped)}; keep these choices."
        if errors:
            raise ValidationError(errors)
    for name, value in fields.items():
        if name != "scoring":
            setattr(question, name, value.strip() if isinstance(value, str) and name != "choices" else value)
    _shape(question)
    question.scoring = _clean_scoring(question, fields.get("scoring", question.scoring))
    _save(question, actor=actor, before=before)
    return question


@transaction.atomic
def question_remove(*, actor: Actor, question: Question) -> None:
    survey = question.survey
    require_editor(actor, survey.kind)
    if survey.headline_kind == question.kind:
        raise ValidationError({"kind": f"The {question.get_kind_display()} question is what this survey measures; "
                                       "it cannot be removed."})
    count = Answer.objects.filter(question=question).count()
    if count:
        raise ValidationError({"question": f"It has {count} answer{'s' if count != 1 else ''}; "
                                           "removing it would lose them."})
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=question, before=snapshot(question))
    question.delete()
    _renumber(survey, [q.pk for q in survey.questions.order_by("position", "id")])


def _renumber(survey: Survey, order: list[int]) -> None:
    questions = {q.pk: q for q in survey.questions.all()}
    changed = []
    for position, pk in enumerate(order, start=1):
        question = questions[pk]
        if question.position != position:
            question.position = position
            changed.append(question)
    Question.objects.bulk_update(changed, ["position"])


@transaction.atomic
def question_reorder(*, actor: Actor, survey: Survey, order: list[int]) -> list[Question]:
    """Put the survey's questions in this order (every question id, once)."""
    require_editor(actor, survey.kind)
    current = list(survey.questions.order_by("position", "id").values_list("pk", flat=True))
    try:
        wanted = [int(pk) for pk in order]
    except (TypeError, ValueError):
        raise ValidationError({"order": "Give the question ids in their new order."}) from None
    if sorted(wanted) != sorted(current):
        raise ValidationError({"order": "Name every question of this survey exactly once."})
    if wanted != current:
        _renumber(survey, wanted)
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=survey,
                     before={"question_order": current}, after={"question_order": wanted})
    return list(survey.questions.order_by("position", "id"))


@transaction.atomic
def question_move(*, actor: Actor, question: Question, offset: int) -> list[Question]:
    """Move one question up (offset -1) or down (+1); past either end it stays where it is."""
    survey = question.survey
    order = list(survey.questions.order_by("position", "id").values_list("pk", flat=True))
    index = order.index(question.pk)
    target = min(max(index + offset, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    return question_reorder(actor=actor, survey=survey, order=order)
