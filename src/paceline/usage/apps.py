from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "paceline.usage"
    label = "usage"
    verbose_name = "Product usage"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from paceline.customers.models import Subscription
        from paceline.usage import panels, tasks

        tasks.register()
        panels.register()
        # Seats are read by the metrics job: a changed subscription restates past utilisation.
        post_save.connect(_seats_changed, sender=Subscription, dispatch_uid="usage.seats_changed")
        post_delete.connect(_seats_changed, sender=Subscription, dispatch_uid="usage.seats_changed.delete")


def _seats_changed(sender, instance, **kwargs) -> None:
    from paceline.usage.services import seats_changed

    if not kwargs.get("raw"):
        seats_changed(instance)
