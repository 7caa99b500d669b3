"""Declaring what the EU SME definition counts, through the pages and the API with the same
rules: the organisation's own staff in full-time equivalents and figures (its details), its
partner and linked enterprises and public bodies' share (their own page, or
/api/v1/me/organisations/{id}/sme/). The size class follows; an organisation whose declared
kind disagrees with it is flagged to staff and fails an SME-only call."""

import importlib
import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from adn_portal.lib.decimals import format_decimal
from applications.eligibility import run_checks
from companies import services
from companies.models import (
    Organisation,
    OrganisationKind,
    PublicBodyException,
    RelatedEnterprise,
    SizeClass,
)
from programs.models import EligibilityRule
from tests.auth import login, login_staff
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.fixtures.staff import scored_call, staff, submitted_file

pytestmark = pytest.mark.django_db

D = Decimal
OWN_NUMBER = "0403170701"
PARTNER_NUMBER = "0202.239.951"
LINKED_NUMBER = "0566.988.259"


def organisation_with(**fields) -> Organisation:
    """An SME of 30 staff (full-time equivalents), its class derived as a registration's."""
    values = {
        "enterprise_number": OWN_NUMBER,
        "kind": OrganisationKind.SME,
        "headcount": D(30),
        "turnover": D(4_000_000),
        "balance_sheet": None,
    } | fields
    organisation = OrganisationFactory(**values)
    services.organisations._derive(organisation)
    organisation.save()
    return organisation


@pytest.fixture
def organisation():
    return organisation_with()


@pytest.fixture
def owner(organisation):
    return make_member(organisation)


def partner(**overrides) -> dict:
    return {
        "name": "Partenaire SA",
        "enterprise_number": PARTNER_NUMBER,
        "foreign": False,
        "relation": "partner",
        "share": D(30),
        "headcount": D("20.5"),
        "turnover": D(3_000_000),
        "balance_sheet": None,
    } | overrides


def linked(**overrides) -> dict:
    return {
        "name": "Maison Mère SA",
        "enterprise_number": LINKED_NUMBER,
        "foreign": False,
        "relation": "linked",
        "share": D("50.01"),
        "headcount": D(300),
        "turnover": D(60_000_000),
        "balance_sheet": D(50_000_000),
    } | overrides


# ---------------------------------------------------------------------------------------------
# The two ways in: the page's post, and the API's JSON


