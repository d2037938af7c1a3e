"""The adoption-readiness assessment: can this customer be successful with ANY software? (seed 003)

Before CS pushes its own product, it asks whether the customer can adopt software at all: a
defined adoption program and method, an executive sponsor, change management, adoption sustained
3, 5 and 10 years out, the share of their applications delivering the value expected, what blocks
them. The answers are scored into a readiness level with its reasons and a recommendation of what
CS does first.

The questionnaire is an ordinary survey of kind ``readiness`` (installed by a migration from
``QUESTIONNAIRE``), so CS leaders edit it in the survey builder. Each question's ``scoring`` maps a
choice, or a scale step, to points:

- single choice: the chosen choice's points (a choice without points scores 0);
- multiple choice: the sum of the chosen choices' points (blockers carry negative points);
- scale: the step's points; a step without points is interpolated between its listed neighbours;
- text, and any question with empty ``scoring``: not scored (read by the recommendation only).

**Score** = 100 × Σ(points − lowest possible) / Σ(highest possible − lowest possible) over the
scored questions that were answered, rounded: 0-100, and it never falls when an answer worth more
points replaces one worth fewer. An unanswered question counts neither way and is listed as such.

**Levels** (``LEVELS``): under 35 not ready, 35-59 emerging, 60-79 capable, 80 and up mature.

**Recommendation**: below capable, build the customer's adoption capacity first (program, method,
sponsor, change management) before pushing product features; capable and up, product depth and
expansion. Its steps come from what lowered the score and from where the customer asked for help.

The functions up to ``assess`` are pure (plain data in, plain data out); the rest read and write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit, snapshot
from paceline.customers.models import Account
from paceline.surveys.models import (
    QuestionKind,
    ReadinessAssessment,
    ReadinessLevel,
    Response,
    Survey,
    SurveyKind,
)

SURVEY_NAME = "Adoption readiness"
HELP_KEY = "help_needed"  # "where do you need us": read by the recommendation, not scored

# (lowest score of the level, level), highest first.
LEVELS: tuple[tuple[int, str], ...] = (
    (80, ReadinessLevel.MATURE),
    (60, ReadinessLevel.CAPABLE),
    (35, ReadinessLevel.EMERGING),
    (0, ReadinessLevel.NOT_READY),
)
LOW_LEVELS = frozenset({ReadinessLevel.NOT_READY, ReadinessLevel.EMERGING})
# The customer's own capacity to adopt, in the order CS builds it (seed 003).
FOUNDATIONS = ("adoption_program", "executive_sponsor", "adoption_method", "change_management")

BLOCKERS = (
    "Budget", "Skills and training", "Competing priorities", "Resistance to change",
    "Leadership attention", "Data quality", "Integration with other systems",
)
HELP_CHOICES = (
    "Defining an adoption program", "Change management and communication", "Training our people",
    "Executive alignment", "Measuring business outcomes", "Product configuration and features",
    "Integrations and data",
)

QUESTIONNAIRE: tuple[dict[str, Any], ...] = (
    {
        "key": "adoption_program", "kind": QuestionKind.SINGLE, "required": True,
        "prompt": "When you implement a new system, do you have a defined user adoption program?",
        "help_text": "A program is owned, funded and runs beyond go-live.",
        "choices": ["Yes, a defined program", "Partly: around go-live only", "No"],
        "scoring": {"Yes, a defined program": 20, "Partly: around go-live only": 8, "No": 0},
    },
    {
        "key": "adoption_method", "kind": QuestionKind.SINGLE, "required": True,
        "prompt": "Which adoption method do you follow?",
        "choices": ["A named method we apply to every system", "Informal: it depends on the project", "None"],
        "scoring": {"A named method we apply to every system": 15, "Informal: it depends on the project": 6, "None": 0},
    },
    {
        "key": "executive_sponsor", "kind": QuestionKind.SINGLE, "required": True,
        "prompt": "Does an executive sponsor own the business outcomes of this investment?",
        "choices": ["Yes, named and active", "Named, but rarely involved", "No"],
        "scoring": {"Yes, named and active": 15, "Named, but rarely involved": 5, "No": 0},
    },
    {
        "key": "change_management", "kind": QuestionKind.SINGLE, "required": True,
        "prompt": "How do you manage the changes a new system brings to processes, roles and routines?",
        "choices": ["Before, during and after go-live", "Around go-live only", "We do not manage them"],
        "scoring": {"Before, during and after go-live": 10, "Around go-live only": 4, "We do not manage them": 0},
    },
    {
        "key": "sustain_adoption", "kind": QuestionKind.SCALE, "required": True, "scale_min": 1, "scale_max": 5,
        "prompt": "How well do you sustain effective use of a system 3, 5 and 10 years after go-live?",
        "help_text": "1: use fades once the project team moves on; 5: a standing program keeps it up for years.",
        "scoring": {"1": 0, "2": 3, "3": 7, "4": 11, "5": 15},
    },
    {
        "key": "value_share", "kind": QuestionKind.SINGLE, "required": True,
        "prompt": "Across your software portfolio, what share of applications deliver the full business value you expected?",
        "choices": ["Under 25%", "25% to 50%", "50% to 75%", "Over 75%"],
        "scoring": {"Under 25%": 0, "25% to 50%": 5, "50% to 75%": 10, "Over 75%": 15},
    },
    {
        "key": "standout_success", "kind": QuestionKind.TEXT,
        "prompt": "Which of your systems would you call an outstanding success, and what made it so?",
    },
    {
        "key": "blockers", "kind": QuestionKind.MULTI,
        "prompt": "What prevents you from getting more value from your existing software?",
        "help_text": "Choose all that apply.",
        "choices": [*BLOCKERS, "Nothing significant"],
        "scoring": {"Budget": -2, "Skills and training": -3, "Competing priorities": -3, "Resistance to change": -4,
                    "Leadership attention": -4, "Data quality": -2, "Integration with other systems": -2},
    },
    {
        "key": "own_actions", "kind": QuestionKind.TEXT,
        "prompt": "What will you do to make sure this investment delivers the benefits you expect?",
    },
    {
        "key": HELP_KEY, "kind": QuestionKind.MULTI,
        "prompt": "Where do you need our help to make this investment a success?",
        "help_text": "Choose all that apply.",
        "choices": list(HELP_CHOICES),
    },
)

# What CS does about each weak answer (by question key; blockers by choice).
CAPACITY_ACTIONS = {
    "adoption_program": "Help them define an adoption program that lives beyond go-live: an owner, a budget, a cadence.",
    "adoption_method": "Introduce an adoption method and apply it to our rollout as the worked example.",
    "executive_sponsor": "Secure an active executive sponsor who owns the business outcomes before widening the rollout.",
    "change_management": "Plan the change with them: processes, roles, routines and how performance is measured.",
    "sustain_adoption": "Agree how use will be reinforced after launch: refreshers, new-joiner onboarding, yearly reviews.",
    "value_share": "Review with them why past systems fell short and agree the outcomes this one must show.",
}
BLOCKER_ACTIONS = {
    "Budget": "Tie the rollout to outcomes the budget holder already funds.",
    "Skills and training": "Train their adoption leads, not only the end users.",
    "Competing priorities": "Agree a short, protected first milestone with the sponsor.",
    "Resistance to change": "Find champions in each team and show early wins in their words.",
    "Leadership attention": "Bring their leadership into a quarterly outcomes review.",
    "Data quality": "Set data ownership and entry rules before go-live.",
    "Integration with other systems": "Map the integrations first and schedule them in the plan.",
}


# Pure scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    """What scoring needs of a question (built from a ``Question`` row or from ``QUESTIONNAIRE``)."""

    key: str
    kind: str
    prompt: str
    choices: tuple[str, ...] = ()
    scale_min: int | None = None
    scale_max: int | None = None
    scoring: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, question: Any) -> QuestionSpec:
        get = question.get if isinstance(question, Mapping) else lambda name, default=None: getattr(question, name, default)
        return cls(
            key=get("key"), kind=get("kind"), prompt=get("prompt"), choices=tuple(get("choices") or ()),
            scale_min=get("scale_min"), scale_max=get("scale_max"), scoring=dict(get("scoring") or {}),
        )

    @property
    def scored(self) -> bool:
        if not self.scoring:
            return False
        if self.kind == QuestionKind.SCALE:
            return self.scale_min is not None and self.scale_max is not None and self.scale_min < self.scale_max
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTI) and bool(self.choices)

    def step_points(self, step: int) -> float:
        """A scale step's points; an unlisted step lies on the line between its listed neighbours."""
        listed = sorted((int(k), float(v)) for k, v in self.scoring.items())
        for at, points in listed:
            if at == step:
                return points
        below = [(s, p) for s, p in listed if s < step]
        above = [(s, p) for s, p in listed if s > step]
        if not below:
            return above[0][1]
        if not above:
            return below[-1][1]
        (s0, p0), (s1, p1) = below[-1], above[0]
        return p0 + (p1 - p0) * (step - s0) / (s1 - s0)

    def bounds(self) -> tuple[float, float]:
        """The lowest and the highest points an answer can get."""
        if self.kind == QuestionKind.SCALE:
            values = [self.step_points(s) for s in range(self.scale_min, self.scale_max + 1)]
            return min(values), max(values)
        values = [self.choice_points(c) for c in self.choices]
        if self.kind == QuestionKind.MULTI:
            return float(sum(v for v in values if v < 0)), float(sum(v for v in values if v > 0))
        return min(values), max(values)

    def choice_points(self, choice: str) -> float:
        # Points left behind by a choice the builder removed do not count (the bounds ignore them too).
        return float(self.scoring.get(choice, 0)) if choice in self.choices else 0.0

    def points(self, value: Any) -> float:
        if self.kind == QuestionKind.SCALE:
            return self.step_points(int(value))
        if self.kind == QuestionKind.MULTI:
            return sum(self.choice_points(c) for c in set(value))
        return self.choice_points(value)


