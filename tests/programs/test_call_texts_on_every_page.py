"""A call's texts are read in the reader's language on every page that names the call, public,
the applicant's and the staff's (issue 18), with French where a translation is missing."""

import csv
import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from adn_portal.accounts.roles import Role
from applications.models import Export
from applications.services import application_start
from programs.models import Programme
from programs.services import call_document_add
from tests.auth import login, login_staff
from tests.factories import CallFactory, ExpertFactory
from tests.fixtures.applicants import pdf
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db

TITLES = {"fr": "Appel PME printanier", "en": "Spring SME call", "de": "Frühlingsaufruf für KMU"}
SUMMARIES = {
    "fr": "Résumé en français.",
    "en": "Summary in English.",
    "de": "Zusammenfassung auf Deutsch.",
}


@pytest.fixture
def call():
    return CallFactory(
        programme=Programme.objects.get(code="START"),
        slug="appel-pme-printanier",
        audiences=["sme", "startup"],
        eligibility_rules=["walloon_seat", "audience_kind", "sme_size"],
        form_sections=["challenges", "expert", "attachments"],
        **{f"title_{lang}": text for lang, text in TITLES.items()},
        **{f"summary_{lang}": text for lang, text in SUMMARIES.items()},
    )


def read(client, url: str, language: str) -> str:
    client.cookies["adn_language"] = language
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html.unescape(response.content.decode())


def public_urls(call) -> list[str]:
    finder = reverse("applications:programme_finder")
    answers = (
        "kind=sme&postcode=5000&headcount=12&turnover=1500000&public_control=no&stage=exploring"
    )
    return ["/", call.programme.get_absolute_url(), call.get_absolute_url(), f"{finder}?{answers}"]


@pytest.mark.parametrize("language", ["en", "de"])
def test_public_pages_name_the_call_in_the_readers_language(client, call, language):
    for url in public_urls(call):
        page = read(client, url, language)
        assert TITLES[language] in page, url
        assert TITLES["fr"] not in page, url
    assert SUMMARIES[language] in read(client, call.get_absolute_url(), language)


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_applicants_pages_name_the_call_in_their_language(client, call, applicant, language):
    ExpertFactory(programmes=["START"])
    draft = application_start(call=call, organisation=applicant.organisation, by=applicant)
    applicant.language = language  # a signed-in person's language is their profile's
    applicant.save(update_fields=["language"])
    login(client, applicant)
    urls = [
        reverse("applications:my_applications"),
        draft.get_absolute_url(),
        reverse("applications:step", args=[draft.pk, "needs"]),
        reverse("applications:review", args=[draft.pk]),
    ]
    for url in urls:
        page = read(client, url, language)
        assert TITLES[language] in page, url
        assert TITLES["fr"] not in page, url


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_staff_pages_name_the_call_in_their_language(client, language):
    manager = staff(Role.PROGRAMME_MANAGER, "START", language=language)
    application = submitted_file()
    call = application.call
    call.title_en, call.title_de = TITLES["en"], TITLES["de"]
    call.title_fr = TITLES["fr"]
    call.save(update_fields=["title_fr", "title_en", "title_de"])
    login_staff(client, manager)
    urls = [
        reverse("applications:staff_queue"),
        reverse("applications:staff_application", args=[application.pk]),
    ]
    for url in urls:
        page = read(client, url, language)
        assert TITLES[language] in page, url
        assert TITLES["fr"] not in page, url


def test_a_missing_translation_falls_back_to_french(client, call):
    call.title_de = ""
    call.save(update_fields=["title_de"])
    for url in public_urls(call):
        assert TITLES["fr"] in read(client, url, "de"), url


def test_a_queue_export_names_the_call_in_the_language_of_who_asked(
    client, django_capture_on_commit_callbacks
):
    manager = staff(Role.PROGRAMME_MANAGER, "START", language="de")
    application = submitted_file()
    call = application.call
    call.title_fr, call.title_de = TITLES["fr"], TITLES["de"]
    call.save(update_fields=["title_fr", "title_de"])
    login_staff(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:staff_export_create"), {"format": "csv"})

    export = Export.objects.get()
    response = client.get(reverse("applications:staff_export_download", args=[export.pk]))

    assert response.status_code == 200
    _header, row = csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert row[2] == TITLES["de"]  # reference, programme, call, …


def test_the_staff_page_of_a_call_lists_its_documents_in_the_staffs_language(client, call):
    manager = staff(Role.PROGRAMME_MANAGER, "START", language="en")
    call_document_add(
        call=call,
        upload=pdf("reglement.pdf"),
        kind="regulations",
        title_fr="Règlement de l'appel",
        title_en="Regulations of the call",
        by=manager,
    )
    login_staff(client, manager)

    page = read(client, reverse("programs:staff_call_content", args=[call.slug]), "en")

    assert TITLES["en"] in page and "Regulations of the call" in page
    assert "Règlement de l'appel" not in page


@pytest.mark.parametrize(
    "language, rate, ceiling, envelope",
    [
        ("fr", "50\xa0%", "100\xa0000\xa0€", "2\xa0000\xa0000\xa0€"),
        ("en", "50%", "€100,000", "€2,000,000"),
        ("de", "50\xa0%", "100.000\xa0€", "2.000.000\xa0€"),
    ],
)
def test_the_call_page_writes_its_rate_and_amounts_the_readers_way(
    client, language, rate, ceiling, envelope
):
    call = CallFactory(
        funding_rate=Decimal("50.00"),
        ceiling_per_file=Decimal("100000.00"),
        budget_envelope=Decimal("2000000.00"),
    )

    page = read(client, call.get_absolute_url(), language)

    key_facts = page.split("<dl", 1)[1].split("</dl>", 1)[0]
    assert rate in key_facts and ceiling in key_facts and envelope in key_facts


def test_staff_edit_every_call_text_in_the_three_languages(client, call):
    """The admin's call, programme and document forms, and the staff's FAQ and document forms,
    each ask for French, English and German."""
    login_staff(client, staff(Role.ADMINISTRATOR))
    asked = {
        # The call's texts, and its FAQ in the same form (an inline).
        reverse("admin:programs_call_change", args=[call.pk]): [
            "title",
            "summary",
            "text",
            "questions-__prefix__-question",
            "questions-__prefix__-answer",
        ],
        reverse("admin:programs_programme_change", args=[call.programme.pk]): [
            "tagline",
            "description",
        ],
        reverse("admin:programs_calldocument_add"): ["title"],
    }
    manager = staff(Role.PROGRAMME_MANAGER, "START")
    for url, names in asked.items():
        form = read(client, url, "fr")
        missing = [f"{n}_{lang}" for n in names for lang in ("fr", "en", "de")]
        assert [m for m in missing if f'name="{m}"' not in form] == [], url
    login_staff(client, manager)
    staff_page = read(client, reverse("programs:staff_call_content", args=[call.slug]), "fr")
    for name in ("title", "faq-0-question", "faq-0-answer"):
        for lang in ("fr", "en", "de"):
            assert f'name="{name}_{lang}"' in staff_page, (name, lang)
