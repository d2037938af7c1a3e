"""The escalation path (seed 001): when the customer's side goes quiet, go one level up.

From the primary contact (else an active champion) walk ``reports_to`` upward, past anyone who
has left, to the first active person. The owner CSM gets a task with the context and the
escalation goes on the timeline as a note. With nobody known above, the gap itself becomes the
task: "establish an escalation contact".
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from paceline.automation.models import Escalation, Firing
from paceline.core.services import Actor, event_emit
from paceline.customers import services as customer_services
from paceline.customers.models import (
    Account,
    Contact,
    ContactRole,
    ContactStatus,
    InteractionKind,
    TaskPriority,
)
from paceline.engagement import services as engagement_services


def starting_contact(account: Account) -> Contact | None:
    """Whom the escalation starts from: the primary contact, else an active champion."""
    active = Contact.objects.filter(account=account, status=ContactStatus.ACTIVE).order_by("id")
    primary = active.filter(is_primary=True).first()
    if primary is not None:
        return primary
    return next((c for c in active if ContactRole.CHAMPION in (c.roles or [])), None)


def next_up(contact: Contact) -> Contact | None:
    """The first active person above ``contact`` in the chain of command, or None."""
    seen = {contact.pk}
    node = contact.reports_to
    while node is not None and node.pk not in seen:
        if node.status == ContactStatus.ACTIVE:
            return node
        seen.add(node.pk)
        node = node.reports_to
    return None


def _describe(contact: Contact | None) -> str:
    if contact is None:
        return "the primary contact"
    return f"{contact.name} ({contact.title})" if contact.title else contact.name


@transaction.atomic
def escalate(*, actor: Actor, account: Account, reason: str, firing: Firing | None = None, due_in_days: int = 2,
             context: str = "", today: dt.date | None = None) -> Escalation:
    today = today or timezone.localdate()
    start = starting_contact(account)
    above = next_up(start) if start is not None else None
    owner = engagement_services.owner_for("owner", account)
    lines = [f"Why: {reason}."]
    if context:
        lines.append(context)
    if above is not None:
        title = f"Escalate to {_describe(above)} at {account.name}"
        lines.append(f"{_describe(start)} has gone quiet; {above.name} is next up their chain of command"
                     + (f" ({above.email})." if above.email else "."))
    else:
        title = f"Establish an escalation contact above {_describe(start)} at {account.name}"
        lines.append(f"Nobody is known above {_describe(start)}: find who they report to, and add them as a contact.")
    description = "\n".join(lines)
    task = customer_services.task_create(
        actor=actor, account=account, title=title[:300], description=description, owner=owner,
        due_date=today + dt.timedelta(days=due_in_days), priority=TaskPriority.HIGH, source="escalation",
    )
    customer_services.interaction_create(
        actor=actor, account=account, kind=InteractionKind.NOTE, occurred_at=timezone.now(),
        subject=f"Escalation: {reason}"[:300], summary=description,
    )
    escalation = Escalation.objects.create(account=account, from_contact=start, to_contact=above,
                                           reason=reason[:300], task=task, firing=firing)
    event_emit(kind="escalation.created", account_id=account.pk, actor=actor, subject=escalation,
               payload={"reason": reason, "from_contact_id": start.pk if start else None,
                        "to_contact_id": above.pk if above else None, "gap": above is None})
    return escalation
