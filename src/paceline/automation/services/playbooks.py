"""Starting a playbook on an account, and its progress counted from the tasks and touchpoints it made."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paceline.automation.models import (
    Firing,
    Playbook,
    PlaybookRun,
    PlaybookRunItem,
    RunStatus,
    StepKind,
)
from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record, event_emit
from paceline.customers import services as customer_services
from paceline.customers.models import Account, TaskStatus
from paceline.engagement import services as engagement_services
from paceline.engagement.models import ANY_KIND, OPEN_TOUCHPOINT


@transaction.atomic
def playbook_start(*, actor: Actor, playbook: Playbook, account: Account, today: dt.date | None = None,
                   firing: Firing | None = None) -> PlaybookRun:
    """Create the playbook's tasks and touchpoints on the account, dated from today, owned by role."""
    if not playbook.active:
        raise ValidationError({"playbook": f"The playbook {playbook.name} is switched off."})
    steps = list(playbook.steps.all())
    if not steps:
        raise ValidationError({"playbook": f"The playbook {playbook.name} has no steps yet."})
    today = today or timezone.localdate()
    run = PlaybookRun.objects.create(playbook=playbook, account=account, started_on=today, started_by=actor.user,
                                     firing=firing)
    leader = engagement_services.first_leader()
    for step in steps:
        owner = engagement_services.owner_for(step.owner_role, account, leader=leader)
        due = today + dt.timedelta(days=step.due_in_days)
        item = PlaybookRunItem(run=run, step=step)
        if step.kind == StepKind.TOUCHPOINT:
            item.touchpoint = engagement_services.touchpoint_create(
                actor=actor, account=account, name=step.title, due_date=due, source="playbook",
                kind=step.touchpoint_kind or ANY_KIND, purpose=step.description[:300], owner=owner,
            )
        else:
            item.task = customer_services.task_create(
                actor=actor, account=account, title=step.title, description=step.description, due_date=due,
                owner=owner, priority=step.priority, source="playbook",
            )
        item.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=run, account_id=account.pk,
                 after={"playbook": playbook.name, "steps": len(steps), "started_on": today.isoformat()})
    event_emit(kind="playbook.started", account_id=account.pk, actor=actor, subject=run,
               payload={"playbook": playbook.name, "steps": len(steps)})
    return run


def _item_done(item: PlaybookRunItem) -> bool:
    if item.task_id is not None:
        return item.task.status != TaskStatus.OPEN
    if item.touchpoint_id is not None:
        return item.touchpoint.status not in OPEN_TOUCHPOINT
    return True  # what it made was deleted: nothing left to do


def run_progress(run: PlaybookRun) -> tuple[int, int]:
    """(done, total) for a run whose items were fetched with their task and touchpoint."""
    items = list(run.items.all())
    return sum(1 for i in items if _item_done(i)), len(items)


def runs_refresh(*, run_ids=None) -> int:
    """Mark active runs whose every item is closed as completed. Returns how many completed."""
    runs = PlaybookRun.objects.filter(status=RunStatus.ACTIVE).prefetch_related("items__task", "items__touchpoint")
    if run_ids is not None:
        runs = runs.filter(pk__in=list(run_ids))
    completed = 0
    for run in runs:
        done, total = run_progress(run)
        if total and done == total:
            with transaction.atomic():
                PlaybookRun.objects.filter(pk=run.pk).update(status=RunStatus.COMPLETED, completed_on=timezone.localdate())
                event_emit(kind="playbook.completed", account_id=run.account_id, subject=run,
                           payload={"playbook": run.playbook.name})
            completed += 1
    return completed


@transaction.atomic
def playbook_run_cancel(*, actor: Actor, run: PlaybookRun) -> PlaybookRun:
    """Stop a run: its open tasks are cancelled and its open touchpoints too."""
    if run.status != RunStatus.ACTIVE:
        raise ValidationError({"status": f"This run is already {run.get_status_display().lower()}."})
    for item in run.items.select_related("task", "touchpoint"):
        if item.task is not None and item.task.status == TaskStatus.OPEN:
            customer_services.task_update(actor=actor, task=item.task, status=TaskStatus.CANCELLED)
        if item.touchpoint is not None and item.touchpoint.is_open:
            engagement_services.touchpoint_cancel(actor=actor, touchpoint=item.touchpoint)
    run.status = RunStatus.CANCELLED
    run.completed_on = timezone.localdate()
    run.save(update_fields=["status", "completed_on", "updated_at"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=run, account_id=run.account_id,
                 before={"status": RunStatus.ACTIVE}, after={"status": RunStatus.CANCELLED})
    return run
