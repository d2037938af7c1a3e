from django.db import migrations

# A frozen copy would drift from the library; the library's defaults are the point of this step.
from paceline.success.plan_templates import DEFAULT_TEMPLATES


def install(apps, schema_editor):
    PlanTemplate = apps.get_model("success", "PlanTemplate")
    for template in DEFAULT_TEMPLATES:
        PlanTemplate.objects.get_or_create(name=template["name"], defaults=template)


def remove(apps, schema_editor):
    PlanTemplate = apps.get_model("success", "PlanTemplate")
    PlanTemplate.objects.filter(name__in=[t["name"] for t in DEFAULT_TEMPLATES], plans__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("success", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
