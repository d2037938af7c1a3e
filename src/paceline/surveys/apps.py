from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "paceline.surveys"
    label = "surveys"
    verbose_name = "Voice of the customer"

    def ready(self) -> None:
        from paceline.surveys import contributions, readiness_contributions, tasks

        contributions.register()
        readiness_contributions.register()
        tasks.register()
