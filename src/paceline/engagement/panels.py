"""What engagement adds to the account page and the book (through ``customers.extensions``):
the account's touchpoint plan, the help available to it, and who is behind on their touchpoints."""

from __future__ import annotations

from paceline.customers.extensions import (
    AccountPanel,
    BookColumn,
    register_account_panel,
    register_book_column,
)


def touchpoints_context(request, account) -> dict:
    from paceline.engagement import selectors
    from paceline.engagement.models import TouchpointPlan

    plans = list(TouchpointPlan.objects.filter(active=True).order_by("name")) if request.user.can_write else []
    return {"term": selectors.account_touchpoints(account=account), "plans": plans}


def help_context(request, account) -> dict:
    from paceline.engagement import selectors
    from paceline.engagement.models import NeedArea

    areas = list(NeedArea.objects.order_by("name")) if request.user.can_write else []
    return {"help": selectors.account_help(account=account), "areas": areas}


def _annotate(qs):
    from paceline.engagement.selectors import annotate_touchpoints_behind

    return annotate_touchpoints_behind(qs)


def register() -> None:
    """Registered in ``EngagementConfig.ready``."""
    register_account_panel(AccountPanel(
        key="touchpoints", title="Touchpoint plan", template="engagement/panel_touchpoints.html",
        context=touchpoints_context, order=25,
    ))
    register_account_panel(AccountPanel(
        key="help", title="Help available", template="engagement/panel_help.html", context=help_context, order=35,
    ))
    register_book_column(BookColumn(
        key="touchpoints", label="Touchpoints", cell_template="engagement/book_cell.html", annotate=_annotate, order=120,
    ))
