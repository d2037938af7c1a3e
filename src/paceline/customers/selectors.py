"""Reads on the customer record. Selectors own the joins, so a page costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.customers import extensions
from paceline.customers.models import (
    Account,
    Contact,
    Interaction,
    LifecycleStage,
    Segment,
    Subscription,
    Task,
    TaskStatus,
    Tier,
)

SORTS = {
    "name": (Lower("name").asc(), "id"),
    "-name": (Lower("name").desc(), "-id"),
    "arr": ("arr", "id"),
    "-arr": ("-arr", "id"),
    # Accounts with no renewal ahead go last both ways; SQLite and PostgreSQL disagree otherwise.
    "renewal": (F("next_renewal_date").asc(nulls_last=True), "id"),
    "-renewal": (F("next_renewal_date").desc(nulls_last=True), "-id"),
}
RENEWAL_WINDOWS = {"overdue": None, "30": 30, "60": 60, "90": 90, "180": 180, "365": 365}


@dataclass
class AccountFilters:
    """The book's filters, validated. Every value arrives as text from a query string or a schema.

    ``owner`` is a user id, ``"me"`` (needs ``viewer_id``), ``"none"`` (unassigned) or empty (all).
    ``parent`` is an account id (its children), ``"none"`` (top-level accounts) or empty.
    ``renewal`` is ``overdue`` or a number of days ahead (30, 60, 90, 180, 365).
    ``extra`` holds the filters book columns registered (``extensions.BookFilter``), by column key;
    ``sort`` may also be a column's key when that column sorts (``extensions.book_sorts``).
    """

    q: str = ""
    segment: str = ""
    tier: str = ""
    stage: str = ""
    owner: str = ""
    renewal: str = ""
    parent: str = ""
    sort: str = "name"
    extra: dict[str, str] = field(default_factory=dict)
    viewer_id: int | None = field(default=None, repr=False)

    @classmethod
    def from_query(cls, params, *, viewer_id: int | None = None, default_owner: str = "") -> AccountFilters:
        """Build from a QueryDict or mapping, refusing unknown parameters by name."""
        known = {f.name for f in fields(cls) if f.name not in ("viewer_id", "extra")}
        registered = set(extensions.book_filters())
        allowed = known | registered | {"page", "page_size", "limit", "offset"}
        unknown = sorted(k for k in params if k not in allowed)
        if unknown:
            raise ValidationError({name: f"Unknown filter '{name}'." for name in unknown})
        values = {name: (params.get(name) or "").strip() for name in known if name in params}
        if "owner" not in params:
            values["owner"] = default_owner
        extra = {name: (params.get(name) or "").strip() for name in registered if (params.get(name) or "").strip()}
        result = cls(**values, extra=extra, viewer_id=viewer_id)
        result.validate()
        return result

    def validate(self) -> None:
        errors: dict[str, str] = {}
        choices = {"segment": Segment.values, "tier": Tier.values, "stage": LifecycleStage.values}
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value and value not in allowed:
                errors[name] = f"'{value}' is not one of {', '.join(allowed)}."
        if self.owner and self.owner not in {"me", "none"} and not self.owner.isdigit():
            errors["owner"] = "Use a user id, 'me' or 'none'."
        if self.owner == "me" and self.viewer_id is None:
            errors["owner"] = "'me' needs a signed-in user."
        if self.parent and self.parent != "none" and not self.parent.isdigit():
            errors["parent"] = "Use an account id or 'none'."
        if self.renewal and self.renewal not in RENEWAL_WINDOWS:
            errors["renewal"] = f"Use one of {', '.join(RENEWAL_WINDOWS)}."
        sorts = [*SORTS, *extensions.book_sorts()]
        if self.sort not in sorts:
            errors["sort"] = f"Sort by one of {', '.join(sorts)}."
        registered = extensions.book_filters()
        for name, value in self.extra.items():
            choices = [c for c, _ in registered[name].filter.choices] if name in registered else []
            if value not in choices:
                errors[name] = f"'{value}' is not one of {', '.join(choices)}." if choices else f"Unknown filter '{name}'."
        if len(self.q) > 200:
            errors["q"] = "Search text is limited to 200 characters."
        if errors:
            raise ValidationError(errors)


def account_list(*, filters: AccountFilters, today: dt.date | None = None) -> QuerySet[Account]:
    """Accounts matching the filters, sorted, with owner and parent joined (one query)."""
    today = today or timezone.localdate()
    qs = Account.objects.select_related("owner", "parent")
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q) | Q(domain__icontains=filters.q) | Q(external_id__iexact=filters.q)
        )
    if filters.segment:
        qs = qs.filter(segment=filters.segment)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.stage:
        qs = qs.filter(lifecycle_stage=filters.stage)
    if filters.owner == "me":
        qs = qs.filter(owner_id=filters.viewer_id)
    elif filters.owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif filters.owner:
        qs = qs.filter(owner_id=int(filters.owner))
    if filters.parent == "none":
        qs = qs.filter(parent__isnull=True)
    elif filters.parent:
        qs = qs.filter(parent_id=int(filters.parent))
    if filters.renewal == "overdue":
        # Renewal passed and still not closed: an active term whose renewal date is behind us.
        overdue = Subscription.objects.filter(account=OuterRef("pk"), status="active").filter(
            Q(renewal_date__lt=today) | Q(renewal_date__isnull=True, end_date__lt=today)
        )
        qs = qs.filter(Exists(overdue))
    elif filters.renewal:
        horizon = today + dt.timedelta(days=RENEWAL_WINDOWS[filters.renewal])
        qs = qs.filter(next_renewal_date__gte=today, next_renewal_date__lte=horizon)
    registered = extensions.book_filters()
    for name, value in filters.extra.items():
        qs = registered[name].filter.apply(qs, value)
    column = extensions.book_sorts().get(filters.sort)
    if column is not None:
        return column.annotate(qs).order_by(*column.sort_order)
    return qs.order_by(*SORTS[filters.sort])


def with_open_task_counts(qs: QuerySet[Account]) -> QuerySet[Account]:
    """Annotate each account with its open and overdue task counts (subqueries, same query)."""
    today = timezone.localdate()
    open_tasks = (
        Task.objects.filter(account=OuterRef("pk"), status=TaskStatus.OPEN)
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    overdue = open_tasks.filter(due_date__lt=today)
    return qs.annotate(
        open_task_count=Coalesce(Subquery(open_tasks), 0),
        overdue_task_count=Coalesce(Subquery(overdue), 0),
    )


def account_get(*, pk: int) -> Account:
    return Account.objects.select_related("owner", "parent", "parent__parent").get(pk=pk)


def account_children(*, account: Account) -> list[Account]:
    return list(account.children.select_related("owner").order_by(Lower("name")))


def account_rollup_arr(*, account: Account) -> Decimal:
    """ARR of the account and all its descendants, one query per level of the hierarchy."""
    total = account.arr
    frontier = [account.pk]
    seen = set(frontier)
    while frontier:
        rows = list(Account.objects.filter(parent_id__in=frontier).values_list("pk", "arr"))
        frontier = [pk for pk, _ in rows if pk not in seen]
        seen.update(frontier)
        total += sum((arr for pk, arr in rows if pk in frontier), Decimal("0"))
    return total


def account_contacts(*, account: Account) -> list[Contact]:
    return list(account.contacts.select_related("reports_to").order_by("status", Lower("name")))


@dataclass
class OrgNode:
    contact: Contact
    reports: list[OrgNode]


def org_chart(contacts: list[Contact]) -> list[OrgNode]:
    """The customer's chain of command as a forest: roots are contacts who report to no one known."""
    by_id = {c.pk: OrgNode(c, []) for c in contacts}
    roots: list[OrgNode] = []
    for contact in contacts:
        node = by_id[contact.pk]
        parent = by_id.get(contact.reports_to_id) if contact.reports_to_id else None
        (parent.reports if parent else roots).append(node)
    return roots


