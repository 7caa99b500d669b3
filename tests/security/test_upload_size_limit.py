"""A document over the size limit is refused while it arrives: the portal stops reading the
body instead of streaming it whole to disk first. Each request goes through the whole stack
(middleware, CSRF, views) with a WSGI input that counts what was read."""

import html
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from applications.models import Application, Attachment
from tests.auth import login
from tests.factories import CallFactory, OrganisationFactory, make_member

pytestmark = pytest.mark.django_db

LIMIT = 200_000  # bytes: ATTACHMENT_MAX_BYTES in these tests


class CountingInput:
    """wsgi.input that counts the bytes the portal read."""

    def __init__(self, body: bytes):
        self._body = io.BytesIO(body)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._body.read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        line = self._body.readline(size)
        self.read_bytes += len(line)
        return line


@pytest.fixture
def small_limit(settings):
    settings.ATTACHMENT_MAX_BYTES = LIMIT


@pytest.fixture
def draft():
    organisation = OrganisationFactory()
    call = CallFactory(form_sections=["attachments"])
    return Application.objects.create(
        call=call,
        programme=call.programme,
        organisation=organisation,
        created_by=make_member(organisation),
    )


def post_counting(client, path: str, fields: dict):
    """POST `fields` as multipart through the whole stack; returns (response, bytes read,
    body size)."""
    body = encode_multipart(BOUNDARY, fields)
    stream = CountingInput(body)
    environ = client._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        HTTP_ACCEPT_LANGUAGE="fr",
        **{"wsgi.input": stream},
    )
    response = client.handler(environ)
    return response, stream.read_bytes, len(body)


def pdf_of(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("gros.pdf", b"%PDF-1.4\n" + b"0" * (size - 9), "application/pdf")


def test_a_body_announced_over_the_limit_is_refused_before_its_file_is_read(
    client, small_limit, draft
):
    login(client, draft.created_by)
    path = reverse("applications:attachment_upload", args=[draft.pk])
    next_url = reverse("applications:step", args=[draft.pk, "documents"])

    response, read, size = post_counting(
        client, path, {"next": next_url, "file": pdf_of(5 * LIMIT), "kind": "annex"}
    )

    assert response.status_code == 400
    assert size > 5 * LIMIT and read < 70_000  # the fields before the file, not the file
    page = html.unescape(response.content.decode())
    # Next to the field, in French.
    assert re.search(
        r'id="id_file_error" class="invalid-feedback">\s*<p id="error_1_id_file"><strong>'
        r"Ce fichier est trop volumineux \(976,9\xa0Kio\) : "
        r"la taille maximale est de 195,3\xa0Kio\.</strong>",
        page,
    )
    assert not Attachment.objects.exists()


def test_a_file_just_over_the_limit_is_refused_as_it_arrives(client, small_limit, draft):
    login(client, draft.created_by)
    path = reverse("applications:attachment_upload", args=[draft.pk])

    # A body small enough not to be refused on its announced size alone.
    response, _read, _size = post_counting(
        client, path, {"file": pdf_of(LIMIT + 1000), "kind": "annex"}
    )

    assert response.status_code == 400
    assert "Ce fichier est trop volumineux" in html.unescape(response.content.decode())
    assert not Attachment.objects.exists()


def test_the_api_refuses_a_document_over_the_limit_with_413_before_reading_it(
    client, small_limit, draft
):
    login(client, draft.created_by)
    path = f"/api/v1/applications/{draft.pk}/attachments/"

    response, read, size = post_counting(client, path, {"file": pdf_of(5 * LIMIT)})

    assert response.status_code == 413
    assert read < 70_000 < size
    assert json.loads(response.content)["errors"] == [
        {
            "field": "file",
            "code": "too_large",
            "message": "Ce fichier est trop volumineux (976,7\xa0Kio) : "
            "la taille maximale est de 195,3\xa0Kio.",
        }
    ]
    assert not Attachment.objects.exists()


def test_a_document_within_the_limit_is_still_stored(client, small_limit, draft):
    login(client, draft.created_by)
    path = reverse("applications:attachment_upload", args=[draft.pk])

    response, read, size = post_counting(client, path, {"file": pdf_of(LIMIT), "kind": "annex"})

    assert response.status_code == 302
    assert read == size
    assert Attachment.objects.get().size == LIMIT
