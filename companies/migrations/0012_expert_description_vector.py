# The Start IA matching reads the descriptions' words from a vector the database stores
# (issue 23: stemming the three descriptions of every candidate on every view cost most of the
# proposals' time), with a GIN index on PostgreSQL for counting the candidates that use a word
# (SQLite's matching reads no vector: there the column is empty and has no such index).

import companies.models.experts
from django.db import migrations, models

INDEX = "expert_description_vector_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON companies_expert USING gin (description_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0011_choice_labels_english_percent"),
    ]

    operations = [
        migrations.AddField(
            model_name="expert",
            name="description_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=companies.models.experts.DescriptionDocument(),
                output_field=companies.models.experts.SearchVectorColumn(),
            ),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
