"""Places where the capabilities above `customers` add to its pages without being imported by it.

An upper app registers, in its ``AppConfig.ready()``, a panel for the Customer 360 page or a
column for the book. ``customers`` only iterates over what was registered, so the layering holds
(customers never imports success, usage, health...) and adding one is adding one object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from paceline.customers.models import Account


@dataclass(frozen=True)
class AccountPanel:
    """A section of the Customer 360 page.

    ``context(request, account)`` returns the template's context (it should cost a fixed number
    of queries); ``template`` renders it inside a card.
    """

    key: str
    title: str
    template: str
    context: Callable[[HttpRequest, Account], dict[str, Any]]
    order: int = 100


@dataclass(frozen=True)
class BookFilter:
    """A filter a column adds to the book: ``?<column key>=<choice>``; ``apply(qs, choice)`` narrows."""

    label: str
    choices: tuple[tuple[str, str], ...]
    apply: Callable[[QuerySet[Account], str], QuerySet[Account]]


@dataclass(frozen=True)
class BookColumn:
    """A column of the book: ``annotate(qs)`` adds what the cell needs to the one list query.

    With ``sort_order`` (``order_by`` arguments over what ``annotate`` adds), ``?sort=<key>`` sorts
    the book by it and its header links there; with ``filter``, ``?<key>=<choice>`` filters by it.
    """

    key: str
    label: str
    cell_template: str
    annotate: Callable[[QuerySet[Account]], QuerySet[Account]]
    order: int = 100
    sort_label: str = ""
    sort_order: tuple[Any, ...] = ()
    filter: BookFilter | None = None


_panels: dict[str, AccountPanel] = {}
_columns: dict[str, BookColumn] = {}


def register_account_panel(panel: AccountPanel) -> None:
    _panels[panel.key] = panel


def register_book_column(column: BookColumn) -> None:
    _columns[column.key] = column


def account_panels() -> list[AccountPanel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


def book_columns() -> list[BookColumn]:
    return sorted(_columns.values(), key=lambda c: (c.order, c.key))


def book_sorts() -> dict[str, BookColumn]:
    """The columns the book can sort by, by their sort key (the column's key)."""
    return {c.key: c for c in book_columns() if c.sort_order}


def book_filters() -> dict[str, BookColumn]:
    """The columns the book can filter by, by their query parameter (the column's key)."""
    return {c.key: c for c in book_columns() if c.filter is not None}


def annotate_book(qs: QuerySet[Account]) -> QuerySet[Account]:
    for column in book_columns():
        qs = column.annotate(qs)
    return qs


def render_panels(request: HttpRequest, account: Account) -> list[dict[str, Any]]:
    """Each registered panel with its context, ready for ``{% include panel.template with ... %}``."""
    return [
        {"key": p.key, "title": p.title, "template": p.template, "context": p.context(request, account)}
        for p in account_panels()
    ]
