"""Odd numbers and odd bodies in the SME declaration (staff in FTE, amounts, shares): a clear
field error or a 400, never a 500 and never a number guessed. Pages read numbers the way the
language writes them; the API takes JSON numbers, or strings that are plain numbers."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from companies.models import Organisation, RelatedEnterprise
from tests.auth import login
from tests.factories import OrganisationFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned():
    organisation = OrganisationFactory(enterprise_number="0403170701")
    return organisation, make_member(organisation)


def registration(**overrides) -> dict:
    return {
        "name": "Atelier Numérique SRL",
        "enterprise_number": "0566.988.259",
        "kind": "sme",
        "street": "Rue de la Gare 3",
        "postcode": "5000",
        "headcount": "12",
        "turnover": "1 000 000",
        "balance_sheet": "",
        "nace_codes": "",
        "website": "",
        "phone": "",
    } | overrides


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("headcount", "١٨", "odd_characters"),  # Arabic-Indic digits
        ("headcount", "\uff11\uff18", "odd_characters"),  # full-width digits
        ("headcount", "18\x00", "odd_characters"),
        ("headcount", "1e309", "odd_characters"),
        ("headcount", "9" * 40, "too_long"),
        ("headcount", "1000000", "max_whole_digits"),  # eight digits, two of them decimals
        ("headcount", "18,555", "max_decimal_places"),
        ("turnover", "99 999 999 999 999", "max_whole_digits"),
        ("turnover", "1,100.000", "invalid"),
        ("turnover", "-5", "min_value"),
    ],
)
def test_odd_figures_on_the_registration_page_are_field_errors(client, user, field, value, code):
    login(client, user)

    response = client.post(reverse("companies:organisation_create"), registration(**{field: value}))

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()[field]] == [code]
    assert not Organisation.objects.exists()


def structure_post(**row) -> dict:
    values = {
        "name": "Partenaire SA",
        "enterprise_number": "0202.239.951",
        "relation": "partner",
        "share": "30",
        "headcount": "12",
        "turnover": "1 000 000",
    } | row
    return {
        "public_body_share": "0",
        "public_body_exception": "",
        "related-TOTAL_FORMS": "1",
        "related-INITIAL_FORMS": "0",
        "related-MIN_NUM_FORMS": "0",
        "related-MAX_NUM_FORMS": "30",
        **{f"related-0-{name}": value for name, value in values.items()},
    }


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("share", "\uff13\uff10", "odd_characters"),
        ("share", "30\x00", "odd_characters"),
        ("share", "1" * 40, "too_long"),
        ("headcount", "1e400", "odd_characters"),
        ("name", "Partenaire\x00SA", "null_characters_not_allowed"),
        (
            "enterprise_number",
            "\uff10\uff12\uff10\uff12\uff12\uff13\uff19\uff19\uff15\uff11",
            "not_digits",
        ),
    ],
)
def test_odd_values_on_the_enterprises_page_are_field_errors(client, owned, field, value, code):
    organisation, owner = owned
    login(client, owner)
    url = reverse("companies:organisation_structure", args=[organisation.pk])

    response = client.post(url, structure_post(**{field: value}))

    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors.as_data()
    assert code in [e.code for e in errors[field]]
    assert not RelatedEnterprise.objects.exists()


@pytest.mark.parametrize(
    "management",
    [
        {"related-TOTAL_FORMS": "999999999"},
        {"related-TOTAL_FORMS": "x"},
        {"related-TOTAL_FORMS": None},  # no management form at all
    ],
)
def test_a_tampered_list_of_enterprises_is_refused_not_a_500(client, owned, management):
    organisation, owner = owned
    login(client, owner)
    data = structure_post() | management
    data = {key: value for key, value in data.items() if value is not None}
    if management["related-TOTAL_FORMS"] is None:
        data = {key: value for key, value in data.items() if "FORMS" not in key}

    response = client.post(
        reverse("companies:organisation_structure", args=[organisation.pk]), data
    )

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()
    assert not RelatedEnterprise.objects.exists()


# ---------------------------------------------------------------------------------------------
# The API


def declaration(**overrides) -> dict:
    return {
        "headcount": 12,
        "turnover": 1_000_000,
        "balance_sheet": None,
        "related_enterprises": [],
    } | overrides


def put(owner, organisation, body, *, raw: str | None = None):
    api = APIClient()
    api.force_authenticate(owner)
    return api.put(
        f"/api/v1/me/organisations/{organisation.pk}/sme/",
        raw if raw is not None else json.dumps(body),
        content_type="application/json",
    )


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("18,5", "not_plain"),  # a localised string: never read as 185
        ("1.100.000", "not_plain"),
        ("1 100 000", "not_plain"),
        ("1e3", "not_plain"),
        (" 18", "not_plain"),
        ("١٨", "not_plain"),
        ("18\x00", "not_plain"),
        (True, "not_plain"),
        ([18], "not_plain"),
        ({"value": 18}, "not_plain"),
        (10**30, "max_digits"),
        (1e300, "max_digits"),
        (18.555, "max_decimal_places"),
        (-1, "min_value"),
    ],
)
def test_the_api_refuses_staff_that_is_not_a_plain_number(owned, value, code):
    organisation, owner = owned

    response = put(owner, organisation, declaration(headcount=value))

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("headcount", code)]
    organisation.refresh_from_db()
    assert organisation.headcount == 12


@pytest.mark.parametrize(("value", "stored"), [(18.5, "18.5"), ("18.5", "18.5"), (18, "18")])
def test_the_api_takes_json_numbers_and_plain_number_strings(owned, value, stored):
    organisation, owner = owned

    response = put(owner, organisation, declaration(headcount=value))

    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.headcount == Decimal(stored)


@pytest.mark.parametrize(
    "raw",
    [
        '{"headcount": NaN, "turnover": 1, "balance_sheet": null}',
        '{"headcount": Infinity, "turnover": 1, "balance_sheet": null}',
        '{"headcount": 1e400, "turnover": 1, "balance_sheet": null}',
    ],
)
def test_the_api_refuses_numbers_json_cannot_hold(owned, raw):
    organisation, owner = owned

    response = put(owner, organisation, None, raw=raw)

    assert response.status_code == 400
    organisation.refresh_from_db()
    assert organisation.headcount == 12


def test_the_api_refuses_a_localised_share_in_a_row(owned):
    organisation, owner = owned
    row = {
        "name": "Partenaire SA",
        "enterprise_number": "0202.239.951",
        "relation": "partner",
        "share": "30,5",
        "headcount": 12,
        "turnover": 1_000_000,
    }

    response = put(owner, organisation, declaration(related_enterprises=[row]))

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("related_enterprises.0.share", "not_plain")
    ]
    assert not RelatedEnterprise.objects.exists()


def test_the_api_refuses_a_list_that_is_not_a_list(owned):
    organisation, owner = owned

    response = put(owner, organisation, declaration(related_enterprises="abc"))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "related_enterprises"
