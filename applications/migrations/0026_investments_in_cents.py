# The outcome reports' investments in cents, written by the database, for the indicators'
# surveys' pass (stats.computation.survey_rows, issue 23): integer sums instead of numeric.

import django.db.models.expressions
import django.db.models.functions.comparison
import django.db.models.functions.math
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0025_indicators_completed_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="outcomereport",
            name="investment_after_cents",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.comparison.Cast(
                    django.db.models.functions.math.Round(
                        django.db.models.expressions.CombinedExpression(
                            models.F("investment_after"), "*", models.Value(100)
                        )
                    ),
                    models.BigIntegerField(),
                ),
                output_field=models.BigIntegerField(),
            ),
        ),
        migrations.AddField(
            model_name="outcomereport",
            name="investment_before_cents",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.comparison.Cast(
                    django.db.models.functions.math.Round(
                        django.db.models.expressions.CombinedExpression(
                            models.F("investment_before"), "*", models.Value(100)
                        )
                    ),
                    models.BigIntegerField(),
                ),
                output_field=models.BigIntegerField(),
            ),
        ),
    ]