def scoring_errors(spec: QuestionSpec) -> dict[str, str]:
    """What is wrong with a question's points, by field (for the survey builder to show)."""
    if not spec.scoring:
        return {}
    if spec.kind not in (QuestionKind.SINGLE, QuestionKind.MULTI, QuestionKind.SCALE):
        return {"scoring": "Only choice and scale questions carry points."}
    for name, points in spec.scoring.items():
        if isinstance(points, bool) or not isinstance(points, int | float):
            return {"scoring": f"The points of “{name}” must be a number."}
        if abs(points) > 1000:
            return {"scoring": f"The points of “{name}” must be between -1000 and 1000."}
        if spec.kind == QuestionKind.SCALE:
            try:
                step = int(name)
            except (TypeError, ValueError):
                return {"scoring": f"“{name}” is not a step of the scale."}
            if spec.scale_min is None or spec.scale_max is None or not spec.scale_min <= step <= spec.scale_max:
                return {"scoring": f"Step {step} is outside the scale."}
        elif name not in spec.choices:
            return {"scoring": f"“{name}” is not one of the choices."}
    return {}


def _answered(spec: QuestionSpec, value: Any) -> bool:
    if value is None or value == "":
        return False
    if spec.kind == QuestionKind.SCALE:
        return isinstance(value, int) and not isinstance(value, bool) and spec.scale_min <= value <= spec.scale_max
    if spec.kind == QuestionKind.MULTI:
        return isinstance(value, list | tuple | set | frozenset)
    return isinstance(value, str)


