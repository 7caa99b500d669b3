# The staff queue's deep pages read the organisation too (the declared conflicts of interest):
# inside the index, a deep page is an index-only scan instead of a sort of every file.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0017_application_form_version"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="application",
            name="application_queue_order_idx",
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["-submitted_at", "-id"],
                include=("status", "programme", "organisation"),
                name="application_queue_order_idx",
            ),
        ),
    ]
