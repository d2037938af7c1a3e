"""Writes on success plans. Pages, the API, imports, the worker and the demo call these.

Like every service: keyword-only, ``full_clean`` before saving, ``ValidationError`` keyed by
field, an audit entry and an outbox event in the same transaction. Split by idea; everything is
importable from here.
"""

from paceline.success.services.commitments import (
    action_cancel,
    action_complete,
    action_create,
    action_delete,
    action_update,
    commitments_check,
)
from paceline.success.services.goals import (
    goal_activate,
    goal_agree,
    goal_close,
    goal_create,
    goal_delete,
    goal_replace,
    goal_update,
)
from paceline.success.services.metrics import (
    BulkError,
    checkpoints_set,
    measurement_delete,
    measurement_record,
    measurements_record_bulk,
    metric_create,
    metric_delete,
    metric_evaluate,
    metric_pace,
    metric_renegotiate,
    metric_update,
    plans_evaluate,
)
from paceline.success.services.plans import (
    plan_create,
    plan_create_from_template,
    plan_delete,
    plan_mark_reviewed,
    plan_start,
    plan_update,
    template_create,
    template_deactivate,
    template_update,
)

__all__ = [
    "action_create",
    "action_update",
    "action_complete",
    "action_cancel",
    "action_delete",
    "commitments_check",
    "goal_create",
    "goal_update",
    "goal_delete",
    "goal_agree",
    "goal_activate",
    "goal_close",
    "goal_replace",
    "metric_create",
    "metric_update",
    "metric_delete",
    "checkpoints_set",
    "metric_renegotiate",
    "measurement_record",
    "BulkError",
    "measurements_record_bulk",
    "measurement_delete",
    "metric_pace",
    "metric_evaluate",
    "plans_evaluate",
    "plan_create",
    "plan_update",
    "plan_delete",
    "plan_mark_reviewed",
    "plan_create_from_template",
    "template_create",
    "template_update",
    "template_deactivate",
    "plan_start",
]
