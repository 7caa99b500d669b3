"""Application forms become data (issue 19): a FormVersion per call, and version 1 of every
existing call holding its programme's steps as they were in code (0008_default_forms.json, a
frozen copy of programs/application_forms/defaults.py as of this migration). A call's
`form_sections` still switch its sectioned steps on and off, as before."""

import json
from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DEFAULTS = Path(__file__).with_name("0008_default_forms.json")


def first_versions(apps, schema_editor):
    Call = apps.get_model("programs", "Call")
    FormVersion = apps.get_model("programs", "FormVersion")
    defaults = json.loads(DEFAULTS.read_text(encoding="utf-8"))
    FormVersion.objects.bulk_create(
        FormVersion(call=call, number=1, definition=defaults[call.programme.code])
        for call in Call.objects.select_related("programme")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0007_review_form_versions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FormVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="version")),
                ("definition", models.JSONField(verbose_name="definition")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "call",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="form_versions",
                        to="programs.call",
                        verbose_name="call",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "application form version",
                "verbose_name_plural": "application form versions",
                "ordering": ["call", "number"],
                "constraints": [
                    models.UniqueConstraint(fields=("call", "number"), name="form_version_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("number__gte", 1)), name="form_version_from_one"
                    ),
                ],
            },
        ),
        migrations.RunPython(first_versions, migrations.RunPython.noop),
    ]
