from django.urls import path

from paceline.success.views import actions, goals, library, measurements, metrics, plans

app_name = "success"

P = "plans/<int:plan_id>/"

urlpatterns = [
    path("accounts/<int:pk>/plans/", plans.account_plans, name="account_plans"),
    path("accounts/<int:pk>/plans/new/", plans.plan_new, name="plan_new"),
    path("accounts/<int:pk>/plans/<int:plan_id>/", plans.account_plan, name="account_plan"),
    path(P, plans.plan_detail, name="plan"),
    path(P + "edit/", plans.plan_edit, name="plan_edit"),
    path(P + "reviewed/", plans.plan_reviewed, name="plan_reviewed"),
    path(P + "delete/", plans.plan_delete, name="plan_delete"),
    path(P + "measurements/upload/", measurements.measurements_upload, name="measurements_upload"),
    # Goals and their lifecycle
    path(P + "goals/new/", goals.goal_new, name="goal_new"),
    path(P + "goals/<int:goal_id>/edit/", goals.goal_edit, name="goal_edit"),
    path(P + "goals/<int:goal_id>/delete/", goals.goal_delete, name="goal_delete"),
    path(P + "goals/<int:goal_id>/agree/", goals.goal_agree, name="goal_agree"),
    path(P + "goals/<int:goal_id>/start/", goals.goal_start, name="goal_start"),
    path(P + "goals/<int:goal_id>/close/", goals.goal_close, name="goal_close"),
    path(P + "goals/<int:goal_id>/replace/", goals.goal_replace, name="goal_replace"),
    # Metrics and measurements
    path(P + "goals/<int:goal_id>/metrics/new/", metrics.metric_new, name="metric_new"),
    path(P + "metrics/<int:metric_id>/", metrics.metric_detail, name="metric"),
    path(P + "metrics/<int:metric_id>/edit/", metrics.metric_edit, name="metric_edit"),
    path(P + "metrics/<int:metric_id>/delete/", metrics.metric_delete, name="metric_delete"),
    path(P + "metrics/<int:metric_id>/renegotiate/", metrics.metric_renegotiate, name="metric_renegotiate"),
    path(P + "metrics/<int:metric_id>/measurements/", measurements.measurement_record, name="measurement_record"),
    path(
        P + "metrics/<int:metric_id>/measurements/<int:measurement_id>/delete/",
        measurements.measurement_delete,
        name="measurement_delete",
    ),
    # Commitments
    path(P + "goals/<int:goal_id>/actions/new/", actions.action_new, name="action_new"),
    path(P + "actions/<int:action_id>/edit/", actions.action_edit, name="action_edit"),
    path(P + "actions/<int:action_id>/done/", actions.action_done, name="action_done"),
    path(P + "actions/<int:action_id>/cancel/", actions.action_cancel, name="action_cancel"),
    # The template library
    path("success/templates/", library.template_list, name="templates"),
    path("success/templates/new/", library.template_new, name="template_new"),
    path("success/templates/<int:template_id>/", library.template_detail, name="template"),
    path("success/templates/<int:template_id>/edit/", library.template_edit, name="template_edit"),
    path("success/templates/<int:template_id>/deactivate/", library.template_deactivate, name="template_deactivate"),
]
