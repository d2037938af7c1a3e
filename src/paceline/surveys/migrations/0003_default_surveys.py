from django.db import migrations

# The defaults live with the code that creates new surveys, so both start from the same wording.
from paceline.surveys.defaults import DEFAULT_SURVEYS


def install(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "Question")
    for spec in DEFAULT_SURVEYS:
        survey, created = Survey.objects.get_or_create(
            name=spec["name"], defaults={"kind": str(spec["kind"]), "intro": spec["intro"]}
        )
        if not created:
            continue
        for position, question in enumerate(spec["questions"], start=1):
            Question.objects.create(survey=survey, position=position, **{**question, "kind": str(question["kind"])})


def remove(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Survey.objects.filter(
        name__in=[spec["name"] for spec in DEFAULT_SURVEYS], campaigns__isnull=True, responses__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_invitation_links")]
    operations = [migrations.RunPython(install, remove)]
