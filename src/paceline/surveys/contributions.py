"""What the voice of the customer adds to the customer pages: a panel on the account and a book column."""

from __future__ import annotations

from paceline.customers.extensions import (
    AccountPanel,
    BookColumn,
    register_account_panel,
    register_book_column,
)


def _panel_context(request, account) -> dict:
    from paceline.surveys.selectors import account_voice

    return {"voice": account_voice(account=account)}


def _annotate(qs):
    from paceline.surveys.selectors import annotate_nps

    return annotate_nps(qs)


def register() -> None:
    register_account_panel(AccountPanel(
        key="voice", title="Voice of the customer", template="surveys/_account_panel.html",
        context=_panel_context, order=20,
    ))
    register_book_column(BookColumn(
        key="nps", label="NPS", cell_template="surveys/_book_cell.html", annotate=_annotate, order=110,
    ))
