# The indicators' passes over the submitted files (stats.computation, issue 23): what they read
# of a file, in the order of its organisation, from an index a fifth of the table's size, so
# that the files' pass groups them as they come instead of hashing a million rows
# (PostgreSQL; SQLite makes no index with INCLUDE columns).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0023_queue_organisation_order_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(submitted_at__isnull=False),
                fields=["organisation"],
                include=(
                    "id",
                    "programme",
                    "call",
                    "submitted_year",
                    "submitted_at",
                    "selected_at",
                    "decided_at",
                    "completed_at",
                    "status",
                    "granted_amount",
                ),
                name="application_indicators_idx",
            ),
        ),
    ]
