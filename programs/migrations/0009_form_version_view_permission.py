from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here: every staff role reads the application forms' versions in the admin; nobody
# changes one there (the staff area's builder makes them).
ROLES = ["reviewer", "programme manager", "administrator"]


def grant(apps, schema_editor):
    # Permissions are normally created after `migrate`; create them now to attach them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.filter(
        content_type__app_label="programs", codename="view_formversion"
    )
    for name in ROLES:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*view)


class Migration(migrations.Migration):
    dependencies = [("programs", "0008_form_versions"), ("accounts", "0002_staff_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