def account_subscriptions(*, account: Account) -> list[Subscription]:
    return list(account.subscriptions.select_related("renewal_outcome").order_by("-start_date", "product"))


def account_timeline(*, account: Account, kind: str = "", before_id: int | None = None, limit: int = 20) -> list[Interaction]:
    """A page of the timeline, newest first, with participants on both sides (three queries)."""
    qs = account.interactions.select_related("created_by").prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.order_by("name")), "users"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if before_id is not None:
        pivot = Interaction.objects.filter(pk=before_id, account=account).values("occurred_at").first()
        if pivot:
            qs = qs.filter(
                Q(occurred_at__lt=pivot["occurred_at"]) | Q(occurred_at=pivot["occurred_at"], pk__lt=before_id)
            )
    return list(qs.order_by("-occurred_at", "-id")[:limit])


def account_open_tasks(*, account: Account) -> list[Task]:
    return list(account.tasks.filter(status=TaskStatus.OPEN).select_related("owner").order_by("due_date", "id"))


def account_audit(*, account: Account, limit: int = 50) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(account_id=account.pk).select_related("actor")[:limit])


def book_totals(qs: QuerySet[Account]) -> dict:
    return qs.order_by().aggregate(count=Count("pk"), arr=Coalesce(Sum("arr"), Decimal("0")))
