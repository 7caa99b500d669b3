"""The submitted file (its frozen version) and the decision letter as PDFs, in the file's
language, for the organisation's members and the staff who work on the file; read back as text."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from adn_portal.accounts.models import AuditEvent
from adn_portal.accounts.roles import Role
from applications import services
from applications.models import ApplicantMessage
from programs.models import FormSection
from tests.auth import login, login_staff
from tests.factories import OrganisationFactory, make_member
from tests.fixtures.staff import scored_call, staff, submitted_file

pytestmark = pytest.mark.django_db

SNAPSHOT = {
    "name": "Boulangerie Dupont SRL",
    "enterprise_number": "0202239951",
    "kind": "sme",
    "street": "Rue de Fer 4",
    "postcode": "5000",
    "municipality": "Namur",
    "province": "namur",
    "headcount": "12.50",
    "turnover": "1500000.00",
    "size_class": "small",
}


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def file():
    call = scored_call(form_sections=[FormSection.CHALLENGES])
    application = submitted_file(call)
    version = application.versions.get()
    version.data = {"needs": {"activity": "Boulangerie artisanale à Namur"}}
    version.organisation_snapshot = SNAPSHOT
    version.eligibility = [{"rule": "deadline", "passed": True, "message": "L'appel est ouvert."}]
    version.save()
    return application


def decision(application) -> ApplicantMessage:
    return ApplicantMessage.objects.create(
        application=application,
        kind=ApplicantMessage.Kind.DECISION,
        subject=f"Votre demande {application.reference} est retenue",
        body="Madame, Monsieur,\n\nNous avons le plaisir de vous annoncer que votre projet est retenu.",
    )


def assert_private_pdf(response, filename: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content.startswith(b"%PDF-")


def test_a_member_downloads_the_submitted_version_as_a_pdf(client, file):
    login(client, file.created_by)
    response = client.get(reverse("applications:version_pdf", args=[file.pk, 1]))
    assert_private_pdf(response, f"{file.reference}-v1.pdf")
    text = pdf_text(response)
    assert file.reference in text
    assert file.call.title_fr in text
    assert "Boulangerie artisanale à Namur" in text  # the frozen answer
    assert "Boulangerie Dupont SRL" in text and "0202.239.951" in text  # the snapshot
    assert "1 500 000" in text  # grouped the French way
    assert "L'appel est ouvert." in text


def test_the_pdf_is_written_in_the_language_of_the_files_author(client, file):
    file.created_by.language = "de"
    file.created_by.save()
    login(client, file.created_by)
    text = pdf_text(client.get(reverse("applications:version_pdf", args=[file.pk, 1])))
    assert "Kleines Unternehmen" in text and "Petite entreprise" not in text
    assert "1.500.000" not in text  # the portal groups thousands with a space in every language
    assert "12,5" in text


def test_the_file_page_links_to_its_printouts(client, file):
    letter = decision(file)
    login(client, file.created_by)
    page = client.get(file.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("applications:version_pdf", args=[file.pk, 1]) in text
    assert reverse("applications:decision_letter_pdf", args=[file.pk, letter.pk]) in text


def test_another_organisations_member_gets_a_404(client, file):
    login(client, make_member(OrganisationFactory()))
    letter = decision(file)
    assert client.get(reverse("applications:version_pdf", args=[file.pk, 1])).status_code == 404
    url = reverse("applications:decision_letter_pdf", args=[file.pk, letter.pk])
    assert client.get(url).status_code == 404


def test_an_unknown_version_or_a_message_that_is_not_a_decision_is_a_404(client, file):
    login(client, file.created_by)
    other = ApplicantMessage.objects.create(
        application=file, kind=ApplicantMessage.Kind.INFO_REQUEST, subject="Question", body="?"
    )
    assert client.get(reverse("applications:version_pdf", args=[file.pk, 2])).status_code == 404
    url = reverse("applications:decision_letter_pdf", args=[file.pk, other.pk])
    assert client.get(url).status_code == 404


def test_the_decision_letter_reads_the_decision_as_sent(client, file):
    letter = decision(file)
    login(client, file.created_by)
    response = client.get(reverse("applications:decision_letter_pdf", args=[file.pk, letter.pk]))
    assert_private_pdf(response, f"{file.reference}-decision.pdf")
    text = pdf_text(response)
    assert letter.subject in text
    assert "votre projet est retenu" in text
    assert file.organisation.name in text


def test_staff_on_the_programme_download_both_and_each_download_is_audited(client, file):
    reviewer = staff(Role.REVIEWER, "START")
    letter = decision(file)
    services.review_open(application=file, reviewer=reviewer)  # no conflict of interest
    login_staff(client, reviewer)
    page = client.get(reverse("applications:staff_application", args=[file.pk]))
    assert page.status_code == 200
    assert reverse("applications:staff_version_pdf", args=[file.pk, 1]) in page.content.decode()

    version = client.get(reverse("applications:staff_version_pdf", args=[file.pk, 1]))
    assert_private_pdf(version, f"{file.reference}-v1.pdf")
    url = reverse("applications:staff_decision_letter_pdf", args=[file.pk, letter.pk])
    assert_private_pdf(client.get(url), f"{file.reference}-decision.pdf")
    downloads = AuditEvent.objects.filter(
        action=AuditEvent.Action.DOCUMENT_DOWNLOADED, user=reviewer, details__application=file.pk
    )
    assert sorted(e.details["printout"] for e in downloads) == ["decision_letter", "version"]


def test_staff_of_another_programme_get_a_404_and_nothing_is_recorded_as_read(client, file):
    login_staff(client, staff(Role.PROGRAMME_MANAGER, "CAP"))
    response = client.get(reverse("applications:staff_version_pdf", args=[file.pk, 1]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOCUMENT_DOWNLOADED).exists()
