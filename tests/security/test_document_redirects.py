"""After adding or removing a document, the applicant returns to the page the form was on when
its `next` is a path of this site, and to the file's own page otherwise: never to another site
(the same check as every view that honours `next`: adn_portal/lib/redirects.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from tests.auth import login

pytestmark = pytest.mark.django_db

ELSEWHERE = ["//evil.example/", "https://evil.example/", "/\\evil.example", "/a\r\nX-Evil: 1"]


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("annexe.pdf", b"%PDF-1.4\n" + b"0" * 2000, "application/pdf")


@pytest.fixture
def draft(applicant, start_call):
    return services.application_start(
        call=start_call, organisation=applicant.organisation, by=applicant
    )


@pytest.fixture
def attachment(applicant, draft):
    return services.attachment_add(application=draft, upload=pdf(), kind="annex", by=applicant)


@pytest.mark.parametrize("target", ELSEWHERE)
def test_removing_a_document_never_redirects_to_another_site(
    client, applicant, draft, attachment, target
):
    login(client, applicant)
    response = client.post(
        reverse("applications:attachment_remove", args=[draft.pk, attachment.pk]),
        {"next": target},
    )
    assert response.status_code == 302
    assert response.url == reverse("applications:step", args=[draft.pk, "documents"])


@pytest.mark.parametrize("target", ELSEWHERE)
def test_adding_a_document_never_redirects_to_another_site(client, applicant, draft, target):
    login(client, applicant)
    response = client.post(
        reverse("applications:attachment_upload", args=[draft.pk]),
        {"file": pdf(), "kind": "annex", "next": target},
    )
    assert response.status_code == 302
    assert response.url == draft.get_absolute_url()


def test_removing_a_document_returns_to_the_page_of_this_site_it_came_from(
    client, applicant, draft, attachment
):
    login(client, applicant)
    back = reverse("applications:step", args=[draft.pk, "budget"])
    response = client.post(
        reverse("applications:attachment_remove", args=[draft.pk, attachment.pk]),
        {"next": back},
    )
    assert response.status_code == 302
    assert response.url == back
