# The indicators' surveys' pass (stats.computation.survey_rows, issue 23): the completed files
# only, from an index a third of application_indicators_idx's size (PostgreSQL; SQLite makes no
# index with INCLUDE columns).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0024_indicators_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(submitted_at__isnull=False, completed_at__isnull=False),
                fields=["organisation"],
                include=("id", "programme", "submitted_year"),
                name="application_completed_idx",
            ),
        ),
    ]
