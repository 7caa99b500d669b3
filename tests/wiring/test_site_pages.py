"""The footer's pages (legal notice, privacy notice, accessibility statement, contact) in French,
English and German, linked from every page; the privacy notice at sign-up."""

import pytest
from django.urls import reverse

from programs.models import Programme

pytestmark = pytest.mark.django_db

PAGES = ["legal_notice", "privacy_notice", "accessibility", "contact"]
HEADINGS = {
    "fr": ["Mentions légales", "Déclaration de confidentialité", "Déclaration d'accessibilité"],
    "en": ["Legal notice", "Privacy notice", "Accessibility statement"],
    "de": ["Impressum", "Datenschutzerklärung", "Erklärung zur Barrierefreiheit"],
}


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_each_page_is_written_in_the_readers_language(client, language):
    client.cookies["adn_language"] = language
    for page, heading in zip(PAGES, HEADINGS[language], strict=False):
        response = client.get(reverse(page))
        assert response.status_code == 200
        assert f"<h1>{heading}</h1>" in response.content.decode().replace("&#x27;", "'")


def test_every_page_links_the_four_pages_from_its_footer(client):
    response = client.get(reverse("programs:home"))
    assert response.status_code == 200
    footer = response.content.decode().split("<footer", 1)[1]
    for page in PAGES:
        assert f'href="{reverse(page)}"' in footer


def test_the_accessibility_statement_has_the_shape_the_eu_model_asks_for(client):
    text = client.get(reverse("accessibility")).content.decode()
    for part in (
        "partiellement conforme",
        "WCAG) 2.1, niveau AA",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "Retour d'information et contact",
        "Procédure de mise en œuvre",
        "Médiateur",
    ):
        assert part in text.replace("&#x27;", "'"), part


def test_the_privacy_notice_gives_the_retention_the_portal_applies(client, settings):
    settings.FILE_RETENTION_YEARS = 7
    text = client.get(reverse("privacy_notice")).content.decode()
    assert "anonymisés 7 ans après leur clôture" in text
    assert "Autorité de protection des données" in text


def test_the_contact_page_lists_the_programmes_contacts(client):
    Programme.objects.filter(code="START").update(
        contact_email="start-ia@adn.be", contact_phone="+32 81 77 80 80"
    )
    text = client.get(reverse("contact")).content.decode()
    assert 'href="mailto:start-ia@adn.be"' in text
    assert 'href="tel:+3281778080"' in text


def test_sign_up_links_the_privacy_notice(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    page = response.content.decode()
    form = page.split('action="/compte/signup/"', 1)[1].split("</form>", 1)[0]
    assert f'href="{reverse("privacy_notice")}"' in form
