"""The health API: an account's latest score with its full explanation, its history, score now;
models and their versions (CS leaders write versions); CSMs' manual assessments.

Everyone signed in reads; writers (CS leaders and CSMs) score and assess, the API's authentication
refusing viewers; only CS leaders create model versions. A definition's errors come back as a 422
whose ``loc`` is the place in the body (``["body", "definition", "bands", "yellow"]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError, ValidationError

from paceline.core.schemas import Id, PageParams, page_of, refuse_unknown_params
from paceline.customers.models import Account
from paceline.engagement.api_input import actor, get_or_404, leader_only, refused
from paceline.health import queries, services
from paceline.health.models import HealthModel, HealthScore, ModelVersion
from paceline.health.schemas import (
    AssessmentIn,
    AssessmentOut,
    AssessmentPage,
    ModelIn,
    ModelOut,
    ModelPage,
    ScoreOut,
    ScorePage,
    VersionIn,
    VersionOut,
    VersionPage,
)

router = Router(tags=["Health"])
MODELS = "health models"
BODY_FIELDS = {"note", "name", "segment", "lifecycle_stage", "description"}  # a service error under these names is about the body, not the definition


def _place(place: str) -> list[str | int]:
    """"equations.renewal.requires[0]" → ["equations", "renewal", "requires", 0]."""
    parts: list[str | int] = []
    for piece in place.split("."):
        name, *indexes = re.split(r"\[(\d+)\]", piece)
        if name:
            parts.append(name)
        parts.extend(int(i) for i in indexes if i)
    return parts


@contextmanager
def definition_refused() -> Iterator[None]:
    """A definition's errors as a 422, each under its place in the body's ``definition``."""
    try:
        yield
    except DjangoValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        detail = []
        for place, messages in errors.items():
            if place == NON_FIELD_ERRORS:
                loc = ["body"]
            elif place in BODY_FIELDS:
                loc = ["body", place]
            else:
                parts = _place(place)
                loc = ["body", *(parts if parts[:1] == ["definition"] else ["definition", *parts])]
            detail.extend({"type": "validation_error", "loc": loc, "msg": m} for m in messages)
        raise ValidationError(detail) from None


def _account(account_id: int) -> Account:
    return get_or_404(Account.objects.all(), account_id, "account")


def _explained(score: HealthScore) -> HealthScore:
    before, changes = queries.changes_since_last_week(score)
    score.changes_since = before.on if before else None
    score.changes = changes
    return score


# Scores -----------------------------------------------------------------------------------------


@router.get("/accounts/{int:account_id}/health", response=ScoreOut,
            summary="An account's latest health score with its full explanation")
def score_latest(request: HttpRequest, account_id: Id):
    score = queries.latest_score(_account(account_id))
    if score is None:
        raise HttpError(404, f"Account {account_id} has no health score yet: POST to score it now.")
    return _explained(score)


@router.get("/accounts/{int:account_id}/health/history", response=ScorePage,
            summary="An account's stored health scores, newest first")
def score_history(request: HttpRequest, account_id: Id, page: Query[PageParams]):
    refuse_unknown_params(request)
    return page_of(queries.scores(_account(account_id)).order_by("-on"), page)


@router.post("/accounts/{int:account_id}/health", response={201: ScoreOut},
             summary="Score the account now from today's data (CSMs and CS leaders)")
def score_now(request: HttpRequest, account_id: Id):
    account = _account(account_id)
    services.scores_compute(on=timezone.localdate(), account_ids=[account.pk], actor=actor(request))
    return Status(201, _explained(queries.latest_score(account)))


# Manual assessments -----------------------------------------------------------------------------


@router.get("/accounts/{int:account_id}/health/assessments", response=AssessmentPage,
            summary="CSMs' manual reads of the account, newest first")
def assessment_list(request: HttpRequest, account_id: Id, page: Query[PageParams]):
    refuse_unknown_params(request)
    return page_of(queries.assessments(_account(account_id)), page)


@router.post("/accounts/{int:account_id}/health/assessments", response={201: AssessmentOut},
             summary="Add your read of the account (CSMs and CS leaders); it fades out by the model's expiry")
def assessment_add(request: HttpRequest, account_id: Id, payload: AssessmentIn):
    account = _account(account_id)
    with refused():
        return Status(201, services.assessment_add(actor=actor(request), account=account, **payload.model_dump()))


# Models and versions ----------------------------------------------------------------------------


def _models():
    return HealthModel.objects.order_by("name", "id")


def _with_current(models: list[HealthModel]) -> list[HealthModel]:
    latest: dict[int, ModelVersion] = {}
    for version in ModelVersion.objects.filter(model__in=models).order_by("model_id", "-number"):
        latest.setdefault(version.model_id, version)
    for model in models:
        model.current_version = latest.get(model.pk)
    return models


@router.get("/health/models", response=ModelPage, summary="Health models with their current version")
def model_list(request: HttpRequest, page: Query[PageParams]):
    refuse_unknown_params(request)
    result = page_of(_models(), page)
    result["items"] = _with_current(result["items"])
    return result


@router.get("/health/models/{int:model_id}", response=ModelOut, summary="A health model with its current version")
def model_get(request: HttpRequest, model_id: Id):
    model = get_or_404(_models(), model_id, "health model")
    return _with_current([model])[0]


@router.post("/health/models", response={201: ModelOut},
             summary="A new model for a segment and/or lifecycle stage, with its version 1 (CS leaders)")
def model_create(request: HttpRequest, payload: ModelIn):
    leader_only(request, MODELS)
    with definition_refused():
        model = services.model_create(actor=actor(request), name=payload.name, description=payload.description,
                                      segment=payload.segment, lifecycle_stage=payload.lifecycle_stage,
                                      definition=payload.definition, note=payload.note)
    return Status(201, _with_current([model])[0])


@router.get("/health/models/{int:model_id}/versions", response=VersionPage,
            summary="A model's versions, newest first (who, when, note, definition)")
def version_list(request: HttpRequest, model_id: Id, page: Query[PageParams]):
    refuse_unknown_params(request)
    model = get_or_404(HealthModel.objects.all(), model_id, "health model")
    return page_of(model.versions.order_by("-number"), page)


@router.post("/health/models/{int:model_id}/versions", response={200: VersionOut, 201: VersionOut},
             summary="Save a changed definition as the model's next version (CS leaders); 200 with the "
                     "current version when nothing changed")
def version_create(request: HttpRequest, model_id: Id, payload: VersionIn):
    leader_only(request, MODELS)
    model = get_or_404(HealthModel.objects.all(), model_id, "health model")
    before = model.current
    with definition_refused():
        version = services.model_save(actor=actor(request), model=model, definition=payload.definition, note=payload.note)
    return Status(200 if before is not None and version.pk == before.pk else 201, version)
