import django.utils.timezone
from django.db import migrations, models


def forget_unbound_keys(apps, schema_editor):
    # Stored before keys were bound to the request's body: they could replay an answer to a
    # different request. Repeats within their 24 h simply run again.
    apps.get_model("accounts", "IdempotencyKey").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_audit_file_reads"),
    ]

    operations = [
        migrations.RunPython(forget_unbound_keys, migrations.RunPython.noop),
        migrations.AddField(
            model_name="idempotencykey",
            name="fingerprint",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="idempotencykey",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="idempotencykey",
            name="status_code",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddIndex(
            model_name="idempotencykey",
            index=models.Index(fields=["created_at"], name="idempotency_key_created_idx"),
        ),
    ]
