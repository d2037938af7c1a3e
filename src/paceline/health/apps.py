from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "paceline.health"
    label = "health"
    verbose_name = "Health"
