from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_from_timelines(apps, schema_editor):
    """Files selected before this field existed: the moment is in their timeline."""
    Application = apps.get_model("applications", "Application")
    ApplicationEvent = apps.get_model("applications", "ApplicationEvent")
    first_selected = (
        ApplicationEvent.objects.filter(application=OuterRef("pk"), to_status="selected")
        .order_by("at")
        .values("at")[:1]
    )
    Application.objects.filter(
        events__to_status="selected", selected_at__isnull=True
    ).update(selected_at=Subquery(first_selected))


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_alter_application_submitted_at_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="selected_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_from_timelines, migrations.RunPython.noop),
    ]
