"""A declared conflict of interest holds on every staff read and action (issue 16): the member of
staff does not see the organisation's files (queue, file page, documents, exports, API, admin),
cannot act on them through any service, and scores given before the declaration do not count."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from adn_portal.accounts.models import AuditEvent
from applications import guards, services
from applications.models import (
    ApplicantMessage,
    Application,
    ApplicationEvent,
    Assignment,
    Attachment,
    ConflictOfInterest,
    Export,
    Score,
)
from applications.workflow import Status
from tests.auth import login_staff
from tests.factories import ExpertFactory, UserFactory
from tests.fixtures.staff import review, scored_call, staff, submitted_file

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"0" * 100


@pytest.fixture
def conflict(db):
    """A file under review with a document; a reviewer and a manager of its programme who both
    declared a conflict of interest with its organisation; a colleague without any."""
    call = scored_call()
    application = submitted_file(call, status=Status.UNDER_REVIEW, expert_chosen_by_adn=True)
    attachment = Attachment(
        application=application,
        original_name="bilan.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        uploaded_by=application.created_by,
    )
    attachment.file.save("bilan.pdf", ContentFile(PDF), save=True)
    reviewer = staff("reviewer", "START", last_name="Conflit")
    manager = staff("programme manager", "START", last_name="Gestion")
    colleague = staff("reviewer", "START", last_name="Libre")
    for person in (reviewer, manager):
        services.conflict_declare(
            reviewer=person, organisation=application.organisation, reason="Ancien employeur"
        )
    other = submitted_file(call)  # another organisation's file: theirs to handle
    return {
        "application": application,
        "attachment": attachment,
        "reviewer": reviewer,
        "manager": manager,
        "colleague": colleague,
        "other": other,
        "criteria": list(call.criteria.all()),
    }


def _stored(application) -> tuple:
    application.refresh_from_db()
    return (
        application.status,
        application.expert_id,
        ApplicationEvent.objects.filter(application=application).count(),
        Score.objects.filter(application=application).count(),
        Assignment.objects.filter(application=application).count(),
        ApplicantMessage.objects.filter(application=application).count(),
    )


# --- reads -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "manager"])
def test_the_queue_and_its_counts_leave_out_a_conflicted_file_on_the_page_and_the_api(
    client, conflict, who
):
    person = conflict[who]
    login_staff(client, person)
    response = client.get(reverse("applications:staff_queue"))
    assert response.status_code == 200
    assert [f.reference for f in response.context["page"]] == [conflict["other"].reference]
    # Only the other file is counted: the tabs and the page's total agree with the list.
    assert {s: n for s, _label, n in response.context["tabs"]} == {"submitted": 1}
    assert response.context["page"].count == 1

    api = APIClient()
    api.force_authenticate(person)
    listed = api.get("/api/v1/staff/applications/")
    assert listed.status_code == 200
    assert [f["reference"] for f in listed.json()["results"]] == [conflict["other"].reference]


def test_a_colleague_without_a_conflict_still_sees_the_file(client, conflict):
    login_staff(client, conflict["colleague"])
    url = reverse("applications:staff_application", args=[conflict["application"].pk])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["reviewer", "manager"])
def test_the_file_page_its_documents_and_the_api_answer_404_to_a_conflicted_reader(
    client, conflict, who
):
    application, attachment = conflict["application"], conflict["attachment"]
    login_staff(client, conflict[who])
    for url in (
        reverse("applications:staff_application", args=[application.pk]),
        reverse("applications:staff_application_attachment", args=[application.pk, attachment.pk]),
    ):
        assert client.get(url).status_code == 404, url
    api = APIClient()
    api.force_authenticate(conflict[who])
    assert api.get(f"/api/v1/staff/applications/{application.pk}/").status_code == 404
    # Nothing was read: no audit row of a file viewed or a document downloaded.
    assert not AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.FILE_VIEWED, AuditEvent.Action.DOCUMENT_DOWNLOADED]
    ).exists()


def test_an_export_leaves_out_the_conflicted_files(
    client, conflict, django_capture_on_commit_callbacks
):
    login_staff(client, conflict["reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:staff_export_create"), {"format": "csv"})
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.state == Export.State.READY and export.rows == 1
    content = export.file.open("rb").read().decode("utf-8-sig")
    assert conflict["other"].reference in content
    assert conflict["application"].reference not in content


def test_the_admin_leaves_out_the_files_of_an_administrators_conflict(client, conflict):
    administrator = UserFactory(is_staff=True, is_superuser=True)
    services.conflict_declare(
        reviewer=administrator, organisation=conflict["application"].organisation
    )
    login_staff(client, administrator)
    listing = client.get(reverse("admin:applications_application_changelist"))
    assert listing.status_code == 200
    assert conflict["application"].reference not in listing.content.decode()
    assert conflict["other"].reference in listing.content.decode()
    change = reverse("admin:applications_application_change", args=[conflict["application"].pk])
    assert client.get(change).status_code == 302  # the admin's "does not exist" redirect


# --- actions: pages, API, services ------------------------------------------------------------


def _page_actions(conflict) -> list[tuple[str, str, dict]]:
    scores = {f"score_{c.pk}": "4" for c in conflict["criteria"]} | {
        f"comment_{c.pk}": "" for c in conflict["criteria"]
    }
    expert = ExpertFactory()
    return [
        (
            "reviewer",
            "staff_application_transition",
            {"to": "rejected", "expected_status": "under_review"},
        ),
        (
            "manager",
            "staff_application_decide",
            {"decision": "rejected", "expected_status": "under_review"},
        ),
        ("reviewer", "staff_application_request_information", {"message": "Le devis ?"}),
        ("reviewer", "staff_application_score", scores),
        ("reviewer", "staff_application_note", {"text": "Vu."}),
        ("manager", "staff_application_assign", {"reviewer": str(conflict["colleague"].pk)}),
        ("manager", "staff_application_assign_expert", {"expert": str(expert.pk)}),
    ]


def test_every_staff_action_page_answers_404_on_a_conflicted_file_and_changes_nothing(
    client, conflict
):
    application = conflict["application"]
    before = _stored(application)
    for who, name, data in _page_actions(conflict):
        login_staff(client, conflict[who])
        response = client.post(reverse(f"applications:{name}", args=[application.pk]), data)
        assert response.status_code == 404, name
        assert _stored(application) == before, name


def test_a_batch_decision_leaves_a_conflicted_file_alone(client, conflict):
    application = conflict["application"]
    before = _stored(application)
    login_staff(client, conflict["manager"])
    client.post(
        reverse("applications:staff_queue_batch"),
        {"action": "rejected", "files": [application.pk], "comment": ""},
    )
    client.post(reverse("applications:staff_queue_batch"), {"action": "auto_assign"})
    assert _stored(application) == before


def test_every_staff_endpoint_answers_404_on_a_conflicted_file_and_changes_nothing(conflict):
    application = conflict["application"]
    url = f"/api/v1/staff/applications/{application.pk}"
    scores = {str(c.pk): {"value": 4, "comment": ""} for c in conflict["criteria"]}
    before = _stored(application)
    for who, action, body in [
        ("reviewer", "transitions", {"to": "rejected"}),
        ("manager", "transitions", {"to": "rejected"}),
        ("reviewer", "information-requests", {"message": "Le devis ?"}),
        ("reviewer", "scores", {"scores": scores}),
        ("reviewer", "notes", {"text": "Vu."}),
        ("manager", "assignment", {"reviewer": conflict["colleague"].pk}),
    ]:
        api = APIClient()
        api.force_authenticate(conflict[who])
        response = api.post(f"{url}/{action}/", body, format="json")
        assert response.status_code == 404, action
        assert _stored(application) == before, action


def test_every_staff_service_refuses_an_actor_with_a_conflict(conflict):
    application, reviewer, manager = (
        conflict["application"],
        conflict["reviewer"],
        conflict["manager"],
    )
    scores = {c.pk: (4, "") for c in conflict["criteria"]}
    before = _stored(application)
    attempts = {
        "open a review": lambda: services.review_open(application=application, reviewer=reviewer),
        "review": lambda: services.review_save(
            application=application, reviewer=reviewer, scores=scores
        ),
        "move": lambda: services.application_staff_transition(
            application=application, to=Status.WAITLISTED, by=manager
        ),
        "decide": lambda: services.application_decide(
            application=application, decision=Status.REJECTED, by=manager
        ),
        "ask": lambda: services.application_request_information(
            application=application, by=reviewer, actor=services.staff_actor(reviewer), message="?"
        ),
        "note": lambda: services.application_add_note(
            application=application, by=reviewer, text="Vu."
        ),
        "assign": lambda: services.application_assign(
            application=application, reviewer=conflict["colleague"], by=manager
        ),
        "choose an expert": lambda: services.application_assign_expert(
            application=application, expert=ExpertFactory(), by=manager
        ),
    }
    for name, attempt in attempts.items():
        with translation.override("en"), pytest.raises(services.ApplicationError) as raised:
            attempt()
        assert "conflict of interest" in str(raised.value), name
        assert _stored(application) == before, name
    refused = services.applications_decide_batch(
        applications=Application.objects.filter(pk=application.pk),
        decision=Status.REJECTED,
        by=manager,
    )
    assert refused["done"] == [] and len(refused["refused"]) == 1
    assert guards.staff_refusal(conflict["colleague"], application) is None


def test_reviews_given_before_a_conflict_was_declared_no_longer_count(client, conflict):
    application, colleague = conflict["application"], conflict["colleague"]
    manager = staff("programme manager", "START")
    review(application, colleague, 5)
    assert guards.has_submitted_review(application)
    services.conflict_declare(reviewer=colleague, organisation=application.organisation)

    assert not guards.has_submitted_review(application)
    with translation.override("en"), pytest.raises(services.ApplicationError, match="a review"):
        services.application_decide(application=application, decision=Status.SELECTED, by=manager)
    login_staff(client, manager)
    page = client.get(reverse("applications:staff_application", args=[application.pk]))
    assert page.status_code == 200
    assert page.context["summary"]["submitted"] == [] and page.context["summary"]["mean"] is None
    api = APIClient()
    api.force_authenticate(manager)
    file = api.get(f"/api/v1/staff/applications/{application.pk}/")
    assert file.status_code == 200 and file.json()["scores"] == []


def test_a_conflict_declared_in_the_admin_takes_the_reviewers_files_back(client, conflict):
    application, colleague = conflict["other"], conflict["colleague"]
    services.application_assign(application=application, reviewer=colleague, by=conflict["manager"])
    administrator = UserFactory(is_staff=True, is_superuser=True)
    login_staff(client, administrator)
    response = client.post(
        reverse("admin:applications_conflictofinterest_add"),
        {"reviewer": colleague.pk, "organisation": application.organisation_id, "reason": "Cousin"},
    )
    assert response.status_code == 302
    assert not Assignment.objects.filter(application=application, ended_at__isnull=True).exists()
    login_staff(client, colleague)
    url = reverse("applications:staff_application", args=[application.pk])
    assert client.get(url).status_code == 404


def test_a_conflict_is_not_edited_in_the_admin_but_taken_back_through_the_service(client, conflict):
    declared = ConflictOfInterest.objects.get(reviewer=conflict["reviewer"])
    administrator = UserFactory(is_staff=True, is_superuser=True)
    login_staff(client, administrator)
    response = client.post(
        reverse("admin:applications_conflictofinterest_change", args=[declared.pk]),
        {"reviewer": conflict["colleague"].pk, "organisation": declared.organisation_id},
    )
    assert response.status_code == 403
    declared.refresh_from_db()
    assert declared.reviewer == conflict["reviewer"]
    response = client.post(
        reverse("admin:applications_conflictofinterest_delete", args=[declared.pk]),
        {"post": "yes"},
    )
    assert response.status_code == 302
    assert not ConflictOfInterest.objects.filter(pk=declared.pk).exists()
    login_staff(client, conflict["reviewer"])
    url = reverse("applications:staff_application", args=[conflict["application"].pk])
    assert client.get(url).status_code == 200
