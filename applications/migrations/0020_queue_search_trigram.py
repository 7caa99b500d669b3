# The staff queue's search (`q`: icontains on a file's reference and title and its
# organisation's name, applications/filters.py) through trigram indexes on PostgreSQL (pg_trgm,
# a trusted extension): a search matching a thousand files of a million reads them, not every
# file. Django compares UPPER(column::text) LIKE UPPER(pattern): the indexes hold that
# expression. SQLite, the embedded default, searches with LIKE and has no such index.

from django.db import migrations

INDEXES = {
    "application_reference_trgm_idx": ("applications_application", "reference"),
    "application_title_trgm_idx": ("applications_application", "title"),
    "organisation_name_trgm_idx": ("companies_organisation", "name"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table}"
            f" USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )
    # The planner's statistics of the indexed expressions (how many rows a LIKE matches) are
    # gathered by ANALYZE only: without them it guessed a search's matches a hundred times too
    # many and read a whole province's files instead.
    for table in sorted({table for table, _column in INDEXES.values()}):
        schema_editor.execute(f"ANALYZE {table}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0019_agreement_texts_amounts_with_their_unit"),
        ("companies", "0010_expert_search_vector"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
