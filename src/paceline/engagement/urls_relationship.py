"""Pages for touchpoint plans, an account's touchpoints and needs, and the resources catalogue."""

from django.urls import path

from paceline.engagement.views import account, plans, resources

P = "touchpoint-plans/<int:plan_id>/"
A = "accounts/<int:pk>/"

urlpatterns = [
    path("touchpoint-plans/", plans.plan_list, name="plans"),
    path("touchpoint-plans/new/", plans.plan_new, name="plan_new"),
    path(P, plans.plan_detail, name="plan"),
    path(P + "edit/", plans.plan_edit, name="plan_edit"),
    path(P + "delete/", plans.plan_delete, name="plan_delete"),
    path(P + "steps/new/", plans.step_new, name="step_new"),
    path(P + "steps/<int:step_id>/edit/", plans.step_edit, name="step_edit"),
    path(P + "steps/<int:step_id>/delete/", plans.step_delete, name="step_delete"),
    # An account's touchpoints and needs
    path(A + "touchpoint-plan/apply/", account.plan_apply, name="plan_apply"),
    path(A + "touchpoints/new/", account.touchpoint_new, name="touchpoint_new"),
    path(A + "touchpoints/<int:touchpoint_id>/result/", account.touchpoint_result, name="touchpoint_result"),
    path(A + "touchpoints/<int:touchpoint_id>/reschedule/", account.touchpoint_reschedule, name="touchpoint_reschedule"),
    path(A + "touchpoints/<int:touchpoint_id>/cancel/", account.touchpoint_cancel, name="touchpoint_cancel"),
    path(A + "needs/new/", account.need_new, name="need_new"),
    path(A + "needs/<int:need_id>/met/", account.need_met, name="need_met"),
    # Resources
    path("resources/", resources.resource_list, name="resources"),
    path("resources/gaps/", resources.gaps, name="gaps"),
    path("resources/new/", resources.resource_new, name="resource_new"),
    path("resources/<int:resource_id>/edit/", resources.resource_edit, name="resource_edit"),
    path("resources/<int:resource_id>/deactivate/", resources.resource_deactivate, name="resource_deactivate"),
    path("resources/areas/new/", resources.area_new, name="area_new"),
    path("resources/areas/<int:area_id>/edit/", resources.area_edit, name="area_edit"),
    path("resources/areas/<int:area_id>/delete/", resources.area_delete, name="area_delete"),
]
