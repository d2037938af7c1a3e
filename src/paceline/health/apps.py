from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "paceline.health"
    label = "health"
    verbose_name = "Health"

    def ready(self) -> None:
        from paceline.health import fundamentals_panel, panels, tasks

        tasks.register()
        panels.register()
        fundamentals_panel.register()
