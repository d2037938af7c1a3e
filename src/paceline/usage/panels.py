"""What usage adds to the customer pages: the Adoption panel of the account page, and the book's
utilisation and active-users columns (utilisation also sorts and filters the book).

The panel on the account page is a placeholder that costs no query: the browser fetches the
panel itself from its own URL when it scrolls into view (``views.account_adoption``), so two
years of snapshots never slow the rest of the Customer 360 page down.
"""

from __future__ import annotations

from paceline.customers.extensions import (
    AccountPanel,
    BookColumn,
    BookFilter,
    register_account_panel,
    register_book_column,
)
from paceline.usage import selectors


def _placeholder(request, account) -> dict:
    return {}


def register() -> None:
    """Registered in ``UsageConfig.ready``."""
    register_account_panel(AccountPanel(
        key="adoption", title="Adoption", template="usage/panel.html", context=_placeholder, order=10,
    ))
    register_book_column(BookColumn(
        key="usage", label="Utilisation", cell_template="usage/book_utilisation.html",
        annotate=selectors.annotate_latest_usage, order=20,
        sort_label="Lowest seat utilisation first", sort_order=selectors.UTILISATION_ORDER,
        filter=BookFilter(label="Utilisation",
                          choices=tuple((key, label) for key, (label, _) in selectors.UTILISATION_BANDS.items()),
                          apply=selectors.filter_by_utilisation),
    ))
    register_book_column(BookColumn(
        key="usage_active", label="Active users", cell_template="usage/book_active.html",
        annotate=selectors.annotate_latest_usage, order=21,
        sort_label="Most active users (30 days) first", sort_order=selectors.ACTIVE_ORDER,
    ))
