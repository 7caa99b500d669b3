"""Pages and downloads holding personal data are never kept by a browser or a shared cache
(`Cache-Control: private, no-store`); public pages for anonymous visitors keep their caching."""

import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.cache import get_max_age
from rest_framework.test import APIClient

from adn_portal.accounts.tokens import api_token_create
from tests.auth import login, login_staff
from tests.factories import ExpertFactory, UserFactory

pytestmark = pytest.mark.django_db


def private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


def applicant_pages(personal_file) -> dict[str, str]:
    pk = personal_file["application"].pk
    return {
        "my files": reverse("applications:my_applications"),
        "file page": reverse("applications:detail", args=[pk]),
        "applicant document": personal_file["attachment"].get_absolute_url(),
        "personal-data export": reverse("applications:my_data"),
        "erasure page": reverse("applications:erase_account"),
        "profile": reverse("profile"),
        "home, signed in": reverse("programs:home"),
    }


def staff_pages(personal_file) -> dict[str, str]:
    pk = personal_file["application"].pk
    return {
        "staff queue": reverse("applications:staff_queue"),
        "staff file page": reverse("applications:staff_application", args=[pk]),
        "staff document download": reverse(
            "applications:staff_application_attachment", args=[pk, personal_file["attachment"].pk]
        ),
        "staff exports": reverse("applications:staff_exports"),
        "staff export download": reverse(
            "applications:staff_export_download", args=[personal_file["export"].pk]
        ),
        "staff dashboard": reverse("stats:dashboard"),
    }


def test_every_page_and_download_of_an_applicant_is_private(client, personal_file):
    login(client, personal_file["applicant"])
    for name, url in applicant_pages(personal_file).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert private(response), (name, response.get("Cache-Control"))


def test_every_page_and_download_of_staff_is_private(client, personal_file):
    login_staff(client, personal_file["manager"])
    for name, url in staff_pages(personal_file).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert private(response), (name, response.get("Cache-Control"))


def test_api_answers_to_a_token_are_private(personal_file):
    _token, applicant_secret = api_token_create(
        user=personal_file["applicant"], name="ERP", second_factor=False
    )
    _token, staff_secret = api_token_create(
        user=personal_file["manager"], name="Reporting", second_factor=True
    )
    pk = personal_file["application"].pk
    calls = {
        "applicant file detail": (applicant_secret, f"/api/v1/applications/{pk}/"),
        "applicant file list": (applicant_secret, "/api/v1/applications/"),
        "applicant documents": (applicant_secret, f"/api/v1/applications/{pk}/attachments/"),
        "staff file detail": (staff_secret, f"/api/v1/staff/applications/{pk}/"),
        "staff queue": (staff_secret, "/api/v1/staff/applications/"),
    }
    for name, (secret, url) in calls.items():
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        response = api.get(url)
        assert response.status_code == 200, name
        assert private(response), (name, response.get("Cache-Control"))


def test_api_answers_to_a_session_are_private(personal_file):
    api = APIClient()
    login(api, personal_file["applicant"])
    response = api.get(f"/api/v1/applications/{personal_file['application'].pk}/")
    assert response.status_code == 200
    assert private(response)


def test_account_pages_are_private_even_for_anonymous_visitors(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="julie@pme.be")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    reset_link = re.search(r"https?://testserver(/compte/\S+/)", mail.outbox[0].body).group(1)
    for url in [reverse("account_login"), reverse("account_reset_password"), reset_link]:
        response = client.get(url)
        while response.status_code == 302:  # the reset link moves its key into the session
            assert private(response), url
            assert response.url.startswith("/compte/"), response.url
            response = client.get(response.url)
        assert response.status_code == 200, url
        assert private(response), (url, response.get("Cache-Control"))


def test_public_pages_keep_their_caching_for_anonymous_visitors(client):
    expert = ExpertFactory()
    expert.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64), save=True)

    home = client.get(reverse("programs:home"))
    directory = client.get(reverse("companies:expert_directory"))
    logo = client.get(reverse("companies:expert_logo", args=[expert.slug]))

    assert (home.status_code, directory.status_code, logo.status_code) == (200, 200, 200)
    assert "no-store" not in home.get("Cache-Control", "")
    assert "no-store" not in directory.get("Cache-Control", "")
    assert get_max_age(logo) == 3600 and "public" in logo["Cache-Control"]
