from django.urls import path

from paceline.surveys.views import milestones, readiness, results

app_name = "surveys"
urlpatterns: list = [
    # Results
    path("surveys/results/", results.results, name="results"),
    path("surveys/results/comments/", results.results_comments, name="results_comments"),
    path("accounts/<int:pk>/surveys/", results.account_history, name="account_history"),
    # Readiness and milestones
    path("accounts/<int:pk>/readiness/", readiness.account_readiness, name="readiness"),
    path("accounts/<int:pk>/readiness/rescore/", readiness.readiness_rescore, name="readiness_rescore"),
    path("accounts/<int:pk>/milestones/new/", milestones.milestone_new, name="milestone_new"),
    path("accounts/<int:pk>/milestones/<int:milestone_id>/edit/", milestones.milestone_edit, name="milestone_edit"),
    path("accounts/<int:pk>/milestones/<int:milestone_id>/delete/", milestones.milestone_delete,
         name="milestone_delete"),
    path("surveys/outcomes/", milestones.outcomes, name="outcomes"),
]
