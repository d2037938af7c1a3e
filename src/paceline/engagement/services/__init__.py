"""Writes of the engagement app: touchpoint plans and touchpoints, resources and needs."""

from paceline.engagement.services.plans import (  # noqa: F401
    plan_create,
    plan_delete,
    plan_update,
    step_create,
    step_delete,
    step_update,
)
from paceline.engagement.services.resources import (  # noqa: F401
    area_create,
    area_delete,
    area_update,
    need_meet,
    need_open,
    resource_create,
    resource_deactivate,
    resource_update,
)
from paceline.engagement.services.touchpoints import (  # noqa: F401
    current_term_start,
    first_leader,
    interactions_match,
    owner_for,
    plan_apply,
    plan_for,
    plans_apply_auto,
    touchpoint_cancel,
    touchpoint_complete,
    touchpoint_create,
    touchpoint_record_result,
    touchpoint_update,
    touchpoints_check_missed,
)
