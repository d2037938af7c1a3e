"""The "Standard" health model, version 1, from the default definition of the day it is installed.

Created here rather than on the first page view, so that reading a page never writes.
"""

from django.db import migrations


def create(apps, schema_editor):
    from paceline.health import spec
    from paceline.health.selectors import DEFAULT_NAME, DEFAULT_NOTE

    HealthModel = apps.get_model("health", "HealthModel")
    ModelVersion = apps.get_model("health", "ModelVersion")
    model, _ = HealthModel.objects.get_or_create(
        name=DEFAULT_NAME, defaults={"description": "Applies to every account no other model covers."})
    if not ModelVersion.objects.filter(model=model).exists():
        ModelVersion.objects.create(model=model, number=1, definition=spec.default(), note=DEFAULT_NOTE)


class Migration(migrations.Migration):
    dependencies = [("health", "0002_backtestrun")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
