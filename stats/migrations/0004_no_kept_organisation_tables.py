"""The per-organisation tables are built for each computation (a temporary table): the
triggers that noted changed organisations on the applications' tables, the change notes and
the tables kept between computations go."""

from importlib import import_module

from django.db import migrations

kept = import_module("stats.migrations.0002_kept_organisation_tables")
# Built by the computations themselves, not by a migration (the benchmark's "requests" too).
KEPT_TABLES = """
DROP TABLE IF EXISTS stats_by_organisation_files;
DROP TABLE IF EXISTS stats_by_organisation_surveys;
DROP TABLE IF EXISTS stats_by_organisation_requests;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0003_finer_dimensions"),
    ]

    operations = [
        # Back: the triggers again; the kept tables are built by the next computation.
        migrations.RunPython(kept.on_postgresql(kept.UNDO), kept.on_postgresql(kept.TRIGGERS)),
        migrations.RunPython(kept.on_postgresql(KEPT_TABLES), migrations.RunPython.noop),
        migrations.DeleteModel(name="ChangedOrganisation"),
        migrations.DeleteModel(name="KeptTable"),
    ]
