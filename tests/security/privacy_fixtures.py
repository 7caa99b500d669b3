"""A submitted file with a document, and a staff export holding it: personal data to read."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from applications.models import Attachment, Export
from tests.applications.staff_fixtures import staff, submitted_file
from tests.auth import login_staff

PDF = b"%PDF-1.4\n" + b"0" * 100


@pytest.fixture
def personal_file(django_capture_on_commit_callbacks):
    application = submitted_file()
    applicant = application.created_by
    attachment = Attachment(
        application=application,
        original_name="bilan.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        uploaded_by=applicant,
    )
    attachment.file.save("bilan.pdf", ContentFile(PDF), save=True)
    manager = staff("programme manager", application.programme.code)
    staff_client = Client()
    login_staff(staff_client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("applications:staff_export_create"), {"format": "csv"})
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.state == Export.State.READY
    return {
        "application": application,
        "applicant": applicant,
        "attachment": attachment,
        "manager": manager,
        "export": export,
    }
