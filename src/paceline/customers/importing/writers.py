"""Writing one converted row through the customers services, per kind.

A writer resolves the row's references (account, parent, manager, owner), leaves a record alone
when the row would change nothing (so re-importing the same file writes and audits nothing), and
otherwise calls the kind's ``*_upsert`` service with the import's actor. It reports
"created", "updated" or "unchanged" and the account the row belongs to.

The records a file names are loaded up front, a few queries per file rather than several per row,
and kept current as rows are written: an unchanged row then costs no query at all.
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
    # Accounts, and the kind's own records, by external id as they stand in this run.
    accounts: dict[str, Account] = field(default_factory=dict)
    records: dict[str, models.Model] = field(default_factory=dict)


Outcome = tuple[str, int]
Writer = Callable[[dict[str, Any], WriteContext], Outcome]
CHUNK = 500


def _by_external_id(queryset: models.QuerySet, ids: list[str | None]) -> dict[str, Any]:
    wanted = sorted({i for i in ids if i})
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), CHUNK):
        for record in queryset.filter(external_id__in=wanted[start:start + CHUNK]):
            found[record.external_id] = record
    return found


def preload(kind: str, rows: list[dict[str, Any]], ctx: WriteContext) -> None:
    """Load every record the rows name, by external id, into ``ctx``."""
    ids = [r.get("external_id") for r in rows]
    if kind == "accounts":
        ctx.accounts = _by_external_id(Account.objects.all(), ids + [r.get("parent_external_id") for r in rows])
        return
    ctx.accounts = _by_external_id(Account.objects.all(), [r.get("account_external_id") for r in rows])
    if kind == "contacts":
        ids += [r.get("reports_to_external_id") for r in rows]
        ctx.records = _by_external_id(Contact.objects.select_related("account"), ids)
    else:
        ctx.records = _by_external_id(Subscription.objects.select_related("account"), ids)


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
    account = ctx.accounts.get(external_id)
    if account is None:
        where = "in Paceline or in this file" if same_file else "in Paceline; import the accounts first"
        raise RowFailure([(field_name, f"There is no account with external id '{external_id}' {where}.")])
    return account


def write_account(values: dict[str, Any], ctx: WriteContext) -> Outcome:
    fields = dict(values)
    external_id = fields.pop("external_id")
    if "parent_external_id" in fields:
        fields["parent"] = _account(fields.pop("parent_external_id"), field_name="parent_external_id",
                                    ctx=ctx, same_file=True)
    existing = ctx.accounts.get(external_id)
    if existing is not None and not _differs(existing, fields):
        return "unchanged", existing.pk
    account, created = services.account_upsert(actor=ctx.actor, external_id=external_id, **fields)
    ctx.accounts[external_id] = account
    return "created" if created else "updated", account.pk


def _manager(external_id: str, ctx: WriteContext) -> Contact:
    if external_id in ctx.failed:
        raise RowFailure([("reports_to_external_id",
                           f"Contact '{external_id}' is on row {ctx.failed[external_id]}, which has errors.")])
    manager = ctx.records.get(external_id)
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
    existing = ctx.records.get(external_id)
    if existing is not None and fields.get("is_primary"):
        # Making someone primary clears the others in the database, behind the loaded copies.
        existing = Contact.objects.select_related("account").get(pk=existing.pk)
    _moving(existing, account, "Contact", external_id)
    if existing is not None and not _differs(existing, fields):
        return "unchanged", account.pk
    contact, created = services.contact_upsert(actor=ctx.actor, account=account, external_id=external_id, **fields)
    ctx.records[external_id] = contact
    return "created" if created else "updated", account.pk


def write_subscription(values: dict[str, Any], ctx: WriteContext) -> Outcome:
    fields = dict(values)
    external_id = fields.pop("external_id")
    account = _account(fields.pop("account_external_id"), field_name="account_external_id", ctx=ctx, same_file=False)
    existing = ctx.records.get(external_id)
    _moving(existing, account, "Subscription", external_id)
    if existing is not None and not _differs(existing, fields):
        return "unchanged", account.pk
    subscription, created = services.subscription_upsert(
        actor=ctx.actor, account=account, external_id=external_id, **fields
    )
    ctx.records[external_id] = subscription
    return "created" if created else "updated", account.pk


WRITERS: dict[str, Writer] = {
    "accounts": write_account,
    "contacts": write_contact,
    "subscriptions": write_subscription,
}
