"""My book: the portfolio list. One URL, two shapes: the page, or the results fragment for HTMX."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from paceline.customers import extensions, selectors
from paceline.customers.forms import BookFilterForm, BookPageForm
from paceline.customers.models import Account
from paceline.customers.views.common import render_two_shapes
from paceline.users.models import Role

# Clicking a header sorts by it; clicking it again reverses. ARR starts with the largest first.
SORT_COLUMNS = {"name": ("name", "-name"), "arr": ("-arr", "arr"), "renewal": ("renewal", "-renewal")}


def _sort_links(current: str) -> dict[str, dict[str, str]]:
    links = {}
    for column, (first, second) in SORT_COLUMNS.items():
        active = current in (first, second)
        links[column] = {
            "next": second if current == first else first,
            "direction": ("descending" if current.startswith("-") else "ascending") if active else "",
        }
    return links


def _parent_account(params) -> Account | None:
    raw = params.get("parent", "")
    if not raw.isdigit():
        return None
    try:
        return selectors.account_get(pk=int(raw))
    except Account.DoesNotExist:
        return None


@login_required
@require_safe
def book(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    # "all" is the shareable spelling of "no owner filter"; the selector knows it as empty.
    if params.get("owner") == "all":
        params["owner"] = ""
    default_owner = "me" if request.user.role == Role.CSM else ""
    errors: dict[str, list[str]] = {}
    filters = None
    try:
        filters = selectors.AccountFilters.from_query(
            params, viewer_id=request.user.pk, default_owner=default_owner
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    paging = BookPageForm(request.GET)
    if not paging.is_valid():
        errors.update({name: list(messages) for name, messages in paging.errors.items()})

    owner = filters.owner if filters else params.get("owner", default_owner)
    form = BookFilterForm(
        initial={
            **{name: request.GET.get(name, "") for name in ("q", "segment", "tier", "stage", "renewal", "parent")},
            "owner": owner or "all",
        },
        parent_account=_parent_account(params),
    )
    context = {
        "nav": "book",
        "form": form,
        "column_filters": [
            {"name": key, "label": column.filter.label, "choices": column.filter.choices, "value": request.GET.get(key, "")}
            for key, column in extensions.book_filters().items()
        ],
        "errors": sorted(errors.items()),
        "sort": filters.sort if filters else "name",
        "sort_links": _sort_links(filters.sort if filters else "name"),
        "can_write": request.user.can_write,
    }
    if errors:
        return render_two_shapes(request, "customers/book.html", "customers/book.html#results", context, status=400)

    accounts = selectors.account_list(filters=filters)
    page_size = paging.cleaned_data["page_size"] or settings.PACELINE_PAGE_SIZE
    paginator = Paginator(extensions.annotate_book(selectors.with_open_task_counts(accounts)), page_size)
    page = paginator.get_page(paging.cleaned_data["page"] or 1)
    context.update(
        page=page,
        totals=selectors.book_totals(accounts),
        showing_own_book=filters.owner == "me",
        extra_columns=extensions.book_columns(),
    )
    return render_two_shapes(request, "customers/book.html", "customers/book.html#results", context)
