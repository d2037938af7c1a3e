from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from paceline.api import api

urlpatterns = [
    path("", RedirectView.as_view(url="/book/", permanent=False)),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("v1/", include("paceline.usage.ingest_urls")),
    path("", include("paceline.users.urls")),
    path("import/", include("paceline.customers.importing.urls")),
    path("", include("paceline.customers.urls")),
    path("", include("paceline.success.urls")),
    path("", include("paceline.success.share_urls")),
    path("", include("paceline.surveys.urls")),
    path("", include("paceline.surveys.respond_urls")),
    path("", include("paceline.engagement.urls")),
    path("automation/", include("paceline.automation.urls")),
    path("health/", include("paceline.health.urls")),
    path("usage/", include("paceline.usage.urls")),
]
