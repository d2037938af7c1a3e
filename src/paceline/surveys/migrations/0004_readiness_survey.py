from django.db import migrations

# The questionnaire lives with its scoring, so a fresh install and the scoring agree on keys and points.
from paceline.surveys.readiness import SURVEY_NAME, readiness_survey_install


def install(apps, schema_editor):
    readiness_survey_install(
        survey_model=apps.get_model("surveys", "Survey"), question_model=apps.get_model("surveys", "Question")
    )


def remove(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Survey.objects.filter(
        name=SURVEY_NAME, kind="readiness", campaigns__isnull=True, responses__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_default_surveys")]
    operations = [migrations.RunPython(install, remove)]
