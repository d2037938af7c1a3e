"""The audit trail over the API: who changed what, when, before and after. Readable by every role."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from paceline.core.models import AuditEntry
from paceline.core.schemas import (
    AuditFilters,
    AuditPage,
    PageParams,
    page_of,
    refuse_unknown_params,
)

router = Router(tags=["audit"])


@router.get("/audit", response=AuditPage, summary="List audit entries, newest first")
def audit_list(request: HttpRequest, filters: Query[AuditFilters], page: Query[PageParams]):
    refuse_unknown_params(request, AuditFilters)
    if filters.actor == "me":
        filters = filters.model_copy(update={"actor": str(request.auth.pk)})
    return page_of(filters.filter(AuditEntry.objects.all()), page)
