from django.urls import path

from paceline.users import views

app_name = "users"
urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/tokens/", views.token_create_view, name="token_create"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("settings/password/", views.PasswordChange.as_view(), name="password_change"),
    path("team/", views.team_page, name="team"),
    path("team/users/", views.team_user_create, name="team_user_create"),
    path("team/<int:user_id>/role/", views.team_user_role, name="team_user_role"),
    path("team/<int:user_id>/active/", views.team_user_active, name="team_user_active"),
]
