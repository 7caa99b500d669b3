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
            model_name="applicationevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Draft started"),
                    ("transition", "Status changed"),
                    ("message", "Message"),
                    ("upload", "Document added"),
                    ("removal", "Document removed"),
                    ("answer", "Information provided"),
                    ("report", "Final report"),
                    ("assignment", "Reviewer assigned"),
                    ("expert", "Expert assigned"),
                    ("score", "Score"),
                    ("review", "Review submitted"),
                    ("note", "Internal note"),
                    ("agreement", "Agreement"),
                    ("payment", "Payment"),
                    ("milestone", "Milestone"),
                    ("diagnostic", "Diagnostic"),
                    ("survey", "Follow-up survey"),
                ],
                max_length=16,
            ),
        ),
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
