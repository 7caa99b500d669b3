"""The breakdowns by province, sector and kind of organisation: grouped by the three together in
SQL, added up by each of them in Python (stats.organisations.by_organisation)."""

from decimal import Decimal

import pytest
from django.db import connection

from companies.models import Organisation, OrganisationKind
from stats import organisations
from stats.models import Dimension as D
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def table():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE by_attribute_test"
            " (organisation_id bigint, n bigint, amount numeric(12, 2))"
        )
        yield "by_attribute_test"
        cursor.execute("DROP TABLE by_attribute_test")


def _rows(table, values):
    with connection.cursor() as cursor:
        for organisation, n, amount in values:
            cursor.execute(
                f"INSERT INTO {table} VALUES (%s, %s, %s)",  # noqa: S608 (the fixture's table)
                [organisation.pk, n, amount],
            )


def _breakdowns(table):
    found = organisations.by_organisation(table, ["n", "amount"], {"orgs": "n > 0"})
    return {
        (dimension, r["key"]): (r["n"], Decimal(str(r["amount"])), r["orgs"])
        for dimension, r in found
    }


def test_each_attribute_adds_up_the_organisations_of_its_groups(table):
    liege = OrganisationFactory(postcode="4000", sector="C")
    also_liege = OrganisationFactory(postcode="4020", sector="")
    namur = OrganisationFactory(postcode="5000", sector="C", kind=OrganisationKind.STARTUP)
    idle = OrganisationFactory(postcode="5000", sector="J")
    _rows(
        table,
        [
            (liege, 3, "1000.10"),
            (also_liege, 2, "0.05"),
            (namur, 1, "250.00"),
            (idle, 0, "0.00"),
        ],
    )
    found = _breakdowns(table)
    by_hand = {}
    for org, n, amount in [
        (liege, 3, "1000.10"),
        (also_liege, 2, "0.05"),
        (namur, 1, "250.00"),
        (idle, 0, "0.00"),
    ]:
        org = Organisation.objects.get(pk=org.pk)
        for dimension, key in (
            (D.ALL, "all"),
            (D.PROVINCE, org.province),
            (D.SECTOR, org.sector),
            (D.KIND, org.kind),
        ):
            before = by_hand.get((dimension, key), (0, Decimal(0), 0))
            by_hand[dimension, key] = (
                before[0] + n,
                before[1] + Decimal(amount),
                before[2] + (n > 0),
            )
    assert found == by_hand
    # The organisation without a sector keeps its empty key; the whole is "all".
    assert found[D.SECTOR, ""] == (2, Decimal("0.05"), 1)
    assert found[D.ALL, "all"] == (6, Decimal("1250.15"), 3)


def test_the_whole_has_its_row_without_any_organisation(table):
    assert _breakdowns(table) == {(D.ALL, "all"): (0, Decimal(0), 0)}
