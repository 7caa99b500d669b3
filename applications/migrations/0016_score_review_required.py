# A migration of its own: PostgreSQL refuses to alter a table whose rows the previous one's
# data migration updated in the same transaction (pending trigger events).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0015_reviews"),
    ]

    operations = [
        migrations.AlterField(
            model_name="score",
            name="review",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scores",
                to="applications.review",
            ),
        ),
    ]