def page_post(rows: list[dict], *, initial: int = 0, **structure) -> dict:
    """The page's form as a French browser posts it."""
    data = {
        "public_body_share": _typed(structure.get("public_body_share", D(0))),
        "public_body_exception": structure.get("public_body_exception", ""),
        "related-TOTAL_FORMS": str(len(rows)),
        "related-INITIAL_FORMS": str(initial),
        "related-MIN_NUM_FORMS": "0",
        "related-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if name == "foreign":
                if value:
                    data[f"related-{index}-foreign"] = "on"
            elif name == "DELETE":
                data[f"related-{index}-DELETE"] = "on"
            else:
                data[f"related-{index}-{name}"] = _typed(value)
    return data


def _typed(value) -> str:
    if value is None:
        return ""
    return format_decimal(value, language="fr") if isinstance(value, Decimal) else str(value)


def api_body(organisation: Organisation, rows: list[dict], **structure) -> dict:
    """The same declaration as JSON: numbers are JSON numbers."""

    def number(value):
        return float(value) if isinstance(value, Decimal) else value

    return {
        "headcount": number(organisation.headcount),
        "turnover": number(organisation.turnover),
        "balance_sheet": number(organisation.balance_sheet),
        "estimated_figures": organisation.estimated_figures,
        "public_body_share": number(structure.get("public_body_share", D(0))),
        "public_body_exception": structure.get("public_body_exception", ""),
        "related_enterprises": [{k: number(v) for k, v in row.items()} for row in rows],
    }


def structure_url(organisation) -> str:
    return reverse("companies:organisation_structure", args=[organisation.pk])


def api_url(organisation) -> str:
    return f"/api/v1/me/organisations/{organisation.pk}/sme/"


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def api_put(user, organisation, body):
    return api_as(user).put(
        api_url(organisation), json.dumps(body), content_type="application/json"
    )


def stored_rows(organisation) -> list[tuple]:
    return list(
        RelatedEnterprise.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list("name", "enterprise_number", "relation", "share", "headcount", "turnover")
    )


# ---------------------------------------------------------------------------------------------
# The page


def test_an_owner_declares_partner_and_linked_enterprises_on_their_page(
    client, organisation, owner
):
    login(client, owner)

    response = client.post(structure_url(organisation), page_post([partner(), linked()]))

    assert response.status_code == 302
    assert response.url == organisation.get_absolute_url()
    assert stored_rows(organisation) == [
        ("Partenaire SA", "0202239951", "partner", D(30), D("20.5"), D(3_000_000)),
        ("Maison Mère SA", "0566988259", "linked", D("50.01"), D(300), D(60_000_000)),
    ]
    organisation.refresh_from_db()
    # 30 + 30 % of 20.5 + 300 = 336.15 staff: large.
    assert organisation.size_class == SizeClass.LARGE


def test_the_page_shows_declared_enterprises_in_french_and_saves_them_unchanged(
    client, organisation, owner
):
    services.organisation_declare_structure(
        organisation=organisation,
        public_body_share=D(0),
        public_body_exception="",
        related=[partner()],
        by=owner,
    )
    login(client, owner)

    page = client.get(structure_url(organisation))

    assert page.status_code == 200
    assert 'value="20,5"' in page.content.decode()
    assert 'value="3 000 000"' in page.content.decode()
    again = client.post(structure_url(organisation), page_post([partner()], initial=1))
    assert again.status_code == 302
    assert stored_rows(organisation) == [
        ("Partenaire SA", "0202239951", "partner", D(30), D("20.5"), D(3_000_000))
    ]


def test_a_row_marked_for_removal_is_removed_and_the_class_follows(client, organisation, owner):
    services.organisation_declare_structure(
        organisation=organisation,
        public_body_share=D(0),
        public_body_exception="",
        related=[linked()],
        by=owner,
    )
    login(client, owner)

    response = client.post(structure_url(organisation), page_post([linked(DELETE=True)], initial=1))

    assert response.status_code == 302
    assert stored_rows(organisation) == []
    organisation.refresh_from_db()
    assert organisation.size_class == SizeClass.SMALL


def test_an_untouched_empty_row_is_ignored(client, organisation, owner):
    login(client, owner)
    empty = {"name": "", "enterprise_number": "", "relation": "", "share": None}

    response = client.post(structure_url(organisation), page_post([empty]))

    assert response.status_code == 302
    assert stored_rows(organisation) == []


def test_a_foreign_enterprise_needs_no_enterprise_number(client, organisation, owner):
    login(client, owner)

    response = client.post(
        structure_url(organisation),
        page_post([partner(name="Nachbar GmbH", enterprise_number="", foreign=True)]),
    )

    assert response.status_code == 302
    assert RelatedEnterprise.objects.get().foreign is True


@pytest.mark.parametrize("who", ["member", "stranger"])
def test_only_owners_reach_the_enterprises_page(client, organisation, who):
    user = make_member(organisation, role="member") if who == "member" else UserFactory()
    login(client, user)

    assert client.get(structure_url(organisation)).status_code == 404
    assert client.post(structure_url(organisation), page_post([linked()])).status_code == 404
    assert stored_rows(organisation) == []


def test_the_organisation_page_links_owners_to_the_enterprises_page(client, organisation, owner):
    login(client, owner)

    response = client.get(organisation.get_absolute_url())

    assert response.status_code == 200
    assert structure_url(organisation) in response.content.decode()


# ---------------------------------------------------------------------------------------------
# The same refusals on the page and through the API


ROW_REFUSALS = [
    # (what is declared, the field named, the code)
    ([partner(share=D(60))], "share", "partner_over_50"),
    ([linked(share=D(50))], "share", "linked_up_to_50"),
    ([partner(share=D("24.99"))], "share", "below_partner"),
    ([partner(share=D(101))], "share", "max_value"),
    ([partner(headcount=D(-1))], "headcount", "min_value"),
    ([partner(enterprise_number="")], "enterprise_number", "number_missing"),
    ([partner(enterprise_number="0202.239.952")], "enterprise_number", "check_digits"),
    ([partner(turnover=None, balance_sheet=None)], "turnover", "figures_missing"),
    ([partner(name="Deux\nlignes")], "name", "newline"),
    ([partner(relation="sister")], "relation", "invalid_choice"),
]
STRUCTURE_REFUSALS = [
    # (rows, structure, the field named on the API, the code)
    ([partner(enterprise_number=OWN_NUMBER)], {}, "related_enterprises", "own_number"),
    (
        [partner(), linked(enterprise_number=PARTNER_NUMBER)],
        {},
        "related_enterprises",
        "duplicate_number",
    ),
    (
        [],
        {"public_body_share": D(10), "public_body_exception": PublicBodyException.UNIVERSITY},
        "public_body_exception",
        "exception_without_control",
    ),
    ([], {"public_body_share": D("100.01")}, "public_body_share", "max_value"),
]


def page_codes(response) -> dict[str, set[str]]:
    """Every error on the page, by field: the public bodies' form, each enterprise's form, and
    the list's own errors (under "related_enterprises", as the API names them)."""
    context = response.context
    codes: dict[str, set[str]] = {}
    forms = [context["public_form"], *context["formset"].forms]
    for form in forms:
        for field, errors in form.errors.as_data().items():
            codes.setdefault(field, set()).update(error.code for error in errors)
    for error in context["formset"].non_form_errors().as_data():
        codes.setdefault("related_enterprises", set()).add(error.code)
    return codes


def api_codes(response) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {}
    for error in response.json()["errors"]:
        field = re.sub(r"^related_enterprises\.[0-9]+\.", "", error["field"] or "")
        codes.setdefault(field, set()).add(error["code"])
    return codes


@pytest.mark.parametrize(("rows", "field", "code"), ROW_REFUSALS)
def test_a_refused_enterprise_is_refused_alike_on_the_page_and_the_api(
    client, organisation, owner, rows, field, code
):
    login(client, owner)

    page = client.post(structure_url(organisation), page_post(rows))
    api = api_put(owner, organisation, api_body(organisation, rows))

    assert page.status_code == 200
    assert code in page_codes(page)[field]
    assert api.status_code == 400
    assert code in api_codes(api)[field]
    assert stored_rows(organisation) == []


@pytest.mark.parametrize(("rows", "structure", "field", "code"), STRUCTURE_REFUSALS)
def test_a_refused_declaration_is_refused_alike_on_the_page_and_the_api(
    client, organisation, owner, rows, structure, field, code
):
    login(client, owner)

    page = client.post(structure_url(organisation), page_post(rows, **structure))
    api = api_put(owner, organisation, api_body(organisation, rows, **structure))

    assert page.status_code == 200
    assert code in page_codes(page)[field]
    assert api.status_code == 400
    assert code in api_codes(api)[field]
    assert stored_rows(organisation) == []
    organisation.refresh_from_db()
    assert organisation.public_body_share == 0


def test_more_enterprises_than_the_limit_are_refused_on_the_page_and_the_api(
    client, organisation, owner
):
    rows = [partner(enterprise_number="", foreign=True, name=f"E{n}") for n in range(31)]
    login(client, owner)

    page = client.post(structure_url(organisation), page_post(rows))
    api = api_put(owner, organisation, api_body(organisation, rows))

    assert page.status_code == 200
    assert page.context["formset"].non_form_errors()
    assert api.status_code == 400
    assert api.json()["errors"][0]["field"] == "related_enterprises"
    assert stored_rows(organisation) == []


# ---------------------------------------------------------------------------------------------
# The API


def test_an_owner_declares_through_the_api_and_reads_the_class_back(organisation, owner):
    body = api_body(organisation, [partner(), linked()]) | {"headcount": 18.5}

    response = api_put(owner, organisation, body)

    assert response.status_code == 200
    data = response.json()
    assert data["size_class"] == "large"
    assert data["headcount"] == 18.5
    # 18.5 + 30 % of 20.5 + 300 = 324.65
    assert data["counted"] == {
        "headcount": 324.65,
        "turnover": 64_900_000.0,
        "balance_sheet": None,
    }
    assert [row["enterprise_number"] for row in data["related_enterprises"]] == [
        PARTNER_NUMBER,
        LINKED_NUMBER,
    ]
    assert api_as(owner).get(api_url(organisation)).json() == data
    assert response["Cache-Control"] == "private, no-store"


def test_what_the_page_declared_the_api_reads_and_what_the_api_declared_the_page_shows(
    client, organisation, owner
):
    login(client, owner)
    client.post(structure_url(organisation), page_post([partner()]))

    read = api_as(owner).get(api_url(organisation)).json()
    assert read["related_enterprises"] == [
        {
            "name": "Partenaire SA",
            "enterprise_number": PARTNER_NUMBER,
            "foreign": False,
            "relation": "partner",
            "share": 30.0,
            "headcount": 20.5,
            "turnover": 3_000_000.0,
            "balance_sheet": None,
        }
    ]
    api_put(owner, organisation, api_body(organisation, [linked()]))
    page = client.get(structure_url(organisation))
    assert page.status_code == 200
    assert "Maison Mère SA" in page.content.decode()
    assert "Partenaire SA" not in page.content.decode()


def test_the_api_refuses_a_member_who_is_not_an_owner_and_hides_other_organisations(
    organisation,
):
    member = make_member(organisation, role="member")
    stranger = UserFactory()

    as_member = api_put(member, organisation, api_body(organisation, [linked()]))
    as_stranger = api_put(stranger, organisation, api_body(organisation, [linked()]))

    assert as_member.status_code == 403
    assert as_stranger.status_code == 404
    assert api_as(stranger).get(api_url(organisation)).status_code == 404
    assert APIClient().get(api_url(organisation)).status_code == 401
    assert stored_rows(organisation) == []


def test_the_api_refuses_fields_it_does_not_take(organisation, owner):
    top = api_put(owner, organisation, api_body(organisation, []) | {"size_class": "micro"})
    nested = api_put(owner, organisation, api_body(organisation, [partner(size="micro")]))

    assert top.status_code == 400
    assert [(e["field"], e["code"]) for e in top.json()["errors"]] == [("size_class", "read_only")]
    assert nested.status_code == 400
    assert [(e["field"], e["code"]) for e in nested.json()["errors"]] == [
        ("related_enterprises.0.size", "read_only")
    ]


# ---------------------------------------------------------------------------------------------
# Own figures in full-time equivalents, typed as the language writes them


def registration(**overrides) -> dict:
    return {
        "name": "Atelier Numérique SRL",
        "enterprise_number": "BE 0566.988.259",
        "kind": "sme",
        "street": "Rue de la Gare 3",
        "postcode": "5000",
        "headcount": "18,5",
        "turnover": "1.100.000",
        "balance_sheet": "1 100 000",
        "nace_codes": "",
        "website": "",
        "phone": "",
    } | overrides


def test_staff_in_fte_and_french_amounts_are_stored_as_typed(client, user):
    login(client, user)

    response = client.post(reverse("companies:organisation_create"), registration())

    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.headcount == D("18.5")
    assert organisation.turnover == D(1_100_000)
    assert organisation.balance_sheet == D(1_100_000)
    assert organisation.size_class == SizeClass.SMALL


@pytest.mark.parametrize(
    ("language", "headcount", "turnover", "balance_sheet"),
    [
        ("en", "18.5", "1,100,000", "1 100 000.50"),
        ("de", "18,5", "1.100.000", "1.100.000,50"),
    ],
)
def test_english_and_german_forms_are_read_in_their_language(
    client, language, headcount, turnover, balance_sheet
):
    login(client, UserFactory(language=language))

    response = client.post(
        reverse("companies:organisation_create"),
        registration(headcount=headcount, turnover=turnover, balance_sheet=balance_sheet),
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert (organisation.headcount, organisation.turnover, organisation.balance_sheet) == (
        D("18.5"),
        D(1_100_000),
        D("1100000.50"),
    )


def test_a_point_in_french_staff_is_refused_not_read_as_185(client, user):
    login(client, user)

    response = client.post(reverse("companies:organisation_create"), registration(headcount="18.5"))

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["headcount"]] == [
        "decimal_mark"
    ]
    assert not Organisation.objects.exists()


def test_the_details_page_shows_fte_in_french_and_keeps_them_when_saved(client, organisation):
    owner = make_member(organisation)
    Organisation.objects.filter(pk=organisation.pk).update(headcount=D("18.5"))
    login(client, owner)
    url = reverse("companies:organisation_edit", args=[organisation.pk])

    page = client.get(url)

    assert page.status_code == 200
    assert 'value="18,5"' in page.content.decode()
    assert 'value="4 000 000"' in page.content.decode()
    saved = client.post(url, registration(headcount="18,5", turnover="4 000 000", balance_sheet=""))
    assert saved.status_code == 302
    organisation.refresh_from_db()
    assert organisation.headcount == D("18.5")


def test_estimates_of_a_young_enterprise_are_recorded_and_shown_to_staff(client, user):
    login(client, user)
    client.post(reverse("companies:organisation_create"), registration(estimated_figures="on"))
    organisation = Organisation.objects.get()
    assert organisation.estimated_figures is True
    assert organisation.size_class == SizeClass.SMALL  # estimates count like closed accounts
    application = submitted_file(organisation=organisation)
    manager = staff("programme manager", "START")
    login_staff(client, manager)

    page = client.get(reverse("applications:staff_application", args=[application.pk]))

    assert page.status_code == 200
    with translation.override("fr"):
        shown = gettext("from estimates: no closed accounts yet")
    assert shown in page.content.decode()


# ---------------------------------------------------------------------------------------------
# The declared kind against the computed class


def test_an_sme_with_400_staff_is_flagged_on_the_staff_file_page(client):
    organisation = organisation_with(headcount=D(400))
    application = submitted_file(organisation=organisation)
    manager = staff("programme manager", "START")
    login_staff(client, manager)

    response = client.get(reverse("applications:staff_application", args=[application.pk]))

    assert response.status_code == 200
    assert organisation.size_class == SizeClass.LARGE
    assert str(organisation.kind_conflict) in response.content.decode()


def test_a_consistent_organisation_is_not_flagged(client):
    organisation = organisation_with()
    application = submitted_file(organisation=organisation)
    login_staff(client, staff("programme manager", "START"))

    response = client.get(reverse("applications:staff_application", args=[application.pk]))

    assert response.status_code == 200
    assert organisation.kind_conflict == ""
    with translation.override("fr"):
        flag = gettext("Kind and size disagree:")
    assert flag not in response.content.decode()


def test_the_admin_shows_and_filters_organisations_whose_kind_and_size_disagree(client):
    flagged = organisation_with(name="Trop Grande SRL", headcount=D(400))
    organisation_with(name="Vraie PME SRL", enterprise_number="0202239951")
    large = organisation_with(
        name="Petite SA", enterprise_number="0566988259", kind=OrganisationKind.LARGE_COMPANY
    )
    administrator = UserFactory(is_staff=True, is_superuser=True)
    login_staff(client, administrator)

    listing = client.get(reverse("admin:companies_organisation_changelist") + "?kind_conflict=yes")
    change = client.get(reverse("admin:companies_organisation_change", args=[flagged.pk]))

    assert listing.status_code == 200
    assert [o.name for o in listing.context["cl"].result_list] == ["Petite SA", "Trop Grande SRL"]
    assert str(flagged.kind_conflict) in listing.content.decode()
    assert str(large.kind_conflict) in listing.content.decode()
    assert change.status_code == 200
    assert str(flagged.kind_conflict) in change.content.decode()


def test_an_sme_whose_linked_enterprise_makes_it_large_fails_an_sme_only_call(owner):
    organisation = owner.organisations.get()
    services.organisation_declare_structure(
        organisation=organisation,
        public_body_share=D(0),
        public_body_exception="",
        related=[linked()],
        by=owner,
    )
    organisation.refresh_from_db()
    call = scored_call(eligibility_rules=[EligibilityRule.SME_SIZE], audiences=["sme"])
    application = submitted_file(call, organisation=organisation, applicant=owner)

    with translation.override("en"):
        check = run_checks(application, now=timezone.now())[-1]

    assert (check.rule, check.passed) == (EligibilityRule.SME_SIZE, False)
    assert check.message == (
        "This call is for SMEs. Your organisation is registered as an SME, but with its staff "
        "and figures, partner and linked enterprises included, it is a large enterprise under "
        "the European definition."
    )
    assert organisation.kind_conflict


def test_an_organisation_held_by_public_bodies_fails_an_sme_only_call_and_is_told_where(owner):
    organisation = owner.organisations.get()
    services.organisation_declare_structure(
        organisation=organisation,
        public_body_share=D("30"),
        public_body_exception="",
        related=[],
        by=owner,
    )
    organisation.refresh_from_db()
    call = scored_call(eligibility_rules=[EligibilityRule.SME_SIZE], audiences=["sme"])
    application = submitted_file(call, organisation=organisation, applicant=owner)

    with translation.override("en"):
        check = run_checks(application, now=timezone.now())[-1]

    assert (check.rule, check.passed) == (EligibilityRule.SME_SIZE, False)
    assert check.message.startswith("This call is for SMEs. Public bodies hold 30% of your")
    assert check.fix_url == structure_url(organisation)
    assert organisation.size_class == SizeClass.PUBLIC_CONTROL


def test_a_university_spin_off_held_30_percent_stays_an_sme(owner):
    organisation = owner.organisations.get()
    services.organisation_declare_structure(
        organisation=organisation,
        public_body_share=D("30"),
        public_body_exception=PublicBodyException.UNIVERSITY,
        related=[],
        by=owner,
    )
    organisation.refresh_from_db()
    call = scored_call(eligibility_rules=[EligibilityRule.SME_SIZE], audiences=["sme"])
    application = submitted_file(call, organisation=organisation, applicant=owner)

    check = run_checks(application, now=timezone.now())[-1]

    assert (check.rule, check.passed) == (EligibilityRule.SME_SIZE, True)


# ---------------------------------------------------------------------------------------------
# Stored classes


def test_the_data_migration_recomputes_stored_size_classes():
    stale = organisation_with(headcount=D("9.5"), turnover=D(1_000_000))
    Organisation.objects.filter(pk=stale.pk).update(size_class=SizeClass.LARGE)
    migration = importlib.import_module("companies.migrations.0007_recompute_size_classes")

    migration.recompute(apps, None)

    stale.refresh_from_db()
    assert stale.size_class == SizeClass.MICRO


def test_a_replayed_declaration_answers_the_same_json_numbers_as_the_first_time(
    organisation, owner
):
    """A repeat under the same Idempotency-Key is answered from the stored body: its decimals
    stay JSON numbers, as the schema says (they came back as strings, "0.50")."""
    api = api_as(owner)
    body = {"turnover": 0.5, "headcount": None, "balance_sheet": None}

    def put():
        return api.put(
            api_url(organisation),
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="sme-1",
        )

    first, again = put(), put()

    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replay"] == "true"
    assert json.loads(again.content) == json.loads(first.content)
    assert json.loads(again.content)["turnover"] == 0.5
