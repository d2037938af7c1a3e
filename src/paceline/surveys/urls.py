from django.urls import path

from paceline.surveys.views import builder, imports, milestones, readiness, results, send

app_name = "surveys"
urlpatterns: list = [
    # Builder
    path("surveys/", builder.survey_list, name="list"),
    path("surveys/new/", builder.survey_new, name="new"),
    path("surveys/<int:survey_id>/", builder.survey_detail, name="builder"),
    path("surveys/<int:survey_id>/edit/", builder.survey_edit, name="edit"),
    path("surveys/<int:survey_id>/preview/", builder.survey_preview, name="preview"),
    path("surveys/<int:survey_id>/questions/new/", builder.question_new, name="question_new"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/edit/", builder.question_edit, name="question_edit"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/delete/", builder.question_delete,
         name="question_delete"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/move/", builder.question_move, name="question_move"),
    # Send wizard and campaigns
    path("surveys/<int:survey_id>/send/", send.send_start, name="send"),
    path("surveys/campaigns/<int:campaign_id>/", send.campaign_detail, name="campaign"),
    path("surveys/campaigns/<int:campaign_id>/audience/", send.campaign_audience, name="campaign_audience"),
    path("surveys/campaigns/<int:campaign_id>/message/", send.campaign_message, name="campaign_message"),
    path("surveys/campaigns/<int:campaign_id>/send/", send.campaign_send, name="campaign_send"),
    # Results
    path("surveys/results/", results.results, name="results"),
    path("surveys/results/comments/", results.results_comments, name="results_comments"),
    path("accounts/<int:pk>/surveys/", results.account_history, name="account_history"),
    # Readiness and milestones
    path("accounts/<int:pk>/readiness/", readiness.account_readiness, name="readiness"),
    path("accounts/<int:pk>/readiness/rescore/", readiness.readiness_rescore, name="readiness_rescore"),
    path("accounts/<int:pk>/readiness/record/", readiness.readiness_record, name="readiness_record"),
    path("accounts/<int:pk>/milestones/new/", milestones.milestone_new, name="milestone_new"),
    path("accounts/<int:pk>/milestones/<int:milestone_id>/edit/", milestones.milestone_edit, name="milestone_edit"),
    path("accounts/<int:pk>/milestones/<int:milestone_id>/delete/", milestones.milestone_delete,
         name="milestone_delete"),
    path("surveys/outcomes/", milestones.outcomes, name="outcomes"),
    # Import
    path("surveys/import/", imports.upload, name="import"),
]
