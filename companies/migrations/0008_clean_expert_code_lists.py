"""Before the API checked them like the pages, an expert's lists of codes could hold anything:
a string (stored as is, one directory facet per character), a number, codes that are no choice.
Keep the codes that are choices, once each and in order, and rebuild the directory's facet rows
of those lists. The choices are written out to stay what they were when this migration ran."""

from django.db import migrations

CHOICES = {
    "specialities": (
        "speciality",
        {
            "computer_vision",
            "nlp_genai",
            "forecasting",
            "optimisation",
            "process_automation",
            "data_engineering",
            "recommender",
            "strategy",
            "speech",
            "robotics",
        },
    ),
    "sectors": (
        "sector",
        {
            "manufacturing",
            "logistics",
            "retail",
            "health",
            "agrifood",
            "construction",
            "energy",
            "finance",
            "public",
            "services",
            "tourism",
            "ict",
        },
    ),
    "languages": ("language", {"fr", "nl", "de", "en"}),
    "programmes": ("programme", {"START", "TREMPLIN", "CAP"}),
}


def known(values, choices: set[str]) -> list[str]:
    if not isinstance(values, list):
        return []
    kept: list[str] = []
    for value in values:
        if isinstance(value, str) and value in choices and value not in kept:
            kept.append(value)
    return kept


def clean(apps, schema_editor):
    Expert = apps.get_model("companies", "Expert")
    ExpertFacet = apps.get_model("companies", "ExpertFacet")
    ExpertProfileChange = apps.get_model("companies", "ExpertProfileChange")

    for expert in Expert.objects.only("pk", *CHOICES).iterator():
        changed = {}
        for field, (_kind, choices) in CHOICES.items():
            cleaned = known(getattr(expert, field), choices)
            if cleaned != getattr(expert, field):
                changed[field] = cleaned
        if changed:
            Expert.objects.filter(pk=expert.pk).update(**changed)
        for field, (kind, choices) in CHOICES.items():
            wanted = set(changed.get(field, getattr(expert, field)))
            rows = ExpertFacet.objects.filter(expert_id=expert.pk, kind=kind)
            rows.exclude(value__in=wanted).delete()
            present = set(rows.values_list("value", flat=True))
            ExpertFacet.objects.bulk_create(
                ExpertFacet(expert_id=expert.pk, kind=kind, value=value)
                for value in sorted(wanted - present)
            )

    specialities = CHOICES["specialities"][1]
    for change in ExpertProfileChange.objects.only("pk", "specialities").iterator():
        cleaned = known(change.specialities, specialities)
        if cleaned != change.specialities:
            ExpertProfileChange.objects.filter(pk=change.pk).update(specialities=cleaned)


class Migration(migrations.Migration):
    dependencies = [("companies", "0007_recompute_size_classes")]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
