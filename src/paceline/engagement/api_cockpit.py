"""My work over REST: ``GET /work``, the cockpit's list for the token's user.

The same items, order and impact as the page. A CS leader may ask for someone else's work
(``owner``) or everyone's (``team=true``); anyone else asking for more than their own is refused.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from paceline.core.schemas import refuse_unknown_params
from paceline.engagement import cockpit
from paceline.users.permissions import is_leader

router = Router(tags=["My work"])


class WorkParams(Schema):
    owner: int | None = Field(None, description="A user's id: their work (CS leaders only, unless it is you).")
    team: bool = Field(False, description="Everyone's work (CS leaders only).")
    days: int = Field(cockpit.DEFAULT_DAYS_AHEAD, ge=0, le=cockpit.MAX_DAYS_AHEAD,
                      description="How many days ahead count as upcoming.")


class WorkItemOut(Schema):
    kind: str = Field(description="task or touchpoint")
    id: int
    title: str
    status: str
    priority: str | None = Field(None, description="Tasks only.")
    account_id: int
    account_name: str
    owner_id: int | None
    due_date: dt.date
    bucket: str = Field(description="overdue, today or upcoming")
    overdue_days: int
    impact: float = Field(description=f"0 to {cockpit.MAX_IMPACT:g}: higher first.")
    reasons: list[str]


class WorkOut(Schema):
    count: int
    items: list[WorkItemOut]


def _out(item: cockpit.WorkItem) -> dict:
    obj = item.obj
    return {
        "kind": item.kind, "id": obj.pk, "title": item.title, "status": obj.status,
        "priority": obj.priority if item.kind == "task" else None,
        "account_id": obj.account_id, "account_name": item.account.name, "owner_id": obj.owner_id,
        "due_date": item.due_date, "bucket": item.bucket, "overdue_days": item.overdue_days,
        "impact": item.impact.score, "reasons": list(item.impact.reasons),
    }


@router.get("/work", response=WorkOut, summary="My work: open tasks and touchpoints, most impact first")
def work(request: HttpRequest, params: Query[WorkParams]):
    refuse_unknown_params(request, WorkParams)
    user = request.auth
    wants_others = params.team or (params.owner is not None and params.owner != user.pk)
    if wants_others and not is_leader(user):
        raise HttpError(403, "Only a CS leader sees other people's work.")
    owner_ids = None if params.team else [params.owner if params.owner is not None else user.pk]
    items = cockpit.work_items(owner_ids=owner_ids, days_ahead=params.days)
    return {"count": len(items), "items": [_out(i) for i in items]}
