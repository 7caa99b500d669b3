import pytest
from django.urls import reverse

from tests.auth import login_staff
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_pages_are_french_by_default_even_for_an_english_browser(client):
    response = client.get(reverse("programs:home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="fr">' in response.content.decode()
    assert response["Content-Language"] == "fr"


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Open calls"), ("de", "Offene Aufrufe"), ("fr", "Appels ouverts")]
)
def test_language_switcher_changes_the_interface_language(client, language, text):
    response = client.post(
        reverse("set_language"), {"language": language, "next": "/programmes/start-ia/"}
    )
    assert response.status_code == 302
    assert response.url == "/programmes/start-ia/"
    page = client.get(reverse("programs:home")).content.decode()
    assert f'<html lang="{language}">' in page
    assert text in page


def test_language_switch_is_remembered_on_the_profile_of_a_signed_in_user(client):
    user = UserFactory(language="fr")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    user.refresh_from_db()
    assert user.language == "de"

    other_device = client.__class__()
    other_device.force_login(user)
    assert '<html lang="de">' in other_device.get(reverse("programs:home")).content.decode()


def test_language_switcher_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.post(
        reverse("set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.url == "/"
    assert "adn_language" not in response.cookies


def test_language_switch_by_get_is_refused(client):
    assert client.get(reverse("set_language"), {"language": "en"}).status_code == 405


def test_profile_requires_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_profile_saves_names_and_language(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("profile"), {"first_name": "Anne", "last_name": "Martin", "language": "en"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.language) == ("Anne", "Martin", "en")


def test_profile_rejects_an_unknown_language_with_a_french_error(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("profile"), {"first_name": "Anne", "last_name": "Martin", "language": "xx"}
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide." in response.content.decode()


def test_navigation_offers_the_back_office_to_staff_only(client):
    client.force_login(UserFactory())
    assert reverse("admin:index") not in client.get(reverse("programs:home")).content.decode()
    login_staff(client, UserFactory(role="reviewer", is_staff=True))
    assert reverse("admin:index") in client.get(reverse("programs:home")).content.decode()
