"""The audit log becomes a tamper-evident chain (adn_portal/accounts/chains.py): every existing
row is sealed, in the order it was written."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def seal_audit_log(apps, schema_editor):
    from adn_portal.accounts.chains import AUDIT_CHAIN, audit_content, seal_history

    AuditEvent = apps.get_model("accounts", "AuditEvent")
    seal_history(
        AuditEvent.objects.order_by("pk").iterator(chunk_size=2000),
        chain_of=lambda _event: AUDIT_CHAIN,
        content=lambda event: audit_content(vars(event)),
        save=lambda rows: AuditEvent.objects.bulk_update(rows, ["chain_seq", "digest", "link"]),
        heads=apps.get_model("accounts", "ChainHead").objects,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_idempotency_key_bound_to_request"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("chain", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("length", models.PositiveBigIntegerField(default=0)),
                ("link", models.CharField(max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_seq",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="digest",
            field=models.CharField(db_default="", default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="link",
            field=models.CharField(db_default="", default="", editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(seal_audit_log, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain_seq",), name="audit_chain_seq_unique"
            ),
        ),
        migrations.CreateModel(
            name="AuditRedaction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64)),
                (
                    "erasure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.auditevent",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="redactions",
                        to="accounts.auditevent",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="RecordCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("finished_at", models.DateTimeField(null=True)),
                (
                    "trigger",
                    models.CharField(
                        choices=[("schedule", "Daily schedule"), ("command", "Command")],
                        max_length=16,
                    ),
                ),
                ("intact", models.BooleanField(null=True)),
                ("events", models.PositiveBigIntegerField(default=0)),
                ("chains", models.PositiveBigIntegerField(default=0)),
                ("breaks", models.JSONField(default=list)),
                ("audit_seq", models.PositiveBigIntegerField(null=True)),
                ("audit_link", models.CharField(blank=True, max_length=64)),
            ],
            options={"ordering": ["-started_at", "-pk"]},
        ),
    ]
