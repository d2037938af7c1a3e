from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "paceline.usage"
    label = "usage"
    verbose_name = "Product usage"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_save

        from paceline.customers.models import Subscription
        from paceline.usage import panels, tasks

        tasks.register()
        panels.register()
        # Seats are read by the metrics job: a changed subscription restates past utilisation.
        pre_save.connect(_seats_before, sender=Subscription, dispatch_uid="usage.seats_before")
        post_save.connect(_seats_changed, sender=Subscription, dispatch_uid="usage.seats_changed")
        post_delete.connect(_seats_changed, sender=Subscription, dispatch_uid="usage.seats_changed.delete")


def _seats_before(sender, instance, **kwargs) -> None:
    """A subscription moved to start later leaves the days before its new start changed too."""
    if instance.pk and not kwargs.get("raw"):
        instance._usage_start_before = (
            sender.objects.filter(pk=instance.pk).values_list("start_date", flat=True).first())


def _seats_changed(sender, instance, **kwargs) -> None:
    from paceline.usage.services import seats_changed

    if not kwargs.get("raw"):
        before = getattr(instance, "_usage_start_before", None)
        seats_changed(instance, since=min(filter(None, (before, instance.start_date))))
