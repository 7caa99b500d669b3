"""Recompute every stored size class with the rules of 0006: staff in full-time equivalents,
the EU ceilings (domain §6). Partner and linked enterprises and public bodies' shares are new
here (none declared yet, no share held), so an organisation's own figures decide; the
computation is written out to stay what it was when this migration ran."""

from decimal import Decimal

from django.db import migrations

MILLION = Decimal(1_000_000)
# (class, staff below, turnover cap, balance sheet cap): Recommendation 2003/361 art. 2.
CEILINGS = [
    ("micro", 10, 2 * MILLION, 2 * MILLION),
    ("small", 50, 10 * MILLION, 10 * MILLION),
    ("medium", 250, 50 * MILLION, 43 * MILLION),
]


def size_class(headcount, turnover, balance_sheet) -> str:
    if headcount is None or (turnover is None and balance_sheet is None):
        return ""
    for name, staff, turnover_cap, balance_cap in CEILINGS:
        within = (turnover is not None and turnover <= turnover_cap) or (
            balance_sheet is not None and balance_sheet <= balance_cap
        )
        if headcount < staff and within:
            return name
    return "large"


def recompute(apps, schema_editor):
    Organisation = apps.get_model("companies", "Organisation")
    changed = []
    rows = Organisation.objects.only("pk", "headcount", "turnover", "balance_sheet", "size_class")
    for organisation in rows.iterator(chunk_size=1000):
        size = size_class(organisation.headcount, organisation.turnover, organisation.balance_sheet)
        if size != organisation.size_class:
            organisation.size_class = size
            changed.append(organisation)
    Organisation.objects.bulk_update(changed, ["size_class"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0006_sme_definition"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
