"""Loading the enterprise register from extracts in the real open-data format, on PostgreSQL
(docs/domain.md, The enterprise register): a full extract, update extracts on top, each applied
once; a folder of extracts applied in order; organisations marked when they match it."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from companies.kbo import ExtractError
from companies.models import (
    Organisation,
    RegisterCode,
    RegisteredActivity,
    RegisteredAddress,
    RegisteredEnterprise,
    RegisteredName,
    RegisterExtract,
)
from companies.services import RegisterError, register_extract_apply, register_folder_import
from tests.companies.kbo_extracts import Enterprise, Establishment, full_extract, update_extract
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BAKERY = "0202.239.951"
SOFTWARE = "0403.170.701"
SOLE_TRADER = "0712.345.608"
LEAVING = "0477.654.371"


def bakery(**changes) -> Enterprise:
    fields = {
        "number": BAKERY,
        "names": [("1", "001", "Boulangerie Wéry"), ("1", "003", "Pains & Co")],
        "juridical_form": "014",
        "start": date(1998, 5, 4),
        "office": {
            "zipcode": "4000",
            "municipality_fr": "Liège",
            "municipality_nl": "Luik",
            "street_fr": "Rue Saint-Gilles",
            "street_nl": "Rue Saint-Gilles",
            "house_number": "58",
            "box": "2",
        },
        "activities": [
            ("001", "2003", "15811", "MAIN"),
            ("001", "2008", "10711", "MAIN"),
            ("001", "2025", "10711", "MAIN"),
            ("001", "2025", "47240", "SECO"),
        ],
        "establishments": [
            Establishment(
                "2.123.456.789",
                date(2001, 1, 1),
                "Pains & Co Outremeuse",
                "4020",
                "Liège",
                "Rue Puits-en-Sock",
                "7",
            )
        ],
        "contacts": [("TEL", "04 223 45 67")],
    }
    return Enterprise(**(fields | changes))


def register_of(*enterprises: Enterprise) -> list[Enterprise]:
    return [
        *enterprises,
        Enterprise(
            SOFTWARE, names=[("2", "001", "Softwarehuis"), ("1", "001", "Maison du Logiciel")]
        ),
        Enterprise(
            SOLE_TRADER,
            names=[("1", "001", "Dupont Julie")],
            type_of_enterprise="1",
            juridical_form=None,
            office=None,
        ),
        Enterprise(LEAVING, names=[("1", "001", "Ancienne SRL")]),
    ]


def rows(model) -> set[tuple]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    return set(model.objects.values_list(*fields))


def xmins(table: str) -> list[str]:
    """Each row's transaction id: a row written again gets a new one."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {table} ORDER BY ctid")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_a_full_extract_fills_the_register_with_enterprises_only(tmp_path):
    path = full_extract(
        tmp_path, number=140, snapshot=date(2026, 10, 2), enterprises=register_of(bakery())
    )

    outcome = register_extract_apply(path=path)

    assert outcome.extract.number == 140
    assert outcome.extract.kind == RegisterExtract.Kind.FULL
    assert outcome.extract.snapshot_date == date(2026, 10, 2)
    assert outcome.extract.enterprises == 4
    wery = RegisteredEnterprise.objects.get(number="0202239951")
    assert (wery.status, wery.juridical_form, wery.start_date, wery.type_of_enterprise) == (
        "AC",
        "014",
        date(1998, 5, 4),
        "2",
    )
    # Establishments (2.xxx.xxx.xxx) stay out, and NACE 2003 too.
    assert set(RegisteredName.objects.filter(enterprise=wery).values_list("kind", "name")) == {
        ("001", "Boulangerie Wéry"),
        ("003", "Pains & Co"),
    }
    office = RegisteredAddress.objects.get(enterprise=wery)
    assert (office.kind, office.zipcode, office.street, office.country_fr, office.struck_off) == (
        "REGO",
        "4000",
        "Rue Saint-Gilles 58 bte 2",
        "",
        None,
    )
    assert set(
        RegisteredActivity.objects.filter(enterprise=wery).values_list(
            "nace_version", "nace_code", "classification"
        )
    ) == {("2008", "10711", "MAIN"), ("2025", "10711", "MAIN"), ("2025", "47240", "SECO")}
    assert not RegisteredAddress.objects.filter(enterprise_id="0712345608").exists()
    owners = set(RegisteredName.objects.values_list("enterprise_id", flat=True))
    assert owners == {"0202239951", "0403170701", "0712345608", "0477654371"}
    assert (
        RegisterCode.objects.get(category="JuridicalForm", code="014", language="FR").description
        == "Société anonyme"
    )


