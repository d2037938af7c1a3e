from django.urls import path

from paceline.usage import views

app_name = "usage"

urlpatterns = [
    path("accounts/<int:pk>/adoption/", views.account_adoption, name="account_adoption"),
    path("features/", views.feature_list, name="features"),
    path("features/new/", views.feature_new, name="feature_new"),
    path("features/<int:pk>/edit/", views.feature_edit, name="feature_edit"),
    path("features/<int:pk>/delete/", views.feature_delete, name="feature_delete"),
    path("write-keys/", views.write_keys, name="write_keys"),
    path("write-keys/new/", views.write_key_create, name="write_key_create"),
    path("write-keys/<int:pk>/revoke/", views.write_key_revoke, name="write_key_revoke"),
    path("unmatched/", views.unmatched, name="unmatched"),
]
