from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "paceline.usage"
    label = "usage"
    verbose_name = "Product usage"

    def ready(self) -> None:
        from paceline.usage import panels, tasks

        tasks.register()
        panels.register()
