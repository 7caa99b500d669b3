"""The enterprise register fills the organisation in (docs/domain.md, The enterprise register):
with a register loaded, a new organisation takes its official name, registered office, NACE
codes, legal form and start date from it, and an unknown or stopped number is refused; without
one (the embedded demo), the form works as before. Staff see when an organisation last matched
it. The register's rows are written here as the import leaves them (the import itself, which
needs PostgreSQL, is tested in tests/services/test_register_import.py)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from companies.models import (
    Organisation,
    RegisterCode,
    RegisteredActivity,
    RegisteredAddress,
    RegisteredEnterprise,
    RegisteredName,
    RegisterExtract,
)
from companies.services import organisations_match_register, ownership_claim_create
from tests.auth import login, login_staff
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db

NUMBER = "0202239951"
SNAPSHOT = date(2026, 10, 2)
CREATE = "companies:organisation_create"


def load_register(number: int = 140) -> RegisterExtract:
    RegisterCode.objects.get_or_create(
        category="JuridicalForm", code="014", language="FR", description="Société anonyme"
    )
    RegisterCode.objects.get_or_create(
        category="JuridicalForm", code="014", language="DE", description="Aktiengesellschaft"
    )
    return RegisterExtract.objects.create(
        number=number, kind="full", snapshot_date=SNAPSHOT, file_name="KboOpenData_0140.zip"
    )


def registered(
    number: str = NUMBER,
    *,
    names=(("1", "Boulangerie Wéry"), ("2", "Bakkerij Wéry")),
    office=("4000", "Rue Saint-Gilles 58 bte 2", "Liège"),
    status: str = "AC",
    stopped_on=None,
    activities=(("2025", "10711", "MAIN"), ("2025", "47240", "SECO"), ("2008", "10711", "MAIN")),
) -> RegisteredEnterprise:
    enterprise = RegisteredEnterprise.objects.create(
        number=number,
        status=status,
        juridical_situation="000",
        type_of_enterprise="2",
        juridical_form="014",
        start_date=date(1998, 5, 4),
        stopped_on=stopped_on,
        extract=140,
    )
    for language, name in names:
        RegisteredName.objects.create(
            enterprise=enterprise, language=language, kind="001", name=name
        )
    RegisteredName.objects.create(
        enterprise=enterprise, language="1", kind="003", name="Pains & Co"
    )
    if office:
        zipcode, street, municipality = office
        RegisteredAddress.objects.create(
            enterprise=enterprise,
            kind="REGO",
            zipcode=zipcode,
            street=street,
            municipality_fr=municipality,
        )
    for version, code, classification in activities:
        RegisteredActivity.objects.create(
            enterprise=enterprise,
            group="001",
            nace_version=version,
            nace_code=code,
            classification=classification,
        )
    return enterprise


def figures(**fields) -> dict:
    data = {
        "enterprise_number": "BE 0202.239.951",
        "kind": "sme",
        "headcount": "30",
        "turnover": "1200000",
        "balance_sheet": "800000",
    }
    return data | fields


def refusal_code(response, field: str = "enterprise_number") -> str:
    return response.context["form"].errors.as_data()[field][0].code


# --- Without a register (the embedded demo, a new installation) ---------------------------------


def test_without_a_register_the_form_takes_what_is_typed_as_before(client):
    login(client, UserFactory())
    registered()  # rows without an extract applied: the register is not loaded

    response = client.post(
        reverse(CREATE),
        figures(name="Mon Atelier SRL", street="Rue Haute 1", postcode="5000", nace_codes="62.010"),
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.municipality, organisation.sector) == (
        "Mon Atelier SRL",
        "Namur",
        "J",
    )
    assert (organisation.legal_form, organisation.founded_on) == ("", None)
    assert organisation.register_matched_on is None


def test_without_a_register_the_name_and_address_are_still_required(client):
    login(client, UserFactory())

    response = client.post(reverse(CREATE), figures())

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "street", "postcode"}


# --- With the register loaded ---------------------------------------------------------------------


def test_the_register_fills_in_name_office_nace_legal_form_and_start_date(client):
    load_register()
    registered()
    login(client, UserFactory())

    response = client.post(reverse(CREATE), figures())

    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.name == "Boulangerie Wéry"  # the French official name
    assert (organisation.street, organisation.postcode) == ("Rue Saint-Gilles 58 bte 2", "4000")
    assert (organisation.municipality, organisation.province) == ("Liège", "liege")
    assert organisation.nace_codes == ["10.711", "47.240"]  # NACE-BEL 2025, main first
    assert organisation.sector == "C"
    assert (organisation.legal_form, organisation.founded_on) == ("014", date(1998, 5, 4))
    assert organisation.register_matched_on == SNAPSHOT


def test_what_is_typed_gives_way_to_the_register(client):
    load_register()
    registered()
    login(client, UserFactory())

    response = client.post(
        reverse(CREATE),
        figures(name="Nom inventé", street="Rue Fausse 1", postcode="9999", nace_codes="01.110"),
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.postcode, organisation.nace_codes[0]) == (
        "Boulangerie Wéry",
        "4000",
        "10.711",
    )


def test_the_form_page_says_where_the_data_comes_from_and_offers_the_lookup(client):
    load_register()
    login(client, UserFactory())

    response = client.get(reverse(CREATE))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-register-lookup="/api/v1/enterprise-register/NUMBER/"' in page
    assert 'id="register-entry" role="status" aria-live="polite"' in page
    assert "js/register-lookup.js" in page
    assert next(iter(response.context["form"].fields)) == "enterprise_number"


def test_a_number_the_register_does_not_list_is_refused(client):
    load_register()
    login(client, UserFactory())

    response = client.post(reverse(CREATE), figures(name="X SRL", street="Rue 1", postcode="4000"))

    assert response.status_code == 200
    assert refusal_code(response) == "not_in_register"
    message = response.context["form"].errors["enterprise_number"][0]
    assert "0202.239.951" in message
    assert not Organisation.objects.exists()


def test_a_stopped_enterprise_is_refused_with_the_date_it_stopped(client):
    load_register()
    registered(status="ST", stopped_on=date(2026, 9, 4))
    login(client, UserFactory())

    with translation.override("fr"):
        response = client.post(reverse(CREATE), figures())

    assert response.status_code == 200
    assert refusal_code(response) == "stopped"
    assert "0202.239.951" in response.context["form"].errors["enterprise_number"][0]
    assert not Organisation.objects.exists()


def test_a_natural_persons_seat_is_not_public_so_the_address_is_typed(client):
    load_register()
    registered(names=(("1", "Dupont Julie"),), office=None)
    login(client, UserFactory())

    missing = client.post(reverse(CREATE), figures())
    assert missing.status_code == 200
    assert set(missing.context["form"].errors) == {"street", "postcode"}

    response = client.post(reverse(CREATE), figures(street="Rue Haute 1", postcode="5000"))

    assert response.status_code == 302
    assert Organisation.objects.get().name == "Dupont Julie"


def test_the_register_does_not_change_an_organisation_its_owner_edits(client):
    load_register()
    registered()
    owner = UserFactory()
    organisation = OrganisationFactory(enterprise_number=NUMBER, name="Boulangerie Wéry")
    make_member(organisation, owner)
    login(client, owner)

    response = client.post(
        reverse("companies:organisation_edit", args=[organisation.pk]),
        figures(name="Wéry Pains", street="Rue Neuve 2", postcode="4000", nace_codes="10.711"),
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Wéry Pains"
    assert organisation.register_matched_on is None  # it never matched the register
    assert organisation.legal_form == "014"


# --- The lookup of the form's script ----------------------------------------------------------------


def lookup(client, number: str):
    return client.get(reverse("api:enterprise-register", args=[number]))


def test_the_lookup_gives_what_the_form_fills_in(client):
    load_register()
    registered()
    login(client, UserFactory())

    response = lookup(client, "BE0202239951")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert body | {"legal_form_label": "", "province": ""} == {
        "number": "0202.239.951",
        "active": True,
        "message": "",
        "name": "Boulangerie Wéry",
        "legal_form": "014",
        "legal_form_label": "",
        "start_date": "1998-05-04",
        "street": "Rue Saint-Gilles 58 bte 2",
        "postcode": "4000",
        "municipality": "Liège",
        "province": "",
        "nace_codes": ["10.711", "47.240"],
        "sector": "C",
        "sector_label": body["sector_label"],
        "register_date": "2026-10-02",
    }
    assert body["legal_form_label"] == "Société anonyme"


def test_the_lookup_gives_the_legal_form_in_the_users_language(client):
    load_register()
    registered()
    login(client, UserFactory(language="de"))

    response = client.get(
        reverse("api:enterprise-register", args=[NUMBER]), HTTP_ACCEPT_LANGUAGE="de"
    )

    assert response.status_code == 200
    assert response.json()["legal_form_label"] == "Aktiengesellschaft"


@pytest.mark.parametrize(
    ("number", "status", "code"),
    [
        ("0202239951", 404, "not_in_register"),
        ("0202239952", 400, "check_digits"),
        ("٠٢٠٢٢٣٩٩٥١", 400, "not_digits"),
        ("0202239951\x00", 400, "not_digits"),
        ("9" * 5000, 400, "length"),
    ],
)
def test_the_lookup_refuses_what_it_cannot_answer(client, number, status, code):
    load_register()
    login(client, UserFactory())

    response = lookup(client, number)

    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == code


def test_a_stopped_enterprise_is_answered_inactive_with_the_forms_words(client):
    load_register()
    registered(status="ST", stopped_on=date(2026, 9, 4))
    login(client, UserFactory())

    response = lookup(client, NUMBER)

    assert response.status_code == 200
    assert response.json()["active"] is False
    assert "0202.239.951" in response.json()["message"]


def test_the_lookup_says_when_no_register_is_loaded(client):
    registered()
    login(client, UserFactory())

    response = lookup(client, NUMBER)

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "register_not_loaded"


def test_the_lookup_is_for_signed_in_users_and_throttled(client):
    load_register()
    registered()

    assert lookup(client, NUMBER).status_code == 401
    login(client, UserFactory())
    answers = [lookup(client, NUMBER).status_code for _ in range(31)]

    assert answers[:30] == [200] * 30
    assert answers[30] == 429


# --- What staff see -----------------------------------------------------------------------------


def test_an_import_marks_the_organisations_that_match_it():
    extract = load_register()
    registered()
    matching = OrganisationFactory(
        enterprise_number=NUMBER, name="BOULANGERIE  wéry", street="Rue Saint-Gilles 58 bte 2"
    )
    other = OrganisationFactory(name="Autre nom")

    assert organisations_match_register(extract=extract) == 1

    assert Organisation.objects.get(pk=matching.pk).register_matched_on == SNAPSHOT
    assert Organisation.objects.get(pk=other.pk).register_matched_on is None


def test_the_ownership_claim_page_shows_the_register_to_staff(client):
    load_register()
    registered()
    organisation = OrganisationFactory(enterprise_number=NUMBER, name="Wéry squatté")
    make_member(organisation)
    claim = ownership_claim_create(
        enterprise_number=NUMBER, claimant=UserFactory(), message="Je suis le gérant."
    )
    login_staff(client, staff("programme manager", "START"))

    response = client.get(reverse("companies:staff_claim_detail", args=[claim.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Boulangerie Wéry · Bakkerij Wéry" in page
    assert "Société anonyme" in page
    assert "Rue Saint-Gilles 58 bte 2, 4000 Liège" in page
    assert "10.711, 47.240" in page
    assert response.context["comparison"].differences == ("name", "address")


def test_the_organisation_admin_shows_when_it_last_matched_the_register(client):
    load_register()
    registered()
    organisation = OrganisationFactory(enterprise_number=NUMBER, register_matched_on=SNAPSHOT)
    login_staff(client, staff("administrator", is_superuser=True))

    response = client.get(reverse("admin:companies_organisation_change", args=[organisation.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Boulangerie Wéry" in page
    assert "text-bg-warning" in page  # its name differs today
    assert response.context["adminform"].form.instance.register_matched_on == SNAPSHOT
