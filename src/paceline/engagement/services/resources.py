"""The catalogue of help (need areas and resources), and the needs CSMs note on accounts.

Leaders keep the catalogue; a resource is deactivated rather than deleted so the gaps report and
old needs still read. A need is opened on an account in one area and marked met when the customer
got the help.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit, snapshot
from paceline.customers.models import Account, Contact
from paceline.engagement.models import Need, NeedArea, NeedStatus, Resource

AREA_FIELDS = frozenset({"key", "name", "description"})
RESOURCE_FIELDS = frozenset({"title", "kind", "url", "description", "stages", "segments", "active"})


def _check(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})


def _save(instance, *, actor: Actor, before: dict | None, account_id: int | None = None) -> Any:
    instance.full_clean()
    instance.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
                 instance=instance, before=before, after=snapshot(instance), account_id=account_id)
    return instance


# Need areas ---------------------------------------------------------------------------------------


@transaction.atomic
def area_create(*, actor: Actor, name: str, key: str = "", description: str = "") -> NeedArea:
    """A new need area; its key is made from the name when not given."""
    key = key or slugify(name or "")[:50]
    if NeedArea.objects.filter(key=key).exists():
        raise ValidationError({"key": f"A need area with the key '{key}' already exists."})
    return _save(NeedArea(key=key, name=(name or "").strip(), description=description), actor=actor, before=None)


@transaction.atomic
def area_update(*, actor: Actor, area: NeedArea, **fields: Any) -> NeedArea:
    _check(fields, AREA_FIELDS)
    if "key" in fields and NeedArea.objects.filter(key=fields["key"]).exclude(pk=area.pk).exists():
        raise ValidationError({"key": f"A need area with the key '{fields['key']}' already exists."})
    before = snapshot(area)
    for name, value in fields.items():
        setattr(area, name, value)
    return _save(area, actor=actor, before=before)


@transaction.atomic
def area_delete(*, actor: Actor, area: NeedArea) -> None:
    """Delete an area no account has needed (needs keep their history, so those areas stay)."""
    if area.needs.exists():
        raise ValidationError({"area": "Accounts have needs in this area: it stays, for their history."})
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=area, before=snapshot(area))
    area.delete()


# Resources ----------------------------------------------------------------------------------------


def _set_areas(resource: Resource, areas: Iterable[NeedArea] | None) -> None:
    if areas is None:
        return
    areas = list(areas)
    if not areas:
        raise ValidationError({"areas": "Choose at least one need area the resource helps with."})
    resource.areas.set(areas)


@transaction.atomic
def resource_create(*, actor: Actor, title: str, kind: str, areas: Iterable[NeedArea], **fields: Any) -> Resource:
    _check(fields, RESOURCE_FIELDS)
    resource = Resource(title=title, kind=kind, **fields)
    resource.full_clean()
    resource.save()
    _set_areas(resource, areas)
    after = {**snapshot(resource), "areas": sorted(a.pk for a in resource.areas.all())}
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=resource, after=after)
    return resource


@transaction.atomic
def resource_update(*, actor: Actor, resource: Resource, areas: Iterable[NeedArea] | None = None,
                    **fields: Any) -> Resource:
    _check(fields, RESOURCE_FIELDS)
    before = {**snapshot(resource), "areas": sorted(resource.areas.values_list("pk", flat=True))}
    for name, value in fields.items():
        setattr(resource, name, value)
    resource.full_clean()
    resource.save()
    _set_areas(resource, areas)
    after = {**snapshot(resource), "areas": sorted(resource.areas.values_list("pk", flat=True))}
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=resource, before=before, after=after)
    return resource


def resource_deactivate(*, actor: Actor, resource: Resource) -> Resource:
    """Take a resource out of what is offered; it stays in the catalogue's history."""
    return resource_update(actor=actor, resource=resource, active=False)


# Needs of an account ------------------------------------------------------------------------------


@transaction.atomic
def need_open(*, actor: Actor, account: Account, area: NeedArea, note: str = "", contact: Contact | None = None,
              today: dt.date | None = None) -> Need:
    """Note that the account needs help in an area; one open need per area."""
    if contact is not None and contact.account_id != account.pk:
        raise ValidationError({"contact": "That contact belongs to another account."})
    if Need.objects.filter(account=account, area=area, status=NeedStatus.OPEN).exists():
        raise ValidationError({"area": f"{account.name} already has an open need in {area.name}."})
    need = _save(Need(account=account, area=area, note=note, contact=contact, opened_on=today or timezone.localdate()),
                 actor=actor, before=None, account_id=account.pk)
    event_emit(kind="need.opened", account_id=account.pk, actor=actor, subject=need,
               payload={"area": area.key, "note": note})
    return need


@transaction.atomic
def need_meet(*, actor: Actor, need: Need, today: dt.date | None = None) -> Need:
    """The customer got the help: the need is met."""
    if need.status != NeedStatus.OPEN:
        raise ValidationError({"status": "This need is already met."})
    before = snapshot(need)
    need.status = NeedStatus.MET
    need.met_on = today or timezone.localdate()
    _save(need, actor=actor, before=before, account_id=need.account_id)
    event_emit(kind="need.met", account_id=need.account_id, actor=actor, subject=need, payload={"area": need.area.key})
    return need
