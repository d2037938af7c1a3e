from django.urls import path

from paceline.health.views import accounts, backtest, fundamentals, models, overview

app_name = "health"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("models/", models.model_list, name="models"),
    path("models/new/", models.model_new, name="model_new"),
    path("models/<int:pk>/", models.model_detail, name="model"),
    path("models/<int:pk>/edit/", models.model_edit, name="model_edit"),
    path("accounts/<int:pk>/assessments/", accounts.assessment_add, name="assessment_add"),
    path("accounts/<int:pk>/score/", accounts.score_now, name="score_now"),
    path("fundamentals/", fundamentals.book, name="fundamentals"),
    path("backtest/", backtest.backtest_page, name="backtest"),
    path("backtest/run/", backtest.backtest_start, name="backtest_start"),
]