def test_the_same_extract_again_changes_nothing(tmp_path):
    path = full_extract(
        tmp_path, number=140, snapshot=date(2026, 10, 2), enterprises=register_of(bakery())
    )
    register_extract_apply(path=path)
    before = {
        model: rows(model)
        for model in (RegisteredEnterprise, RegisteredName, RegisteredAddress, RegisteredActivity)
    }
    written = xmins("companies_registeredenterprise")

    again = register_extract_apply(path=path)

    assert again.extract is None
    assert "already applied" in again.message
    assert RegisterExtract.objects.count() == 1
    assert {model: rows(model) for model in before} == before
    assert xmins("companies_registeredenterprise") == written


def test_a_next_full_extract_with_the_same_content_writes_no_row(tmp_path):
    register_extract_apply(
        path=full_extract(
            tmp_path, number=140, snapshot=date(2026, 10, 2), enterprises=register_of(bakery())
        )
    )
    tables = [
        "companies_registeredenterprise",
        "companies_registeredname",
        "companies_registeredaddress",
        "companies_registeredactivity",
    ]
    written = {table: xmins(table) for table in tables}

    outcome = register_extract_apply(
        path=full_extract(
            tmp_path, number=170, snapshot=date(2026, 11, 6), enterprises=register_of(bakery())
        )
    )

    assert outcome.extract.changed == 0
    assert {table: xmins(table) for table in tables} == written


def test_a_full_extract_stops_the_enterprises_it_no_longer_lists(tmp_path):
    register_extract_apply(
        path=full_extract(
            tmp_path, number=140, snapshot=date(2026, 10, 2), enterprises=register_of(bakery())
        )
    )
    remaining = [e for e in register_of(bakery()) if e.number != LEAVING]

    outcome = register_extract_apply(
        path=full_extract(tmp_path, number=170, snapshot=date(2026, 11, 6), enterprises=remaining)
    )

    leaving = RegisteredEnterprise.objects.get(number="0477654371")
    assert (leaving.status, leaving.stopped_on, leaving.extract) == ("ST", date(2026, 11, 6), 170)
    assert not RegisteredName.objects.filter(enterprise=leaving).exists()
    assert outcome.extract.changed == 1
    assert outcome.extract.enterprises == 3


def test_update_extracts_replace_what_changed_and_stop_who_left(tmp_path):
    register_extract_apply(
        path=full_extract(
            tmp_path, number=140, snapshot=date(2026, 10, 2), enterprises=register_of(bakery())
        )
    )
    moved = bakery(
        names=[("1", "001", "Boulangerie Wéry & Fils")],
        office={
            "zipcode": "5000",
            "municipality_fr": "Namur",
            "municipality_nl": "Namen",
            "street_fr": "Rue de Fer",
            "street_nl": "Rue de Fer",
            "house_number": "3",
            "box": "",
        },
    )
    newcomer = Enterprise(
        "0500.000.053",
        names=[("3", "001", "Eupener Daten GmbH")],
        office={
            "zipcode": "4700",
            "municipality_fr": "Eupen",
            "municipality_nl": "Eupen",
            "street_fr": "Aachener Straße",
            "street_nl": "Aachener Straße",
            "house_number": "1",
            "box": "",
        },
    )

    outcome = register_extract_apply(
        path=update_extract(
            tmp_path,
            number=141,
            snapshot=date(2026, 10, 3),
            changed=[moved, newcomer],
            stopped=[LEAVING],
        )
    )

    assert outcome.extract.kind == RegisterExtract.Kind.UPDATE
    assert list(
        RegisteredName.objects.filter(enterprise_id="0202239951").values_list("name", flat=True)
    ) == ["Boulangerie Wéry & Fils"]
    assert RegisteredAddress.objects.get(enterprise_id="0202239951").street == "Rue de Fer 3"
    assert RegisteredEnterprise.objects.get(number="0500000053").status == "AC"
    assert RegisteredAddress.objects.get(enterprise_id="0500000053").street == "Aachener Straße 1"
    leaving = RegisteredEnterprise.objects.get(number="0477654371")
    assert (leaving.status, leaving.stopped_on) == ("ST", date(2026, 10, 3))
    assert RegisteredName.objects.filter(enterprise_id="0403170701").count() == 2  # untouched
    # The rows of enterprises written: the newcomer and the one that left (the bakery's own row,
    # its form and start date, did not change: only its name and office did).
    assert outcome.extract.changed == 2


