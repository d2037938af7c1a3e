"""What the readiness assessment and the relationship milestones add to the account page."""

from __future__ import annotations

from paceline.customers.extensions import AccountPanel, register_account_panel


def _readiness_context(request, account) -> dict:
    from paceline.surveys.readiness import account_readiness, level_trend

    history = account_readiness(account=account)
    return {"latest": history[0] if history else None, "history": history, "trend": level_trend(history)}


def _milestones_context(request, account) -> dict:
    from paceline.surveys.milestones import account_milestones, kind_counts

    rows = account_milestones(account=account)
    return {"milestones": rows, "kinds": kind_counts(rows)}


def register() -> None:
    register_account_panel(AccountPanel(
        key="readiness", title="Adoption readiness", template="surveys/readiness_panel.html",
        context=_readiness_context, order=15,
    ))
    register_account_panel(AccountPanel(
        key="milestones", title="Relationship milestones", template="surveys/milestones_panel.html",
        context=_milestones_context, order=25,
    ))