def _show(spec: QuestionSpec, value: Any) -> str:
    if spec.kind == QuestionKind.SCALE:
        return f"{value} on {spec.scale_min}-{spec.scale_max}"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(sorted(map(str, value))) or "none"
    return str(value)


def _reasons_for(spec: QuestionSpec, value: Any, low: float, high: float, total: float) -> list[dict[str, Any]]:
    """Whether the answer raised or lowered the score, and by how many of its 100 points."""
    points = spec.points(value)

    def reason(effect: str, answer: str, weight: float, **extra: Any) -> dict[str, Any]:
        return {"effect": effect, "question": spec.key, "prompt": spec.prompt, "answer": answer,
                "points": round(points, 2), "of": round(high, 2), "weight": round(100 * weight / total, 1), **extra}

    if spec.kind == QuestionKind.MULTI:
        # A blocker named lowers; a strength named raises; naming none of the blockers raises.
        chosen = set(value)
        # Heaviest first, so the recommendation can take the first.
        bad = sorted((c for c in chosen if spec.choice_points(c) < 0), key=lambda c: (spec.choice_points(c), c))
        good = sorted((c for c in chosen if spec.choice_points(c) > 0), key=lambda c: (-spec.choice_points(c), c))
        out = []
        if bad:
            out.append(reason("lowered", ", ".join(bad), -sum(spec.choice_points(c) for c in bad), choices=bad))
        if good:
            out.append(reason("raised", ", ".join(good), sum(spec.choice_points(c) for c in good), choices=good))
        if not bad and not good:
            if low < 0:
                out.append(reason("raised", "none of the listed", -low))
            elif high > 0:
                out.append(reason("lowered", "none of the listed", high))
        return out
    share = (points - low) / (high - low) if high > low else 1.0
    if share >= 0.5:
        return [reason("raised", _show(spec, value), points - low)]
    return [reason("lowered", _show(spec, value), high - points)]


