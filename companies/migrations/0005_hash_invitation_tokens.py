"""Invitation tokens were stored as they appear in the link: keep only their digest, so that
links already sent still work and whoever reads the table cannot accept one."""

import hashlib

from django.db import migrations


def hash_tokens(apps, schema_editor):
    Invitation = apps.get_model("companies", "Invitation")
    for invitation in Invitation.objects.all():
        invitation.token = hashlib.sha256(invitation.token.encode()).hexdigest()
        invitation.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [("companies", "0004_abuse_limits_claims_identity_review")]

    operations = [migrations.RunPython(hash_tokens, migrations.RunPython.noop)]
