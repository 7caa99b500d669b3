# The size class's and the relation's choice labels write a share the English way ("25%"); the
# French and German translations keep "25 %". Labels only: no data changes.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0010_expert_search_vector"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="size_class",
            field=models.CharField(
                blank=True,
                choices=[
                    ("micro", "Micro enterprise"),
                    ("small", "Small enterprise"),
                    ("medium", "Medium-sized enterprise"),
                    ("large", "Large enterprise"),
                    ("public_control", "Not an SME (public bodies hold at least 25%)"),
                ],
                max_length=16,
                verbose_name="size class",
            ),
        ),
        migrations.AlterField(
            model_name="relatedenterprise",
            name="relation",
            field=models.CharField(
                choices=[
                    ("partner", "Partner enterprise (25% to 50%)"),
                    ("linked", "Linked enterprise (more than 50%)"),
                ],
                max_length=16,
                verbose_name="relation",
            ),
        ),
    ]
