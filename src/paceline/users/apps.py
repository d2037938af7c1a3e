from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "paceline.users"
    label = "users"
    verbose_name = "Users and access"
