from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "paceline.surveys"
    label = "surveys"
    verbose_name = "Voice of the customer"
