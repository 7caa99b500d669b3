# The staff queue's kind-of-organisation filter (issue 23), as the province before it
# (migration 0021): the kind is the organisation's, so the filter joined every file to its
# organisation, and no index of the files could hold it beside the queue's other filters. The
# file now holds a copy that the database keeps true (the same triggers, extended: set from the
# organisation whenever a file is written, rewritten on every file of an organisation whose
# kind changes), and the queue's indexes hold every column the queue filters on (status,
# programme, organisation for the conflicts of interest, province, kind), so that a filtered
# page reads its rows' ids from an index alone (index-only), whatever the combination; the
# reference order has one per programme (references begin with the programme's code: in the
# reference order, a programme's files are one range). Indexes first, then the copy (see 0021).

from importlib import import_module

from django.db import migrations, models

# Migration 0021's triggers are dropped before the table changes (SQLite rebuilds the table,
# and refuses while a trigger names it) and made again, extended, after.
_0021 = import_module("applications.migrations.0021_organisation_province_on_the_file")

POSTGRESQL = [
    """
CREATE FUNCTION application_organisation_copies() RETURNS trigger AS $$
BEGIN
    SELECT province, kind INTO NEW.organisation_province, NEW.organisation_kind
    FROM companies_organisation WHERE id = NEW.organisation_id;
    NEW.organisation_province := COALESCE(NEW.organisation_province, '');
    NEW.organisation_kind := COALESCE(NEW.organisation_kind, '');
    RETURN NEW;
END $$ LANGUAGE plpgsql""",
    """
CREATE TRIGGER application_organisation_written
BEFORE INSERT OR UPDATE OF organisation_id, organisation_province, organisation_kind
ON applications_application
FOR EACH ROW EXECUTE FUNCTION application_organisation_copies()""",
    *_0021.POSTGRESQL[2:],  # the organisation's province, to its files
    """
CREATE FUNCTION organisation_kind_to_files() RETURNS trigger AS $$
BEGIN
    UPDATE applications_application SET organisation_kind = NEW.kind
    WHERE organisation_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """
CREATE TRIGGER organisation_kind_changed
AFTER UPDATE OF kind ON companies_organisation
FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind)
EXECUTE FUNCTION organisation_kind_to_files()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS organisation_kind_changed ON companies_organisation",
    "DROP FUNCTION IF EXISTS organisation_kind_to_files()",
    "DROP TRIGGER IF EXISTS application_organisation_written ON applications_application",
    "DROP FUNCTION IF EXISTS application_organisation_copies()",
    *_0021.POSTGRESQL_DROP[:2],
]

# SQLite: a trigger cannot change the row being written, so it rewrites it just after.
_FROM_ORGANISATION = (
    "UPDATE applications_application SET"
    " organisation_province = COALESCE((SELECT province FROM companies_organisation"
    " WHERE id = NEW.organisation_id), ''),"
    " organisation_kind = COALESCE((SELECT kind FROM companies_organisation"
    " WHERE id = NEW.organisation_id), '') WHERE id = NEW.id;"
)
SQLITE = [
    "CREATE TRIGGER application_organisation_inserted AFTER INSERT ON applications_application"
    f" BEGIN {_FROM_ORGANISATION} END",
    "CREATE TRIGGER application_organisation_updated AFTER UPDATE OF organisation_id,"
    " organisation_province, organisation_kind ON applications_application"
    f" BEGIN {_FROM_ORGANISATION} END",
    _0021.SQLITE[2],  # the organisation's province, to its files
    "CREATE TRIGGER organisation_kind_changed AFTER UPDATE OF kind ON"
    " companies_organisation WHEN OLD.kind IS NOT NEW.kind BEGIN"
    " UPDATE applications_application SET organisation_kind = NEW.kind"
    " WHERE organisation_id = NEW.id; END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS organisation_kind_changed",
    "DROP TRIGGER IF EXISTS organisation_province_moved",
    "DROP TRIGGER IF EXISTS application_organisation_updated",
    "DROP TRIGGER IF EXISTS application_organisation_inserted",
]

COPY = (
    "UPDATE applications_application SET organisation_kind = COALESCE((SELECT o.kind"
    " FROM companies_organisation o WHERE o.id = applications_application.organisation_id), '')"
)

# What every row of the queue is filtered on, in each of its indexes (PostgreSQL; SQLite makes
# no index with INCLUDE columns).
FILTERED = ["status", "programme", "organisation", "organisation_province", "organisation_kind"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(statement)
    schema_editor.execute(COPY)
    if vendor == "postgresql":
        schema_editor.execute("ANALYZE applications_application")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(statement)


def drop_0021(apps, schema_editor):
    _0021.drop(apps, schema_editor)


def restore_0021(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": _0021.POSTGRESQL, "sqlite": _0021.SQLITE}.get(vendor, []):
        schema_editor.execute(statement)


def _without(*names):
    return [name for name in FILTERED if name not in names]


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0021_organisation_province_on_the_file"),
        ("companies", "0011_choice_labels_english_percent"),
    ]

    operations = [
        migrations.RunPython(drop_0021, restore_0021, elidable=False),
        migrations.AddField(
            model_name="application",
            name="organisation_kind",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
        migrations.RemoveIndex(model_name="application", name="application_status_idx"),
        migrations.RemoveIndex(model_name="application", name="application_queue_order_idx"),
        migrations.RemoveIndex(model_name="application", name="application_province_idx"),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["status", "programme", "-submitted_at", "-id"],
                include=_without("status", "programme"),
                name="application_status_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["-submitted_at", "-id"],
                include=FILTERED,
                name="application_queue_order_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["organisation_province", "status", "programme"],
                include=[*_without("organisation_province", "status", "programme"), "submitted_at"],
                name="application_province_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["organisation_kind", "status", "programme"],
                include=[*_without("organisation_kind", "status", "programme"), "submitted_at"],
                name="application_kind_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["programme", "reference", "id"],
                include=_without("programme"),
                name="application_reference_idx",
            ),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
