"""What a person types and reads in the steps: long answers have a limit (a setting per kind of
text, declared on the field) applied alike by the page and the API; amounts and rates are
written the reader's way; amounts are read as the person's language types them, or refused
with a clear message, never silently changed."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from applications.services import application_start
from programs.models import FormSection, Programme
from tests.auth import login
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

LIMIT = 3000


@pytest.fixture
def draft(applicant, start_call):
    return application_start(call=start_call, organisation=applicant.organisation, by=applicant)


@pytest.fixture
def tremplin(applicant):
    call = CallFactory(
        programme=Programme.objects.get(code=Programme.Code.TREMPLIN_IA),
        funding_rate=Decimal("50"),
        ceiling_per_file=Decimal("100000"),
        audiences=["sme"],
        eligibility_rules=[],
        form_sections=[FormSection.BUDGET],
    )
    return application_start(call=call, organisation=applicant.organisation, by=applicant)


NEEDS = {
    "activity": "Menuiserie.",
    "challenges": "Planifier.",
    "available_data": "Commandes.",
    "maturity": "exploring",
    "expected_benefits": "Moins de retards.",
}


def post_step(client, application, slug, data):
    application.refresh_from_db()
    return client.post(
        reverse("applications:step", args=[application.pk, slug]),
        {**data, "version": str(application.version), "save_continue": "1"},
    )


# --- long answers ---------------------------------------------------------------------------


def test_a_long_answer_over_its_limit_is_refused_by_the_page_and_the_api_alike(
    client, applicant, draft
):
    login(client, applicant)
    too_long = "a" * (LIMIT + 12)

    page = post_step(client, draft, "needs", {**NEEDS, "challenges": too_long})
    api = APIClient()
    api.force_authenticate(applicant)
    answer = api.put(
        f"/api/v1/applications/{draft.pk}/steps/needs/",
        {"version": draft.version, "data": {**NEEDS, "challenges": too_long}},
        format="json",
    )

    assert page.status_code == 200
    said = page.context["form"].errors["challenges"]
    assert said == ["Ce texte compte 3 012 caractères : raccourcissez-le à 3 000 au maximum."] or (
        said == ["This text has 3 012 characters: shorten it to 3 000 at most."]
    )
    assert answer.status_code == 400
    assert [
        e["message"] for e in answer.json()["errors"] if e["field"] == "data.challenges"
    ] == said
    draft.refresh_from_db()
    assert "needs" not in draft.completed_steps


def test_a_line_break_counts_as_one_character_as_the_counter_counts(client, applicant, draft):
    login(client, applicant)
    lines = ["x" * 99] * 30  # 30 lines of 99 + 29 breaks = 2,999 characters
    text = "\r\n".join(lines)  # as a browser posts a text box

    response = post_step(client, draft, "needs", {**NEEDS, "challenges": text})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.data["needs"]["challenges"] == "\n".join(lines)


def test_a_long_answer_declares_its_limit_for_the_counter_and_lets_a_paste_through(
    client, applicant, draft
):
    login(client, applicant)

    page = client.get(reverse("applications:step", args=[draft.pk, "needs"])).content.decode()

    area = page[page.index('<textarea name="challenges"') :]
    area = area[: area.index(">")]
    assert f'data-limit="{LIMIT}"' in area
    assert "maxlength" not in area  # a browser would cut a pasted text silently
    expert = client.get(reverse("applications:step", args=[draft.pk, "expert"])).content.decode()
    assert 'data-limit="500"' in expert  # the availability: a brief text


def test_the_limit_of_a_kind_of_text_is_a_setting(settings):
    from applications.forms.fields import long_text

    settings.TEXT_LIMITS = {**settings.TEXT_LIMITS, "long": 10}
    field = long_text("Réponse")

    assert field.limit == 10
    with pytest.raises(Exception, match="10"):
        field.clean("x" * 11)


# --- amounts and rates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "rate", "ceiling"),
    [
        ("fr", "50\u00a0%", "100\u00a0000\u00a0€"),
        ("en", "50%", "€100,000"),
        ("de", "50\u00a0%", "100.000\u00a0€"),
    ],
)
def test_the_budget_step_writes_the_rate_and_ceiling_the_readers_way(
    client, applicant, tremplin, language, rate, ceiling
):
    applicant.language = language
    applicant.save()
    login(client, applicant)
    client.cookies["adn_language"] = language

    page = client.get(reverse("applications:step", args=[tremplin.pk, "budget"])).content.decode()

    assert rate in page and ceiling in page
    assert "E+" not in page  # never "5E+1 %"


def test_amounts_typed_the_french_way_are_read_and_the_total_is_shown(client, applicant, tremplin):
    login(client, applicant)

    response = post_step(
        client,
        tremplin,
        "budget",
        {
            "cost_personnel": "18 500,50",
            "cost_provider": "1.100.000",
            "cost_equipment": "0",
            "cost_other": "1\u202f000",
            "amount_requested": "100 000",
        },
    )

    assert response.status_code == 302
    tremplin.refresh_from_db()
    assert tremplin.total_budget == Decimal("1119500.50")
    assert tremplin.amount_requested == Decimal("100000")
    page = client.get(reverse("applications:step", args=[tremplin.pk, "budget"])).content.decode()
    assert 'value="18 500,5"' in page  # typed back as French writes it
    assert "1\u00a0119\u00a0500,50\u00a0€" in page  # the total
    assert "100\u00a0000\u00a0€" in page  # the most one may ask: the ceiling here


def test_an_amount_that_could_be_read_two_ways_is_refused_not_changed(client, applicant, tremplin):
    login(client, applicant)

    response = post_step(
        client,
        tremplin,
        "budget",
        {
            "cost_personnel": "18.5",
            "cost_provider": "0",
            "cost_equipment": "0",
            "cost_other": "0",
            "amount_requested": "0",
        },
    )

    assert response.status_code == 200
    with translation.override("fr"):
        from django.utils.translation import gettext

        expected = gettext("Use a comma for the decimals, e.g. 18,5.")
    assert response.context["form"].errors["cost_personnel"] == [expected]
    tremplin.refresh_from_db()
    assert tremplin.total_budget is None


def test_the_cap_error_writes_its_amounts_the_readers_way(client, applicant, tremplin):
    login(client, applicant)

    response = post_step(
        client,
        tremplin,
        "budget",
        {
            "cost_personnel": "10000",
            "cost_provider": "77500",
            "cost_equipment": "0",
            "cost_other": "0",
            "amount_requested": "50000",
        },
    )

    error = response.context["form"].errors["amount_requested"][0]
    assert "43\u00a0750\u00a0€" in error and "87\u00a0500\u00a0€" in error
    assert "43750.00" not in error


def test_the_api_takes_json_numbers_for_amounts(applicant, tremplin):
    api = APIClient()
    api.force_authenticate(applicant)

    response = api.put(
        f"/api/v1/applications/{tremplin.pk}/steps/budget/",
        {
            "version": tremplin.version,
            "data": {
                "cost_personnel": 18500.5,
                "cost_provider": 1100000,
                "cost_equipment": 0,
                "cost_other": 0,
                "amount_requested": 100000,
            },
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    tremplin.refresh_from_db()
    assert tremplin.total_budget == Decimal("1118500.50")


def test_the_api_refuses_a_boolean_or_a_number_too_large_for_an_amount(applicant, tremplin):
    api = APIClient()
    api.force_authenticate(applicant)

    response = api.put(
        f"/api/v1/applications/{tremplin.pk}/steps/budget/",
        {
            "version": tremplin.version,
            "data": {
                "cost_personnel": True,
                "cost_provider": 1e20,
                "cost_equipment": 0,
                "cost_other": 0,
                "amount_requested": 0,
            },
        },
        format="json",
    )

    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"data.cost_personnel", "data.cost_provider"} <= fields
