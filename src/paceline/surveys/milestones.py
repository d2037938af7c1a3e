"""Relationship outcomes (seed 002): references given, case studies, reviews, executive access and
budget-planning involvement, as dated milestones per account, credited to the CSM who earned them.

They are what CS can influence and count while the long-term numbers (NPS, retention) take a year
or two to move, so a leader counts them per CSM and per kind over a period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit, snapshot
from paceline.customers.models import Account, Contact
from paceline.surveys.models import MilestoneKind, RelationshipMilestone
from paceline.users.models import Role, User

FIELDS = frozenset({"kind", "occurred_on", "contact", "credited_to", "note"})
KIND_COLORS = {
    MilestoneKind.REFERENCE: "#1f6feb",
    MilestoneKind.CASE_STUDY: "#1a7f37",
    MilestoneKind.REVIEW: "#9a6700",
    MilestoneKind.EXECUTIVE_ACCESS: "#8250df",
    MilestoneKind.BUDGET_PLANNING: "#bf3989",
}
NOBODY = "Not credited"


# Writes ----------------------------------------------------------------------------------------


def _check(milestone: RelationshipMilestone) -> None:
    errors: dict[str, str] = {}
    if milestone.occurred_on and milestone.occurred_on > timezone.localdate():
        errors["occurred_on"] = "A milestone is recorded once it happened: the date cannot be in the future."
    user = milestone.credited_to
    if user is not None and not (user.is_active and user.can_write):
        errors["credited_to"] = "Credit a CSM or a CS leader with an active login."
    if errors:
        raise ValidationError(errors)
    milestone.full_clean()


def _payload(milestone: RelationshipMilestone, action: str) -> dict[str, Any]:
    return {"action": action, "kind": milestone.kind, "occurred_on": milestone.occurred_on,
            "credited_to": milestone.credited_to_id, "contact": milestone.contact_id}


@transaction.atomic
def milestone_create(
    *,
    actor: Actor,
    account: Account,
    kind: str,
    occurred_on: dt.date,
    contact: Contact | None = None,
    credited_to: User | None = None,
    note: str = "",
) -> RelationshipMilestone:
    """Record a milestone. Without ``credited_to`` it is credited to the account's owner."""
    milestone = RelationshipMilestone(
        account=account, kind=kind, occurred_on=occurred_on, contact=contact,
        credited_to=credited_to if credited_to is not None else account.owner, note=note.strip(),
    )
    _check(milestone)
    milestone.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=milestone, after=snapshot(milestone),
                 account_id=account.pk)
    event_emit(kind="relationship.milestone", account_id=account.pk, actor=actor, subject=milestone,
               payload=_payload(milestone, "created"))
    return milestone


@transaction.atomic
def milestone_update(*, actor: Actor, milestone: RelationshipMilestone, **fields: Any) -> RelationshipMilestone:
    unknown = sorted(set(fields) - FIELDS)
    if unknown:
        raise ValidationError({name: "This field is unknown or cannot be set." for name in unknown})
    before = snapshot(milestone)
    for name, value in fields.items():
        setattr(milestone, name, value.strip() if name == "note" and isinstance(value, str) else value)
    _check(milestone)
    milestone.save()
    entry = audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=milestone, before=before,
                         after=snapshot(milestone), account_id=milestone.account_id)
    if entry is not None:
        event_emit(kind="relationship.milestone", account_id=milestone.account_id, actor=actor, subject=milestone,
                   payload=_payload(milestone, "updated"))
    return milestone


@transaction.atomic
def milestone_delete(*, actor: Actor, milestone: RelationshipMilestone) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, instance=milestone, before=snapshot(milestone),
                 account_id=milestone.account_id)
    event_emit(kind="relationship.milestone", account_id=milestone.account_id, actor=actor, subject=milestone,
               payload=_payload(milestone, "deleted"))
    milestone.delete()


# Reads -----------------------------------------------------------------------------------------


def account_milestones(*, account: Account) -> list[RelationshipMilestone]:
    """The account's milestones, latest first, with their contact and CSM (one query)."""
    return list(account.relationship_milestones.select_related("contact", "credited_to")
                .order_by("-occurred_on", "-id"))


def milestone_get(*, account: Account, pk: int) -> RelationshipMilestone:
    """A milestone of this account (a milestone of another account does not exist here)."""
    milestone = RelationshipMilestone.objects.select_related("contact", "credited_to").get(pk=pk, account=account)
    milestone.account = account
    return milestone


@dataclass
class CsmRow:
    user_id: int | None
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[int]:
        return [self.counts.get(kind, 0) for kind in MilestoneKind.values]


