"""The "Fundamentals" section of the Customer 360 page (through ``customers.extensions``)."""

from __future__ import annotations

from django.utils import timezone

from paceline.customers.extensions import AccountPanel, register_account_panel


def fundamentals_context(request, account) -> dict:
    from paceline.health.fundamentals import evaluate

    as_of = timezone.localdate()
    return {"as_of": as_of, "results": evaluate([account.pk], as_of=as_of)[account.pk]}


def register() -> None:
    """Registered in ``HealthConfig.ready``."""
    register_account_panel(AccountPanel(
        key="fundamentals", title="Fundamentals", template="health/fundamentals_panel.html",
        context=fundamentals_context, order=45,
    ))
