from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "paceline.automation"
    label = "automation"
    verbose_name = "Automation"

    def ready(self) -> None:
        from paceline.automation import panels, tasks

        panels.register()
        tasks.register()
