from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here: what each staff role may do with programmes and calls in the admin.
GRANTS = {
    "reviewer": ["view_programme", "view_call", "view_scoringcriterion"],
    "programme manager": [
        "view_programme",
        "change_programme",
        "view_call",
        "add_call",
        "change_call",
        "delete_call",
        "view_scoringcriterion",
        "add_scoringcriterion",
        "change_scoringcriterion",
        "delete_scoringcriterion",
    ],
    "administrator": [
        "view_programme",
        "change_programme",
        "view_call",
        "add_call",
        "change_call",
        "delete_call",
        "view_scoringcriterion",
        "add_scoringcriterion",
        "change_scoringcriterion",
        "delete_scoringcriterion",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after `migrate`; create them now to attach them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="programs", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_programmes"), ("accounts", "0002_staff_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
