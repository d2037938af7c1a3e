"""What success plans add to the customer pages: a panel on the account and a book column."""

from __future__ import annotations

from paceline.customers.extensions import (
    AccountPanel,
    BookColumn,
    register_account_panel,
    register_book_column,
)


def _panel_context(request, account) -> dict:
    from paceline.success import selectors

    plans = selectors.account_plans(account=account)
    return {"plans": plans, "commitments": selectors.account_commitments(account=account)}


def _annotate(qs):
    from paceline.success.selectors import annotate_goal_pace

    return annotate_goal_pace(qs)


def register() -> None:
    register_account_panel(AccountPanel(
        key="success", title="Success plans", template="success/panel.html", context=_panel_context, order=10,
    ))
    register_book_column(BookColumn(
        key="goals_on_pace", label="Goals on pace", cell_template="success/book_cell.html", annotate=_annotate,
    ))
