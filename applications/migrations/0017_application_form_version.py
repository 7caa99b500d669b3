"""Each file points at the version of its call's application form it answers (issue 19):
every existing file at version 1 of its call (programs 0008)."""

import django.db.models.deletion
from django.db import migrations, models


def point_at_first_versions(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    FormVersion = apps.get_model("programs", "FormVersion")
    Application.objects.update(
        form_version=models.Subquery(
            FormVersion.objects.filter(call=models.OuterRef("call"), number=1).values("pk")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0016_score_review_required"),
        ("programs", "0008_form_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="form_version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="programs.formversion",
                verbose_name="form version",
            ),
        ),
        migrations.RunPython(point_at_first_versions, migrations.RunPython.noop),
    ]
