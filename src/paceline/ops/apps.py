from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: the commands that run Paceline (demo, serve, worker) and the demo company."""

    name = "paceline.ops"
    label = "ops"
    verbose_name = "Operations"
