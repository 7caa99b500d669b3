# The staff queue sorted by organisation (issue 23): PostgreSQL walks the organisations by name
# and reads each one's files; with what the queue filters on in this index, it reads them from
# the index alone instead of each file's row (PostgreSQL; SQLite makes no index with INCLUDE
# columns).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0022_organisation_kind_on_the_file"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["organisation", "id"],
                include=("status", "programme", "organisation_province", "organisation_kind"),
                name="application_organisation_idx",
            ),
        ),
    ]
