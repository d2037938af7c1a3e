"""What automation adds to the account page (through ``customers.extensions``)."""

from __future__ import annotations

from paceline.customers.extensions import AccountPanel, register_account_panel


def _panel_context(request, account) -> dict:
    from paceline.automation import selectors
    from paceline.automation.models import Playbook, Rule

    return {**selectors.account_automation(account),
            "rules": list(Rule.objects.filter(active=True).only("pk", "name")),
            "playbooks": list(Playbook.objects.filter(active=True).only("pk", "name"))}


def register() -> None:
    """Registered in ``AutomationConfig.ready``."""
    register_account_panel(AccountPanel(
        key="automation", title="Automation", template="automation/panel.html", context=_panel_context, order=40,
    ))
