"""A file's document limit holds when colleagues upload at the same moment, on the page and
through the API (real requests, one database connection each)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from applications import services
from applications.models import Application, Attachment
from tests.auth import login
from tests.factories import CallFactory, OrganisationFactory, make_member
from tests.fixtures.applicants import pdf
from tests.services.test_concurrency import race

# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def upload_on_the_page(client, application, n):
    return client.post(
        reverse("applications:attachment_upload", args=[application.pk]),
        {"file": pdf(f"annexe{n}.pdf"), "kind": "annex"},
    ).status_code


def upload_through_the_api(client, application, n):
    return client.post(
        f"/api/v1/applications/{application.pk}/attachments/",
        {"file": pdf(f"annexe{n}.pdf"), "kind": "annex"},
        format="multipart",
    ).status_code


# client, how to upload, the status of the stored upload and of the refused ones
CHANNELS = {
    "page": (Client, upload_on_the_page, 302, 400),
    "api": (APIClient, upload_through_the_api, 201, 400),
}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("uploaders", [2, 10])
def test_uploads_at_once_to_a_file_one_short_of_the_limit_store_one_document(uploaders, channel):
    assert connection.vendor == "postgresql"
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    call = CallFactory(form_sections=["attachments"])
    draft = Application.objects.create(
        call=call, programme=call.programme, organisation=organisation, created_by=owner
    )
    for n in range(settings.ATTACHMENT_MAX_COUNT - 1):
        services.attachment_add(
            application=draft, upload=pdf(f"old{n}.pdf"), kind="annex", by=owner
        )
    client_class, upload, stored, refused = CHANNELS[channel]
    clients = []
    for _ in range(uploaders):
        client = client_class()
        login(client, make_member(organisation))
        clients.append(client)

    results = race(uploaders, lambda n: upload(clients[n], draft, n))

    assert sorted(results) == sorted([stored] + [refused] * (uploaders - 1)), results
    assert Attachment.objects.filter(application=draft).count() == settings.ATTACHMENT_MAX_COUNT
