from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "paceline.core"
    label = "core"
    verbose_name = "Core"
