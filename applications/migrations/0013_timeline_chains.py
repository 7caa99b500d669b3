"""Each file's timeline becomes a tamper-evident chain (adn_portal/accounts/chains.py): every
existing event is sealed, file by file, in the order it was written."""

import django.utils.timezone
from django.db import migrations, models


def seal_timelines(apps, schema_editor):
    from adn_portal.accounts.chains import seal_history
    from applications.models import timeline_chain, timeline_content

    ApplicationEvent = apps.get_model("applications", "ApplicationEvent")
    seal_history(
        ApplicationEvent.objects.order_by("application_id", "pk").iterator(chunk_size=2000),
        chain_of=lambda event: timeline_chain(event.application_id),
        content=lambda event: timeline_content(vars(event)),
        save=lambda rows: ApplicationEvent.objects.bulk_update(
            rows, ["chain_seq", "digest", "link"]
        ),
        heads=apps.get_model("accounts", "ChainHead").objects,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_record_chains"),
        ("applications", "0012_default_agreement_template"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicationevent",
            name="chain_seq",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="applicationevent",
            name="digest",
            field=models.CharField(db_default="", default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="applicationevent",
            name="link",
            field=models.CharField(db_default="", default="", editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="applicationevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False
            ),
        ),
        migrations.RunPython(seal_timelines, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="applicationevent",
            constraint=models.UniqueConstraint(
                fields=("application", "chain_seq"), name="event_chain_seq_unique"
            ),
        ),
    ]
