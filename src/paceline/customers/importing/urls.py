from django.urls import path

from paceline.customers.importing import views

app_name = "importing"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/mapping/", views.run_remap, name="remap"),
    path("<int:pk>/apply/", views.run_apply, name="apply"),
]
