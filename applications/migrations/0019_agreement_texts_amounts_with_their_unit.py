"""The agreement templates' {{ amount }}, {{ ceiling }} and {{ funding_rate }} now carry their
unit, written the reader's way ("40 000 €", "€40,000", "50 %"): the texts drop the unit they
wrote after them ("{{ amount }} EUR" would read "40 000 € EUR")."""

from django.db import migrations

UNITS = {
    "{{ amount }} EUR": "{{ amount }}",
    "{{ ceiling }} EUR": "{{ ceiling }}",
    "{{ funding_rate }} %": "{{ funding_rate }}",
}
FIELDS = ("title_fr", "title_en", "title_de", "body_fr", "body_en", "body_de")


def drop_units(apps, schema_editor):
    AgreementTemplate = apps.get_model("applications", "AgreementTemplate")
    for template in AgreementTemplate.objects.all():
        for field in FIELDS:
            text = getattr(template, field)
            for written, value in UNITS.items():
                text = text.replace(written, value)
            setattr(template, field, text)
        template.save(update_fields=FIELDS)


class Migration(migrations.Migration):
    dependencies = [("applications", "0018_queue_index_with_organisation")]

    operations = [migrations.RunPython(drop_units, migrations.RunPython.noop)]
