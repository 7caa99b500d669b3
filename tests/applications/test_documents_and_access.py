import html
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Application, Attachment
from applications.services import application_start
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.fixtures.applicants import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(applicant, start_call) -> Application:
    return application_start(call=start_call, organisation=applicant.organisation, by=applicant)


def upload(client, application, file, kind="annex"):
    return client.post(
        reverse("applications:attachment_upload", args=[application.pk]),
        {"file": file, "kind": kind},
        follow=True,
    )


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_a_pdf_is_stored_under_a_generated_name_with_its_hash(client, applicant, draft):
    client.force_login(applicant)
    upload(client, draft, pdf("Devis final.pdf"))
    attachment = Attachment.objects.get()
    assert attachment.original_name == "Devis_final.pdf"
    assert attachment.file.name.startswith("applications/") and "Devis" not in attachment.file.name
    assert len(attachment.sha256) == 64
    assert attachment.content_type == "application/pdf"


def test_a_word_document_is_recognised_by_its_content(client, applicant, draft):
    client.force_login(applicant)
    upload(client, draft, SimpleUploadedFile("plan.docx", docx_bytes()))
    assert Attachment.objects.get().content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (
            SimpleUploadedFile("devis.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
            "Ce type de fichier n'est pas accepté",
        ),
        (
            SimpleUploadedFile("script.pdf", b"#!/bin/sh\nrm -rf /\n"),
            "Ce type de fichier n'est pas accepté",
        ),
        (
            SimpleUploadedFile("image.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
            "ne correspond pas à son nom",
        ),
        (SimpleUploadedFile("vide.pdf", b""), None),
    ],
)
def test_a_file_whose_content_is_not_an_accepted_document_is_refused(
    client, applicant, draft, file, message
):
    client.force_login(applicant)
    response = upload(client, draft, file)
    assert not Attachment.objects.exists()
    if message:
        assert message in html.unescape(response.content.decode())


def test_an_oversized_file_is_refused_with_the_limit(client, applicant, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 10_000
    client.force_login(applicant)
    response = upload(client, draft, pdf(size=20_000))
    assert not Attachment.objects.exists()
    assert "trop volumineux" in response.content.decode()


def test_the_number_of_documents_is_limited(client, applicant, draft, settings):
    settings.ATTACHMENT_MAX_COUNT = 2
    client.force_login(applicant)
    for n in range(3):
        upload(client, draft, pdf(f"annexe-{n}.pdf"))
    assert Attachment.objects.count() == 2


def test_a_path_in_the_file_name_is_dropped(client, applicant, draft):
    client.force_login(applicant)
    upload(client, draft, pdf("../../etc/passwd.pdf"))
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.pdf"
    assert ".." not in attachment.file.name


def test_a_document_is_downloaded_as_an_attachment_by_members(client, applicant, draft):
    client.force_login(applicant)
    upload(client, draft, pdf("annexe.pdf"))
    attachment = Attachment.objects.get()
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="annexe.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("who", ["stranger", "other_organisation_owner"])
def test_another_organisations_file_and_documents_are_404_whatever_the_url(
    client, applicant, draft, who
):
    client.force_login(applicant)
    upload(client, draft, pdf())
    attachment = Attachment.objects.get()
    intruder = UserFactory() if who == "stranger" else make_member(OrganisationFactory())
    client.force_login(intruder)

    urls = [
        draft.get_absolute_url(),
        reverse("applications:step", args=[draft.pk, "needs"]),
        attachment.get_absolute_url(),
        reverse("applications:answer", args=[draft.pk]),
        reverse("applications:report", args=[draft.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    posts = [
        (
            reverse("applications:step", args=[draft.pk, "needs"]),
            {"activity": "piraté", "version": "1", "save_draft": "1"},
        ),
        (reverse("applications:submit", args=[draft.pk]), {}),
        (reverse("applications:withdraw", args=[draft.pk]), {}),
        (reverse("applications:attachment_upload", args=[draft.pk]), {"file": pdf("x.pdf")}),
        (reverse("applications:attachment_remove", args=[draft.pk, attachment.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    draft.refresh_from_db()
    assert draft.data == {} and draft.status == "draft"
    assert Attachment.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, draft):
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
