"""Writes of the automation app: rules, snoozes, playbooks and their runs, escalations, deliveries."""

from paceline.automation.services.delivery import (  # noqa: F401
    deliveries_sweep,
    delivery_retry,
    delivery_send,
    notification_queue,
    sign,
)
from paceline.automation.services.escalation import escalate, next_up, starting_contact  # noqa: F401
from paceline.automation.services.playbook_admin import (  # noqa: F401
    channel_create,
    channel_deactivate,
    channel_test,
    channel_update,
    playbook_create,
    playbook_delete,
    playbook_update,
)
from paceline.automation.services.playbooks import (  # noqa: F401
    playbook_run_cancel,
    playbook_start,
    run_progress,
    runs_refresh,
)
from paceline.automation.services.rules import (  # noqa: F401
    rule_clean,
    rule_create,
    rule_delete,
    rule_update,
    snooze_clear,
    snooze_set,
)