@dataclass
class OutcomeCounts:
    """Milestones per CSM and per kind between two days (both included)."""

    start: dt.date
    end: dt.date
    rows: list[CsmRow]
    months: list[tuple[dt.date, str, int]]  # (month, kind, count)

    @property
    def kinds(self) -> list[tuple[str, str]]:
        return list(MilestoneKind.choices)

    @property
    def per_kind(self) -> list[int]:
        return [sum(r.counts.get(kind, 0) for r in self.rows) for kind in MilestoneKind.values]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)


def tabulate(pairs: list[tuple[int | None, str, int]], names: dict[int, str]) -> list[CsmRow]:
    """Pure: (user id, kind, count) into one row per CSM, most milestones first; every CSM in
    ``names`` gets a row, even at zero (a zero is a finding too), the uncredited ones last."""
    rows = {uid: CsmRow(uid, name) for uid, name in names.items()}
    for uid, kind, n in pairs:
        row = rows.setdefault(uid, CsmRow(uid, names.get(uid, NOBODY) if uid is not None else NOBODY))
        row.counts[kind] = row.counts.get(kind, 0) + n
    return sorted(rows.values(), key=lambda r: (r.user_id is None, -r.total, r.name))


def outcome_counts(*, start: dt.date, end: dt.date) -> OutcomeCounts:
    """The team's relationship outcomes in a period (three queries, whatever the period)."""
    milestones = RelationshipMilestone.objects.filter(occurred_on__gte=start, occurred_on__lte=end)
    pairs = list(milestones.order_by().values_list("credited_to", "kind").annotate(n=Count("id")))
    credited = {uid for uid, _, _ in pairs if uid is not None}
    people = User.objects.filter(pk__in=credited) | User.objects.filter(is_active=True, role=Role.CSM)
    names = {u.pk: u.get_full_name() or u.username for u in people.order_by("pk")}
    months = [(m.date() if isinstance(m, dt.datetime) else m, kind, n) for m, kind, n in
              milestones.annotate(month=TruncMonth("occurred_on")).order_by("month", "kind")
              .values_list("month", "kind").annotate(n=Count("id"))]
    return OutcomeCounts(start=start, end=end, rows=tabulate(pairs, names), months=months)


def outcomes_chart(counts: OutcomeCounts) -> dict:
    """Stacked bars of milestones per CSM, coloured by kind (a Vega-Lite spec)."""
    labels = dict(MilestoneKind.choices)
    values = [{"csm": row.name, "kind": labels[kind], "count": n}
              for row in counts.rows for kind, n in row.counts.items() if n]
    domain = [labels[k] for k in MilestoneKind.values]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container", "height": max(120, 28 * len(counts.rows)),
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "csm", "type": "nominal", "title": None, "sort": [r.name for r in counts.rows]},
            "x": {"field": "count", "type": "quantitative", "title": "Milestones", "stack": "zero"},
            "color": {"field": "kind", "type": "nominal", "title": None,
                      "scale": {"domain": domain, "range": [KIND_COLORS[k] for k in MilestoneKind.values]},
                      "legend": {"orient": "bottom"}},
            "tooltip": [{"field": "csm", "title": "CSM"}, {"field": "kind"}, {"field": "count"}],
        },
    }


def months_chart(counts: OutcomeCounts) -> dict:
    """Milestones per month, by kind: is the team earning more of them over time?"""
    labels = dict(MilestoneKind.choices)
    values = [{"month": month.isoformat(), "kind": labels[kind], "count": n} for month, kind, n in counts.months]
    domain = [labels[k] for k in MilestoneKind.values]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container", "height": 200,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": None},
            "y": {"field": "count", "type": "quantitative", "title": "Milestones", "stack": "zero"},
            "color": {"field": "kind", "type": "nominal", "title": None,
                      "scale": {"domain": domain, "range": [KIND_COLORS[k] for k in MilestoneKind.values]},
                      "legend": {"orient": "bottom"}},
            "tooltip": [{"field": "month", "type": "temporal", "timeUnit": "yearmonth"}, {"field": "kind"},
                        {"field": "count"}],
        },
    }


def kind_counts(rows: list[RelationshipMilestone]) -> list[tuple[str, int]]:
    """Pure: (kind label, count) for the kinds present, in the kinds' order."""
    found = {kind: sum(1 for r in rows if r.kind == kind) for kind in MilestoneKind.values}
    return [(label, found[kind]) for kind, label in MilestoneKind.choices if found[kind]]
