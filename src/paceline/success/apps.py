from django.apps import AppConfig


class SuccessConfig(AppConfig):
    name = "paceline.success"
    label = "success"
    verbose_name = "Success plans"

    def ready(self) -> None:
        from paceline.success import contributions, tasks

        contributions.register()
        tasks.register()
