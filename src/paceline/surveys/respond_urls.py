"""The respondent's pages: reached from a personal link in an e-mail, without a login."""

from django.urls import path

from paceline.surveys.views import respond

app_name = "respond"

urlpatterns = [
    path("r/<str:token>/", respond.respond, name="respond"),
    path("unsubscribe/<str:token>/", respond.unsubscribe, name="unsubscribe"),
]
