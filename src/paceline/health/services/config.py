"""Writes CS leaders and CSMs make: health models and their versions, and manual assessments.

A version is never edited: saving a changed definition writes the next version, so every stored
score can be recomputed with the weights it was computed with. Saving an unchanged definition
writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit, snapshot
from paceline.customers.models import Account, LifecycleStage, Segment
from paceline.health import spec as specs
from paceline.health.models import HealthModel, ManualAssessment, ModelVersion

REASON_MAX = 2000


def _version_audit(actor: Actor, version: ModelVersion, before: dict | None) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=version, before=before or {},
                 after={"model": version.model.name, "number": version.number, "note": version.note,
                        "definition": version.definition})


@transaction.atomic
def model_create(*, actor: Actor, name: str, definition: Any = None, segment: str = "", lifecycle_stage: str = "",
                 description: str = "", note: str = "") -> HealthModel:
    """A new model for a segment and/or stage (blank: any), with its version 1."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Give the model a name."
    elif HealthModel.objects.filter(name__iexact=name).exists():
        errors["name"] = "A model with this name exists."
    if segment and segment not in Segment.values:
        errors["segment"] = f"Use one of: {', '.join(Segment.values)} (or blank for any)."
    if lifecycle_stage and lifecycle_stage not in LifecycleStage.values:
        errors["lifecycle_stage"] = f"Use one of: {', '.join(LifecycleStage.values)} (or blank for any)."
    if errors:
        raise ValidationError(errors)
    checked = specs.validate(specs.default() if definition is None else definition)
    model = HealthModel.objects.create(name=name, segment=segment, lifecycle_stage=lifecycle_stage,
                                       description=description)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=model, after=snapshot(model))
    version = ModelVersion.objects.create(model=model, number=1, definition=checked, note=note[:300],
                                          created_by=actor.user)
    _version_audit(actor, version, None)
    return model


@transaction.atomic
def model_save(*, actor: Actor, model: HealthModel, definition: Any, note: str = "") -> ModelVersion:
    """Save a changed definition as the model's next version (validated; errors name their place)."""
    checked = specs.validate(definition)
    current = model.versions.select_for_update().order_by("-number").first()
    if current is not None and specs.validate(current.definition) == checked:
        return current
    version = ModelVersion.objects.create(model=model, number=(current.number if current else 0) + 1,
                                          definition=checked, note=(note or "")[:300], created_by=actor.user)
    _version_audit(actor, version, {"number": current.number, "definition": current.definition} if current else None)
    return version


def _assessment_errors(score: Any, reason: str, on: dt.date | None, today: dt.date) -> dict[str, str]:
    errors = {}
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        errors["score"] = "Give a whole number from 0 to 100."
    if not reason:
        errors["reason"] = "Say why: the reason is what makes a manual read worth trusting."
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"Keep the reason under {REASON_MAX} characters."
    if on is not None and on > today:
        errors["on"] = "An assessment cannot be dated in the future."
    return errors


@transaction.atomic
def assessment_add(*, actor: Actor, account: Account, score: int, reason: str,
                   on: dt.date | None = None) -> ManualAssessment:
    """A CSM's own read of the account; it counts fully on its day and fades out by the model's expiry."""
    today = timezone.localdate()
    reason = (reason or "").strip()
    errors = _assessment_errors(score, reason, on, today)
    if errors:
        raise ValidationError(errors)
    assessment = ManualAssessment.objects.create(account=account, author=actor.user, score=score, reason=reason,
                                                 assessed_on=on or today)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=assessment, after=snapshot(assessment),
                 account_id=account.pk)
    event_emit(kind="health.assessment_added", account_id=account.pk, actor=actor, subject=assessment,
               payload={"score": score, "reason": reason, "on": assessment.assessed_on})
    return assessment
