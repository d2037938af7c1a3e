from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "paceline.engagement"
    label = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        from paceline.engagement import panels, tasks

        panels.register()
        tasks.register()
