# The staff queue's province filter (issue 23): the province is the organisation's, so the
# filter joined every file to its organisation and, at 1,000,000 files, counting a province's
# files probed 200,000 of them one by one. The file now holds a copy, indexed, that the
# database keeps true itself (triggers, not signals: a bulk insert, an UPDATE or another
# program writing the tables keeps it too): set from the organisation whenever a file is
# inserted or its organisation changes (whatever the writer put there), and rewritten on every
# file of an organisation whose province changes. The index is made before the copy is
# written: made after it, in the same transaction, PostgreSQL could not use it until every
# transaction older than the migration's had ended (the copy broke its rows' HOT chains).

from django.db import migrations, models

POSTGRESQL = [
    """
CREATE FUNCTION application_organisation_province() RETURNS trigger AS $$
BEGIN
    NEW.organisation_province := COALESCE(
        (SELECT province FROM companies_organisation WHERE id = NEW.organisation_id), '');
    RETURN NEW;
END $$ LANGUAGE plpgsql""",
    """
CREATE TRIGGER application_province_written
BEFORE INSERT OR UPDATE OF organisation_id, organisation_province ON applications_application
FOR EACH ROW EXECUTE FUNCTION application_organisation_province()""",
    """
CREATE FUNCTION organisation_province_to_files() RETURNS trigger AS $$
BEGIN
    UPDATE applications_application SET organisation_province = NEW.province
    WHERE organisation_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """
CREATE TRIGGER organisation_province_moved
AFTER UPDATE OF province ON companies_organisation
FOR EACH ROW WHEN (OLD.province IS DISTINCT FROM NEW.province)
EXECUTE FUNCTION organisation_province_to_files()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS organisation_province_moved ON companies_organisation",
    "DROP FUNCTION IF EXISTS organisation_province_to_files()",
    "DROP TRIGGER IF EXISTS application_province_written ON applications_application",
    "DROP FUNCTION IF EXISTS application_organisation_province()",
]

# SQLite (the embedded default): a trigger cannot change the row being written, so it
# rewrites it just after (SQLite does not fire a trigger from its own statement again).
_FROM_ORGANISATION = (
    "UPDATE applications_application SET organisation_province = COALESCE((SELECT province"
    " FROM companies_organisation WHERE id = NEW.organisation_id), '') WHERE id = NEW.id;"
)
SQLITE = [
    "CREATE TRIGGER application_province_inserted AFTER INSERT ON applications_application"
    f" BEGIN {_FROM_ORGANISATION} END",
    "CREATE TRIGGER application_province_updated AFTER UPDATE OF organisation_id,"
    f" organisation_province ON applications_application BEGIN {_FROM_ORGANISATION} END",
    "CREATE TRIGGER organisation_province_moved AFTER UPDATE OF province ON"
    " companies_organisation WHEN OLD.province IS NOT NEW.province BEGIN"
    " UPDATE applications_application SET organisation_province = NEW.province"
    " WHERE organisation_id = NEW.id; END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS organisation_province_moved",
    "DROP TRIGGER IF EXISTS application_province_updated",
    "DROP TRIGGER IF EXISTS application_province_inserted",
]

COPY = (
    "UPDATE applications_application SET organisation_province = COALESCE((SELECT o.province"
    " FROM companies_organisation o WHERE o.id = applications_application.organisation_id), '')"
)


def create(apps, schema_editor):
    schema_editor.execute(COPY)
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0020_queue_search_trigram"),
        ("companies", "0011_choice_labels_english_percent"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="organisation_province",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["organisation_province", "status", "programme"],
                include=("organisation",),
                name="application_province_idx",
            ),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
