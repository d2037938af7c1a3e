from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "paceline.usage"
    label = "usage"
    verbose_name = "Product usage"

    def ready(self) -> None:
        from paceline.usage import tasks

        tasks.register()
        try:
            from paceline.usage import panels
        except ImportError:  # pages land separately from the engine
            return
        panels.register()