def test_an_update_that_does_not_follow_the_last_extract_is_refused(tmp_path):
    with pytest.raises(RegisterError, match="a full extract is needed first"):
        register_extract_apply(
            path=update_extract(
                tmp_path, number=141, snapshot=date(2026, 10, 3), changed=[bakery()]
            )
        )
    register_extract_apply(
        path=full_extract(
            tmp_path, number=140, snapshot=date(2026, 10, 2), enterprises=register_of(bakery())
        )
    )

    with pytest.raises(RegisterError, match="extract 141 is needed first"):
        register_extract_apply(
            path=update_extract(
                tmp_path, number=142, snapshot=date(2026, 10, 4), changed=[bakery()]
            )
        )

    assert list(RegisterExtract.objects.values_list("number", flat=True)) == [140]


def test_a_file_whose_columns_changed_is_refused_and_nothing_is_applied(tmp_path):
    import zipfile

    path = full_extract(
        tmp_path, number=140, snapshot=date(2026, 10, 2), enterprises=register_of(bakery())
    )
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "address.csv":
                data = data.replace(b'"Zipcode",', b'"PostalCode",', 1)
            target.writestr(info, data)

    with pytest.raises(ExtractError, match=r"address\.csv has the columns"):
        register_extract_apply(path=broken)

    assert not RegisterExtract.objects.exists()
    assert not RegisteredEnterprise.objects.exists()


def test_a_folder_is_applied_from_its_newest_full_extract_then_its_updates(tmp_path):
    full_extract(tmp_path, number=136, snapshot=date(2026, 9, 4), enterprises=register_of())
    update_extract(tmp_path, number=137, snapshot=date(2026, 9, 5), changed=[bakery()])
    full_extract(
        tmp_path, number=140, snapshot=date(2026, 10, 2), enterprises=register_of(bakery())
    )
    update_extract(tmp_path, number=142, snapshot=date(2026, 10, 4), stopped=[SOFTWARE])
    update_extract(
        tmp_path, number=141, snapshot=date(2026, 10, 3), changed=[bakery(juridical_form="610")]
    )
    (tmp_path / "notes.txt").write_text("not an extract")

    outcomes = register_folder_import(folder=tmp_path)

    assert [o.extract.number for o in outcomes] == [140, 141, 142]
    assert RegisteredEnterprise.objects.get(number="0202239951").juridical_form == "610"
    assert RegisteredEnterprise.objects.get(number="0403170701").status == "ST"
    assert register_folder_import(folder=tmp_path) == []


def test_organisations_are_marked_when_they_match_the_register(tmp_path):
    matching = OrganisationFactory(
        enterprise_number="0202239951",
        name="Boulangerie Wéry",
        street="Rue Saint-Gilles 58 bte 2",
        postcode="4000",
    )
    other = OrganisationFactory(
        enterprise_number="0403170701", name="Un autre nom", postcode="4000"
    )
    register_extract_apply(
        path=full_extract(
            tmp_path, number=140, snapshot=date(2026, 10, 2), enterprises=register_of(bakery())
        )
    )

    assert Organisation.objects.get(pk=matching.pk).register_matched_on == date(2026, 10, 2)
    assert Organisation.objects.get(pk=other.pk).register_matched_on is None

    # The register moves the bakery: the organisation keeps the date it last matched.
    moved = bakery(
        office={
            "zipcode": "5000",
            "municipality_fr": "Namur",
            "municipality_nl": "Namen",
            "street_fr": "Rue de Fer",
            "street_nl": "Rue de Fer",
            "house_number": "3",
            "box": "",
        }
    )
    register_extract_apply(
        path=update_extract(tmp_path, number=141, snapshot=date(2026, 10, 3), changed=[moved])
    )

    assert Organisation.objects.get(pk=matching.pk).register_matched_on == date(2026, 10, 2)


def test_the_command_applies_zips_and_says_what_it_did(tmp_path, capsys):
    path = full_extract(
        tmp_path, number=140, snapshot=date(2026, 10, 2), enterprises=register_of(bakery())
    )

    call_command("import_register", str(path))
    call_command("import_register", "--folder", str(tmp_path))

    out = capsys.readouterr().out
    assert "full extract 140 of 2026-10-02 applied" in out
    assert "No new extract." in out
    with pytest.raises(CommandError, match="is needed first"):
        call_command(
            "import_register", str(update_extract(tmp_path, number=150, snapshot=date(2026, 10, 9)))
        )
