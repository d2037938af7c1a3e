"""Which health model, at which version, scores which account.

A model applies to a segment and/or a lifecycle stage (blank: any). For an account, the most
specific active model that applies wins (segment and stage both matching beats one matching beats
none), ties going to the name; with none, the default model "Standard" scores it. A version's
definition is validated (defaults filled in) once per call, not once per account.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from paceline.customers.models import Account
from paceline.health import spec as specs
from paceline.health.models import HealthModel, ModelVersion

DEFAULT_NAME = "Standard"
DEFAULT_NOTE = "The standard model: seed 004's equations with the default weights and gates."


@transaction.atomic
def default_version() -> ModelVersion:
    """The current version of the model "Standard", created from ``spec.default()`` the first time."""
    model, _ = HealthModel.objects.get_or_create(
        name=DEFAULT_NAME, defaults={"description": "Applies to every account no other model covers."})
    version = model.versions.order_by("-number").first()
    if version is None:
        version = ModelVersion.objects.create(model=model, number=1, definition=specs.default(), note=DEFAULT_NOTE)
    return version


def _specificity(model: HealthModel, segment: str, stage: str) -> int | None:
    """2 when the segment and the stage both match, 1 for one, 0 for a catch-all; None: does not apply."""
    if (model.segment and model.segment != segment) or (model.lifecycle_stage and model.lifecycle_stage != stage):
        return None
    return bool(model.segment) + bool(model.lifecycle_stage)


def current_versions() -> dict[int, ModelVersion]:
    """The latest version of every active model, by model id (two queries)."""
    models = {m.pk: m for m in HealthModel.objects.filter(active=True)}
    latest: dict[int, ModelVersion] = {}
    for version in ModelVersion.objects.filter(model_id__in=models).order_by("model_id", "-number"):
        if version.model_id not in latest:
            version.model = models[version.model_id]
            latest[version.model_id] = version
    return latest


def version_for(accounts: Iterable[Account | int]) -> dict[int, ModelVersion]:
    """The model version that scores each account, by account id (accounts or ids; a fixed number of queries)."""
    items = list(accounts)
    ids = [a for a in items if isinstance(a, int)]
    profiles = {a.pk: (a.segment, a.lifecycle_stage) for a in items if isinstance(a, Account)}
    if ids:
        profiles.update({pk: (seg, stage) for pk, seg, stage in Account.objects.filter(pk__in=ids).values_list(
            "pk", "segment", "lifecycle_stage")})
    candidates = sorted(current_versions().values(), key=lambda v: v.model.name)
    fallback: ModelVersion | None = None
    chosen: dict[int, ModelVersion] = {}
    for account_id, (segment, stage) in profiles.items():
        ranked = [(r, v) for v in candidates if (r := _specificity(v.model, segment, stage)) is not None]
        if ranked:
            best = max(ranked, key=lambda pair: pair[0])[1]  # the first by name among the most specific
        else:
            fallback = fallback or default_version()
            best = fallback
        chosen[account_id] = best
    return chosen


def definition_of(version: ModelVersion, cache: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The version's definition with defaults filled in, validated once per ``cache``.

    Each equation's terms are put in name order: PostgreSQL's JSON reorders an object's keys, and
    the order of the terms is the order of a sum, so without it the last digits of a score would
    depend on the database and on whether the version was just written or read back."""
    if version.pk not in cache:
        definition = specs.validate(version.definition)
        for equation in definition["equations"].values():
            equation["terms"] = dict(sorted(equation["terms"].items()))
        cache[version.pk] = definition
    return cache[version.pk]
