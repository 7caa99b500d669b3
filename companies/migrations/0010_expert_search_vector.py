# The directory's full-text search reads a vector the database stores beside the folded text
# (issue 23: computing it for every expert on every search cost most of a directory miss),
# with a GIN index on PostgreSQL (SQLite searches the text with LIKE and has no such index).

import companies.models.experts
from django.db import migrations, models

INDEX = "expert_search_vector_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON companies_expert USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0009_enterprise_register"),
    ]

    operations = [
        migrations.AddField(
            model_name="expert",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=companies.models.experts.SearchDocument("search_text"),
                output_field=companies.models.experts.SearchVectorColumn(),
            ),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
