"""Attacks on the portal: each is refused, and nothing changes."""

import html
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from adn_portal.accounts.models import AuditEvent, User
from applications.models import Application, ApplicationEvent, Attachment
from applications.services import application_start
from applications.workflow import Status
from companies.models import Organisation
from tests.auth import login_staff
from tests.factories import (
    DEFAULT_PASSWORD,
    ExpertFactory,
    OrganisationFactory,
    UserFactory,
    make_member,
)
from tests.fixtures.applicants import pdf
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim_file(applicant, start_call):
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    client = Client()
    client.force_login(applicant)
    client.post(
        reverse("applications:attachment_upload", args=[draft.pk]), {"file": pdf("secret.pdf")}
    )
    return draft


@pytest.fixture
def intruder(db):
    return make_member(OrganisationFactory(name="Intrus SRL"))


def snapshot() -> tuple:
    return (
        list(Application.objects.order_by("pk").values_list("pk", "status", "data", "reference")),
        Attachment.objects.count(),
        ApplicationEvent.objects.count(),
    )


# 1-4: another organisation's file and attachment, on pages and through the API


def test_another_organisations_file_page_is_404(client, victim_file, intruder):
    before = snapshot()
    client.force_login(intruder)
    assert client.get(victim_file.get_absolute_url()).status_code == 404
    assert snapshot() == before


def test_another_organisations_attachment_is_404(client, victim_file, intruder):
    client.force_login(intruder)
    assert client.get(Attachment.objects.get().get_absolute_url()).status_code == 404


def test_another_organisations_file_is_404_through_the_api(victim_file, intruder):
    api = APIClient()
    api.force_authenticate(intruder)
    before = snapshot()
    assert api.get(f"/api/v1/applications/{victim_file.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/applications/{victim_file.pk}/withdraw/", {}, format="json").status_code
        == 404
    )
    assert snapshot() == before


def test_another_organisations_attachments_are_404_through_the_api(victim_file, intruder):
    api = APIClient()
    api.force_authenticate(intruder)
    assert api.get(f"/api/v1/applications/{victim_file.pk}/attachments/").status_code == 404
    upload = api.post(
        f"/api/v1/applications/{victim_file.pk}/attachments/", {"file": pdf()}, format="multipart"
    )
    assert upload.status_code == 404
    assert Attachment.objects.count() == 1


# 5-7: mass assignment


def test_mass_assignment_of_status_and_reference_is_refused(applicant, start_call):
    api = APIClient()
    api.force_authenticate(applicant)
    response = api.post(
        "/api/v1/applications/",
        {
            "call": start_call.slug,
            "organisation": applicant.organisation.pk,
            "status": "selected",
            "reference": "START-2020-0001",
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_mass_assignment_inside_step_data_is_refused(victim_file, applicant):
    api = APIClient()
    api.force_authenticate(applicant)
    response = api.put(
        f"/api/v1/applications/{victim_file.pk}/steps/organisation/",
        {
            "version": victim_file.version,
            "data": {"confirmed": True, "status": "selected", "granted_amount": "999999"},
        },
        format="json",
    )
    # Like the top-level fields: what the step's form does not take is named and refused.
    assert response.status_code == 400
    assert {(e["field"], e["code"]) for e in response.json()["errors"]} == {
        ("data.status", "read_only"),
        ("data.granted_amount", "read_only"),
    }
    victim_file.refresh_from_db()
    assert victim_file.status == Status.DRAFT and victim_file.granted_amount is None
    assert "organisation" not in victim_file.data


def test_mass_assignment_of_recognition_and_organisation_on_the_expert_profile_is_refused():
    expert = ExpertFactory(status="suspended")
    api = APIClient()
    api.force_authenticate(make_member(expert.organisation))
    for field, value in (
        ("status", "active"),
        ("organisation", 1),
        ("files_delivered", 99),
        ("recognised_until", "2099-01-01"),
    ):
        assert api.patch("/api/v1/me/expert/", {field: value}, format="json").status_code == 400
    expert.refresh_from_db()
    assert expert.status == "suspended" and expert.files_delivered == 0


# 8: workflow skip


def test_a_workflow_skip_is_refused_even_for_a_manager():
    manager = staff("programme manager", "START")
    application = submitted_file()
    api = APIClient()
    api.force_authenticate(manager)
    response = api.post(
        f"/api/v1/staff/applications/{application.pk}/transitions/",
        {"to": "completed"},
        format="json",
    )
    # Not one of the workflow's moves from "submitted": not offered, on the page as here.
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("to", "invalid_choice")
    ]
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


# 9-11: staff-only views


def test_staff_views_are_404_for_an_applicant(client, applicant):
    application = submitted_file()
    client.force_login(applicant)
    for url in (
        reverse("applications:staff_queue"),
        reverse("applications:staff_application", args=[application.pk]),
        reverse("stats:dashboard"),
    ):
        assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="permission_denied", user=applicant).count() == 3


