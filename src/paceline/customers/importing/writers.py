"""Writing one converted row through the customers services, per kind.

A writer resolves the row's references (account, parent, manager, owner), leaves a record alone
when the row would change nothing (so re-importing the same file writes and audits nothing), and
otherwise calls the kind's ``*_upsert`` service with the import's actor. It reports
"created", "updated" or "unchanged" and the account the row belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from paceline.core.services import Actor
from paceline.customers import services
from paceline.customers.models import Account, Contact, ContactStatus, Subscription


class RowFailure(Exception):
    """The row cannot be written; ``problems`` are (field, reason) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(reason for _, reason in problems))
        self.problems = problems


@dataclass
class WriteContext:
    actor: Actor
    # External ids of this file's rows that have errors, with their row: what refers to them fails too.
    failed: dict[str, int] = field(default_factory=dict)


Outcome = tuple[str, int]
Writer = Callable[[dict[str, Any], WriteContext], Outcome]


def _differs(instance: models.Model, fields: dict[str, Any]) -> bool:
    for name, value in fields.items():
        model_field = instance._meta.get_field(name)
        if model_field.is_relation:
            current = getattr(instance, model_field.attname)
            value = value.pk if value is not None else None
        else:
            current = getattr(instance, name)
        if current != value:
            return True
    return False


def _account(external_id: str, *, field_name: str, ctx: WriteContext, same_file: bool) -> Account:
    if same_file and external_id in ctx.failed:
        raise RowFailure([(field_name, f"Account '{external_id}' is on row {ctx.failed[external_id]}, which has errors.")])
    account = Account.objects.filter(external_id=external_id).first()
    if account is None:
        where = "in Paceline or in this file" if same_file else "in Paceline; import the accounts first"
        raise RowFailure([(field_name, f"There is no account with external id '{external_id}' {where}.")])
    return account


def _outcome(existing: models.Model | None, created: bool) -> str:
    return "created" if created or existing is None else "updated"


def write_account(values: dict[str, Any], ctx: WriteContext) -> Outcome:
    fields = dict(values)
    external_id = fields.pop("external_id")
    if "parent_external_id" in fields:
        fields["parent"] = _account(fields.pop("parent_external_id"), field_name="parent_external_id",
                                    ctx=ctx, same_file=True)
    existing = Account.objects.filter(external_id=external_id).first()
    if existing is not None and not _differs(existing, fields):
        return "unchanged", existing.pk
    account, created = services.account_upsert(actor=ctx.actor, external_id=external_id, **fields)
    return _outcome(existing, created), account.pk


def _manager(external_id: str, ctx: WriteContext) -> Contact:
    if external_id in ctx.failed:
        raise RowFailure([("reports_to_external_id",
                           f"Contact '{external_id}' is on row {ctx.failed[external_id]}, which has errors.")])
    manager = Contact.objects.filter(external_id=external_id).first()
    if manager is None:
        raise RowFailure([("reports_to_external_id",
                           f"There is no contact with external id '{external_id}' in Paceline or in this file.")])
    return manager


def _moving(existing: models.Model | None, account: Account, what: str, external_id: str) -> None:
    if existing is not None and existing.account_id != account.pk:
        current = existing.account.external_id or existing.account.name
        raise RowFailure([("account_external_id",
                           f"{what} '{external_id}' belongs to account '{current}'; an import does not move it "
                           "to another account.")])


def write_contact(values: dict[str, Any], ctx: WriteContext) -> Outcome:
    fields = dict(values)
    external_id = fields.pop("external_id")
    account = _account(fields.pop("account_external_id"), field_name="account_external_id", ctx=ctx, same_file=False)
    parts = [fields.pop(name) for name in ("first_name", "last_name") if name in fields]
    if "name" not in fields and parts:
        fields["name"] = " ".join(parts)
    if "reports_to_external_id" in fields:
        fields["reports_to"] = _manager(fields.pop("reports_to_external_id"), ctx)
    # A leaving date says the contact left; "active" says they are back, so the date goes.
    if fields.get("left_on") and "status" not in fields:
        fields["status"] = ContactStatus.LEFT
    if fields.get("status") == ContactStatus.ACTIVE and "left_on" not in fields:
        fields["left_on"] = None
    existing = Contact.objects.select_related("account").filter(external_id=external_id).first()
    _moving(existing, account, "Contact", external_id)
    if existing is not None and not _differs(existing, fields):
        return "unchanged", account.pk
    contact, created = services.contact_upsert(actor=ctx.actor, account=account, external_id=external_id, **fields)
    return _outcome(existing, created), account.pk


def write_subscription(values: dict[str, Any], ctx: WriteContext) -> Outcome:
    fields = dict(values)
    external_id = fields.pop("external_id")
    account = _account(fields.pop("account_external_id"), field_name="account_external_id", ctx=ctx, same_file=False)
    existing = Subscription.objects.select_related("account").filter(external_id=external_id).first()
    _moving(existing, account, "Subscription", external_id)
    if existing is not None and not _differs(existing, fields):
        return "unchanged", account.pk
    subscription, created = services.subscription_upsert(
        actor=ctx.actor, account=account, external_id=external_id, **fields
    )
    return _outcome(existing, created), account.pk


WRITERS: dict[str, Writer] = {
    "accounts": write_account,
    "contacts": write_contact,
    "subscriptions": write_subscription,
}
