"""Customer 360: everything known about one account, and its timeline loaded page by page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from paceline.core.models import AuditEntry
from paceline.customers import extensions, selectors
from paceline.customers.forms import TimelineForm
from paceline.customers.models import Account
from paceline.customers.views.common import account_or_404, render_two_shapes

TIMELINE_PAGE = 20
_EMPTY = (None, "", [], {})


def timeline_context(account: Account, *, kind: str = "", before: int | None = None) -> dict[str, Any]:
    # One more than a page tells whether an "Older" button is needed without a count query.
    rows = selectors.account_timeline(account=account, kind=kind, before_id=before, limit=TIMELINE_PAGE + 1)
    return {
        "interactions": rows[:TIMELINE_PAGE],
        "timeline_more": len(rows) > TIMELINE_PAGE,
        "timeline_kind": kind,
        "timeline_before": before,
        "timeline_form": TimelineForm(initial={"kind": kind}),
    }


def _show(value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    return str(value)


def _audit_rows(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """Each entry with its changed fields as (field, before, after), foreign keys named plainly."""
    rows = []
    for entry in entries:
        changes = []
        if entry.action != AuditEntry.Action.DELETE:
            for key in entry.changed_fields:
                before, after = entry.before.get(key), entry.after.get(key)
                if key == "id" or (entry.action == AuditEntry.Action.CREATE and after in _EMPTY):
                    continue
                label = key[:-3] if key.endswith("_id") else key
                changes.append({"field": label.replace("_", " "), "before": _show(before), "after": _show(after)})
        rows.append({"entry": entry, "what": entry.target_type.split(".")[-1], "changes": changes})
    return rows


@login_required
@require_safe
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    contacts = selectors.account_contacts(account=account)
    context = {
        "nav": "book",
        "account": account,
        "can_write": request.user.can_write,
        "children": selectors.account_children(account=account),
        "rollup_arr": selectors.account_rollup_arr(account=account),
        "contacts": contacts,
        "org": selectors.org_chart(contacts),
        "departed_champions": [c for c in contacts if c.is_departed_champion],
        "subscriptions": selectors.account_subscriptions(account=account),
        "open_tasks": selectors.account_open_tasks(account=account),
        "audit": _audit_rows(selectors.account_audit(account=account)),
        **timeline_context(account),
        "panels": extensions.render_panels(request, account),
    }
    return render(request, "customers/account.html", context)


@login_required
@require_safe
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline alone: a page of entries for HTMX ("Older", kind filter), else a full page."""
    account = account_or_404(pk)
    form = TimelineForm(request.GET)
    base = {"nav": "book", "account": account, "can_write": request.user.can_write}
    if not form.is_valid():
        context = {**base, "interactions": [], "timeline_errors": form.errors, "timeline_form": form}
        return render_two_shapes(request, "customers/timeline.html", "customers/account.html#timeline-page", context, status=400)
    context = {**base, **timeline_context(
        account, kind=form.cleaned_data["kind"], before=form.cleaned_data["before"]
    )}
    return render_two_shapes(request, "customers/timeline.html", "customers/account.html#timeline-page", context)