def test_staff_views_send_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("applications:staff_queue"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_a_reviewer_of_another_programme_can_neither_read_nor_write(client):
    application = submitted_file()
    login_staff(client, staff("reviewer", "TREMPLIN"))
    before = snapshot()
    assert (
        client.get(reverse("applications:staff_application", args=[application.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("applications:staff_application_note", args=[application.pk]), {"text": "x"}
        ).status_code
        == 404
    )
    assert snapshot() == before


# 12-13: CSRF and state change by GET


def test_a_post_without_csrf_token_is_refused(applicant, victim_file):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    response = client.post(reverse("applications:withdraw", args=[victim_file.pk]))
    assert response.status_code == 403
    victim_file.refresh_from_db()
    assert victim_file.status == Status.DRAFT


def test_a_state_change_by_get_is_refused(client, applicant, victim_file):
    client.force_login(applicant)
    for name in ("withdraw", "submit"):
        assert client.get(reverse(f"applications:{name}", args=[victim_file.pk])).status_code == 405
    victim_file.refresh_from_db()
    assert victim_file.status == Status.DRAFT


# 14-18: authentication


def test_brute_force_log_in_is_locked_out_even_with_the_right_password_afterwards(client):
    UserFactory(email="cible@pme.be")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "cible@pme.be", "password": "devine"})
    response = client.post(
        reverse("account_login"), {"login": "cible@pme.be", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_failed").count() >= 5


def test_log_in_answers_the_same_for_unknown_and_known_addresses(client):
    UserFactory(email="connue@pme.be")
    known = client.post(reverse("account_login"), {"login": "connue@pme.be", "password": "faux"})
    unknown = client.post(
        reverse("account_login"), {"login": "inconnue@pme.be", "password": "faux"}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


def test_password_reset_does_not_reveal_who_has_an_account(client):
    UserFactory(email="connue@pme.be")
    known = client.post(reverse("account_reset_password"), {"email": "connue@pme.be"})
    unknown = client.post(reverse("account_reset_password"), {"email": "inconnue@pme.be"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)


def test_the_session_key_changes_at_log_in_against_session_fixation(client):
    UserFactory(email="julie@pme.be")
    client.get(reverse("account_login"))
    client.session.save()
    fixed = client.session.session_key
    client.post(reverse("account_login"), {"login": "julie@pme.be", "password": DEFAULT_PASSWORD})
    assert client.session.session_key != fixed


def test_log_out_ends_the_session_for_good(client, applicant, victim_file):
    client.force_login(applicant)
    old_key = client.session.session_key
    client.post(reverse("account_logout"))
    replay = Client()
    replay.cookies["sessionid"] = old_key
    assert replay.get(victim_file.get_absolute_url()).status_code == 302  # back to log-in


# 19-20: open redirects


def test_log_in_never_redirects_to_another_site(client):
    UserFactory(email="julie@pme.be")
    response = client.post(
        reverse("account_login") + "?next=https://evil.example/",
        {"login": "julie@pme.be", "password": DEFAULT_PASSWORD, "next": "https://evil.example/"},
    )
    assert "evil.example" not in response.get("Location", "")


def test_the_language_switcher_never_redirects_to_another_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(reverse("set_language"), {"language": "en", "next": target})
        assert response.url == "/"


# 21-22: stored XSS and formula injection


def test_a_script_in_a_name_is_shown_as_text(client, applicant):
    Organisation.objects.filter(pk=applicant.organisation.pk).update(
        name='<script>alert("x")</script>'
    )
    client.force_login(applicant)
    page = client.get(
        reverse("companies:organisation_detail", args=[applicant.organisation.pk])
    ).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert html.escape('<script>alert("x")</script>') in page


def test_exports_neutralise_formulas(client, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    submitted_file(organisation=OrganisationFactory(name='=cmd|"/c calc"!A1'))
    reviewer = staff("reviewer", "START")
    login_staff(client, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:staff_export_create"), {"format": "xlsx"})
    from applications.models import Export

    content = b"".join(
        client.get(
            reverse("applications:staff_export_download", args=[Export.objects.get().pk])
        ).streaming_content
    )
    cell = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))[1][3]
    assert cell.startswith("'=")


# 23-25: uploads


def test_an_oversized_upload_is_refused(client, applicant, victim_file, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    client.force_login(applicant)
    client.post(
        reverse("applications:attachment_upload", args=[victim_file.pk]),
        {"file": pdf("gros.pdf", size=5000)},
    )
    assert Attachment.objects.count() == 1


def test_an_executable_renamed_pdf_is_refused(client, applicant, victim_file):
    client.force_login(applicant)
    exe = SimpleUploadedFile("devis.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100)
    client.post(reverse("applications:attachment_upload", args=[victim_file.pk]), {"file": exe})
    assert Attachment.objects.count() == 1


def test_a_path_traversal_file_name_is_neutralised(client, applicant, victim_file):
    client.force_login(applicant)
    client.post(
        reverse("applications:attachment_upload", args=[victim_file.pk]),
        {"file": pdf("..%2F..%2F../../etc/cron.d/x.pdf")},
    )
    attachment = Attachment.objects.order_by("-pk").first()
    assert "/" not in attachment.original_name and ".." not in attachment.original_name
    assert attachment.file.name.startswith("applications/")


# 26-28: injection in search and ordering, private ordering, huge pages


@pytest.mark.parametrize(
    "payload",
    [
        "' OR 1=1 --",
        "'; DROP TABLE applications_application; --",
        "%' UNION SELECT password FROM accounts_user --",
    ],
)
def test_sql_injection_strings_in_search_are_plain_text(client, payload):
    submitted_file()
    login_staff(client, staff("reviewer", "START"))
    assert (
        client.get(reverse("applications:staff_queue"), {"q": payload}).context["page"].count == 0
    )
    assert client.get(reverse("companies:expert_directory"), {"q": payload}).status_code == 200
    assert Application.objects.count() == 1


def test_ordering_on_a_private_field_is_ignored(client):
    submitted_file()
    login_staff(client, staff("reviewer", "START"))
    response = client.get(reverse("applications:staff_queue"), {"ordering": "created_by__password"})
    assert response.status_code == 200
    assert "created_by__password" not in response.context["filter"].form.cleaned_data.get(
        "ordering", []
    )


def test_huge_page_sizes_are_capped():
    for n in range(3):
        ExpertFactory(organisation__name=f"Expert {n}")
    api = APIClient()
    body = api.get("/api/v1/experts/", {"page_size": 10**9}).json()
    assert len(body["results"]) == 3  # served, but never more than the cap of 100
    assert api.get("/api/v1/experts/", {"page_size": -1}).status_code == 400


# 29: Host header


def test_a_forged_host_header_is_refused(client):
    response = client.get(reverse("account_reset_password"), HTTP_HOST="evil.example")
    assert response.status_code == 400


# 30: GDPR export


def test_the_personal_data_export_contains_only_the_requesters_data(
    client, applicant, victim_file, intruder
):
    client.force_login(intruder)
    data = json.loads(b"".join([client.get(reverse("applications:my_data")).content]))
    text = json.dumps(data)
    assert intruder.email in text
    assert applicant.email not in text and applicant.organisation.name not in text
    assert data["files_started"] == []


def test_erasure_anonymises_the_person_and_keeps_the_files(client, applicant, victim_file):
    client.force_login(applicant)
    email = applicant.email
    client.post(reverse("applications:erase_account"), {"password": DEFAULT_PASSWORD})
    applicant.refresh_from_db()
    assert not applicant.is_active and applicant.email != email and not applicant.first_name
    assert Application.objects.filter(pk=victim_file.pk).exists()
    assert not User.objects.filter(email=email).exists()
    assert AuditEvent.objects.filter(action="erasure", user=applicant).exists()


def test_retention_anonymises_files_closed_long_ago_and_keeps_the_figures():
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    old = submitted_file(status=Status.CLOSED)
    old.data = {
        "contact": {"contact_name": "Julie Dupont", "contact_email": "julie@pme.be"},
        "needs": {"activity": "Boulangerie"},
    }
    old.save()
    Application.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - timedelta(days=365 * 11)
    )
    recent = submitted_file(status=Status.CLOSED)
    recent.data = {"contact": {"contact_name": "Marc Martin"}}
    recent.save()

    call_command("anonymise_old_files", "--years", "10", verbosity=0)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.data["contact"] == {"contact_name": "—", "contact_email": "—"}
    assert old.data["needs"] == {"activity": "Boulangerie"} and old.status == Status.CLOSED
    assert recent.data["contact"]["contact_name"] == "Marc Martin"
    assert AuditEvent.objects.filter(action="retention").exists()
