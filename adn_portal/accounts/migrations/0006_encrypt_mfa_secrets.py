"""Second-factor secrets written before the MFA adapter encrypted them are encrypted now; the
old DRF token table (keys in clear) goes: API tokens are knox digests from now on, in
accounts.ApiToken. knox's own migrations create its default table even though the model is
swapped: it goes too (unused, and its foreign key would stop PostgreSQL truncating users)."""

from django.db import migrations

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts so; base32 TOTP and hex seeds never do


def encrypt_secrets(apps, schema_editor):
    from adn_portal.accounts.adapter import MFAAdapter

    adapter = MFAAdapter()
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.all():
        data = dict(authenticator.data)
        for field in ("secret", "seed"):
            if isinstance(data.get(field), str) and not data[field].startswith(FERNET_PREFIX):
                data[field] = adapter.encrypt(data[field])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [
                code if code.startswith(FERNET_PREFIX) else adapter.encrypt(code)
                for code in data["migrated_codes"]
            ]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_api_tokens"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunPython(encrypt_secrets, migrations.RunPython.noop),
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
        migrations.RunSQL("DROP TABLE IF EXISTS knox_authtoken", migrations.RunSQL.noop),
    ]