@dataclass(frozen=True)
class Recommendation:
    focus: str  # "capacity" (build their adoption capacity first) or "depth" (product depth, expansion)
    headline: str
    steps: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join([self.headline, *(f"- {s}" for s in self.steps)])


@dataclass(frozen=True)
class Readiness:
    score: int
    level: str
    reasons: tuple[dict[str, Any], ...]
    recommendation: Recommendation

    @property
    def raised(self) -> list[dict[str, Any]]:
        return [r for r in self.reasons if r["effect"] == "raised"]

    @property
    def lowered(self) -> list[dict[str, Any]]:
        return [r for r in self.reasons if r["effect"] == "lowered"]


class NotScorable(ValueError):
    """No scored question was answered: there is nothing to assess."""


def score(questions: Sequence[QuestionSpec], answers: Mapping[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """The 0-100 score and its reasons: raised and lowered (heaviest first), then unanswered."""
    scored = [q for q in questions if q.scored]
    answered = [(q, answers[q.key]) for q in scored if _answered(q, answers.get(q.key))]
    if not answered:
        raise NotScorable("No scored question was answered.")
    bounds = {q.key: q.bounds() for q, _ in answered}
    total = sum(high - low for low, high in bounds.values())
    got = sum(q.points(value) - bounds[q.key][0] for q, value in answered)
    value = 100 if total <= 0 else round(100 * got / total)
    reasons: list[dict[str, Any]] = []
    for q, answer in answered:
        reasons.extend(_reasons_for(q, answer, *bounds[q.key], total or 1.0))
    reasons.sort(key=lambda r: (r["effect"] != "lowered", -r["weight"], r["question"]))
    reasons.extend({"effect": "unanswered", "question": q.key, "prompt": q.prompt, "answer": "", "points": 0,
                    "of": round(q.bounds()[1], 2), "weight": 0.0}
                   for q in scored if q.key not in bounds)
    return max(0, min(100, value)), reasons


def level_for(value: int) -> str:
    for lowest, level in LEVELS:
        if value >= lowest:
            return level
    return ReadinessLevel.NOT_READY


def recommend(level: str, reasons: Sequence[Mapping[str, Any]], help_needed: Iterable[str] = ()) -> Recommendation:
    """What CS does first. The foundations (program, sponsor, method, change management) come
    before anything else, then the heaviest other gap and the heaviest blocker."""
    lowered = {r["question"]: r for r in reasons if r["effect"] == "lowered"}
    steps = [CAPACITY_ACTIONS[k] for k in FOUNDATIONS if k in lowered]
    others = [r for k, r in lowered.items() if k not in FOUNDATIONS and k != "blockers"]
    steps += [CAPACITY_ACTIONS.get(r["question"], f"Work with them on: {r['prompt']}") for r in others[:1]]
    if "blockers" in lowered:
        first = lowered["blockers"].get("choices") or [lowered["blockers"]["answer"]]
        steps.append(BLOCKER_ACTIONS.get(first[0], f"Work with them on: {first[0]}."))
    asked = [h for h in help_needed if h]
    if level in LOW_LEVELS:
        headline = ("Build their adoption capacity first: help them learn to adopt any software "
                    "before pushing product features.")
        if not steps:
            steps.append(CAPACITY_ACTIONS["adoption_program"])
        steps.append("Hold back feature pushes and expansion until the sponsor and the program are in place.")
    else:
        headline = ("They can adopt software: go for product depth (advanced features, integrations) "
                    "and the expansion conversation.")
        steps = [f"Keep an eye on it: {s[0].lower()}{s[1:]}" for s in steps[:2]]
        steps.insert(0, "Plan product depth with their adoption lead: the next teams, features and integrations.")
        if level == ReadinessLevel.MATURE:
            steps.append("Ask for a reference or a case study: their program is an example for others.")
    if asked:
        steps.append(f"They asked for our help with: {', '.join(asked)}.")
    return Recommendation("capacity" if level in LOW_LEVELS else "depth", headline, tuple(dict.fromkeys(steps)))


def assess(questions: Sequence[QuestionSpec], answers: Mapping[str, Any]) -> Readiness:
    """Score, level, reasons and recommendation from the questions and the answers by key."""
    value, reasons = score(questions, answers)
    level = level_for(value)
    help_needed = answers.get(HELP_KEY) or ()
    if isinstance(help_needed, str):
        help_needed = [help_needed]
    return Readiness(value, level, tuple(reasons), recommend(level, reasons, help_needed))


# The database ---------------------------------------------------------------------------------


def readiness_survey_install(*, survey_model=Survey, question_model=None) -> Survey:
    """The built-in questionnaire, created with its questions when missing (the migration calls it
    with historical models). An existing one is left as the leaders edited it."""
    question_model = question_model or Survey.questions.rel.related_model
    survey = survey_model.objects.filter(kind=SurveyKind.READINESS, name=SURVEY_NAME).order_by("id").first()
    if survey is not None:
        return survey
    survey = survey_model.objects.create(
        name=SURVEY_NAME, kind=SurveyKind.READINESS,
        intro="A few questions about how your organisation adopts software in general, not only ours. "
              "Your answers tell us where to help first.",
        thank_you="Thank you. We will come back to you with what we suggest doing first.",
    )
    question_model.objects.bulk_create([
        question_model(survey=survey, position=i, key=q["key"], kind=q["kind"], prompt=q["prompt"],
                       help_text=q.get("help_text", ""), required=q.get("required", False),
                       choices=list(q.get("choices", [])), scale_min=q.get("scale_min"),
                       scale_max=q.get("scale_max"), scoring=dict(q.get("scoring", {})))
        for i, q in enumerate(QUESTIONNAIRE, start=1)
    ])
    return survey


def readiness_survey_current() -> Survey | None:
    """The questionnaire a CSM records answers with: the built-in one while it is active, else the
    newest active readiness survey a leader built; None when there is none (nothing is created)."""
    surveys = Survey.objects.filter(kind=SurveyKind.READINESS, is_active=True).prefetch_related("questions")
    return surveys.filter(name=SURVEY_NAME).order_by("id").first() or surveys.order_by("-id").first()


def readiness_survey() -> Survey:
    """The survey a CSM records an assessment with: the built-in one (reinstalled if it was removed)."""
    return readiness_survey_install()


def answers_by_key(response: Response) -> dict[str, Any]:
    """A response's answers as plain values: a number, a choice, a list of choices, or text."""
    values: dict[str, Any] = {}
    for answer in response.answers.all():
        kind = answer.question.kind
        if kind == QuestionKind.MULTI:
            values[answer.question.key] = list(answer.choices or [])
        elif kind == QuestionKind.SINGLE:
            values[answer.question.key] = (answer.choices[0] if answer.choices else answer.text) or None
        elif answer.number is not None:
            values[answer.question.key] = answer.number
        else:
            values[answer.question.key] = answer.text or None
    return values


def assess_response(response: Response) -> Readiness:
    """Score a response against its survey's questions as they are now (raises NotScorable)."""
    questions = [QuestionSpec.of(q) for q in response.survey.questions.all()]
    return assess(questions, answers_by_key(response))


def _load(response_id: int) -> Response:
    return (Response.objects.select_related("survey", "account")
            .prefetch_related("survey__questions", "answers__question").get(pk=response_id))


@transaction.atomic
def readiness_assess(*, actor: Actor, response: Response) -> ReadinessAssessment:
    """Write (or rewrite) the assessment of a submitted readiness response. Idempotent: the same
    answers scored by the same questions change nothing and record nothing."""
    response = _load(response.pk)
    if response.survey.kind != SurveyKind.READINESS:
        raise ValidationError({"response": "Only an adoption-readiness response is assessed."})
    if response.submitted_at is None:
        raise ValidationError({"response": "The response is not submitted yet."})
    try:
        result = assess_response(response)
    except NotScorable as error:
        raise ValidationError({"answers": str(error)}) from None
    fields = {
        "account_id": response.account_id,
        "assessed_on": timezone.localdate(response.submitted_at),
        "score": result.score,
        "level": result.level,
        "reasons": [dict(r) for r in result.reasons],
        "recommendation": result.recommendation.text,
    }
    existing = ReadinessAssessment.objects.filter(response=response).first()
    if existing is not None and all(getattr(existing, k) == v for k, v in fields.items()):
        return existing
    before = snapshot(existing) if existing is not None else None
    previous = readiness_latest([response.account_id]).get(response.account_id)
    assessment = existing or ReadinessAssessment(response=response)
    for name, value in fields.items():
        setattr(assessment, name, value)
    assessment.full_clean()
    assessment.save()
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE if existing is None else AuditEntry.Action.UPDATE,
        instance=assessment, before=before, after=snapshot(assessment), account_id=response.account_id,
    )
    event_emit(kind="readiness.assessed", account_id=response.account_id, actor=actor, subject=assessment,
               payload={"score": assessment.score, "level": assessment.level, "focus": result.recommendation.focus,
                        "previous_level": previous.level if previous is not None and previous.pk != assessment.pk
                        else None})
    return assessment


def readiness_on_submit(*, actor: Actor, response: Response) -> ReadinessAssessment | None:
    """The hook a response's submission calls, whatever its survey: assesses a readiness response
    and ignores the others, and a readiness response with no scored answer (nothing to assess is
    not an error for the respondent)."""
    if response.survey.kind != SurveyKind.READINESS or response.submitted_at is None:
        return None
    try:
        return readiness_assess(actor=actor, response=response)
    except ValidationError as error:
        if "answers" in getattr(error, "error_dict", {}):
            return None
        raise


@transaction.atomic
def readiness_refresh(*, actor: Actor, account: Account | None = None) -> list[ReadinessAssessment]:
    """Assess every submitted readiness response (of one account, or all) with the questions as
    they are now: after a leader changed points, or for responses that arrived by another door.
    Responses with no scored answer are left alone."""
    responses = Response.objects.filter(survey__kind=SurveyKind.READINESS, submitted_at__isnull=False)
    if account is not None:
        responses = responses.filter(account=account)
    done = []
    for response in responses.order_by("submitted_at", "id"):
        try:
            done.append(readiness_assess(actor=actor, response=response))
        except ValidationError as error:
            if "answers" not in getattr(error, "error_dict", {}):
                raise
    return done


def readiness_latest(account_ids: Iterable[int], *, on: dt.date | None = None) -> dict[int, ReadinessAssessment]:
    """Each account's latest assessment (as known on ``on``, for backtests), for the health model
    and the book, in one query."""
    ids = list(account_ids)
    latest: dict[int, ReadinessAssessment] = {}
    if not ids:
        return latest
    rows = ReadinessAssessment.objects.filter(account_id__in=ids).order_by("account_id", "-assessed_on", "-id")
    if on is not None:
        rows = rows.filter(assessed_on__lte=on)
    for assessment in rows:
        latest.setdefault(assessment.account_id, assessment)
    return latest


def account_readiness(*, account: Account) -> list[ReadinessAssessment]:
    """An account's assessments, newest first, with who answered, each with its reasons split into
    ``lowered``, ``raised`` and ``unanswered`` for the pages."""
    rows = list(account.readiness_assessments.select_related("response__contact").order_by("-assessed_on", "-id"))
    for assessment in rows:
        for effect in ("lowered", "raised", "unanswered"):
            setattr(assessment, effect, [r for r in assessment.reasons if r.get("effect") == effect])
    return rows


def level_trend(assessments: Sequence[ReadinessAssessment]) -> str | None:
    """"up", "down" or "same" from the one before the latest to the latest (newest first)."""
    if len(assessments) < 2:
        return None
    latest, before = assessments[0].score, assessments[1].score
    return "up" if latest > before else "down" if latest < before else "same"

