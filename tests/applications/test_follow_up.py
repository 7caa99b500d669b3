import pytest
from django.urls import reverse

from adn_portal.mailer.models import OutgoingEmail
from applications import services
from applications.models import Application, ApplicationEvent, OutcomeReport
from applications.workflow import Actor, Status
from tests.factories import CallFactory
from tests.fixtures.applicants import DECLARATIONS, fill_steps, pdf
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(client, applicant, start_call, expert) -> Application:
    client.force_login(applicant)
    application = services.application_start(
        call=start_call, organisation=applicant.organisation, by=applicant
    )
    fill_steps(client, application, expert)
    return services.application_submit(
        application=application,
        by=applicant,
        declarations=DECLARATIONS,
    )


@pytest.fixture
def reviewer(db):
    return staff("reviewer", "START")  # asking for information needs a reviewer of the programme


def test_answering_an_information_request_keeps_the_earlier_version_and_returns_the_file(
    client, applicant, submitted, reviewer
):
    services.application_request_information(
        application=submitted, by=reviewer, actor=Actor.REVIEWER, message="Précisez vos données."
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.INFO_REQUESTED
    assert OutgoingEmail.objects.filter(
        to=applicant.email, body__contains="Précisez vos données."
    ).exists()
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "Précisez vos données." in page

    # The applicant corrects a step and adds a document, then answers.
    step_url = reverse("applications:step", args=[submitted.pk, "needs"])
    values = {
        "activity": "Menuiserie.",
        "challenges": "Planifier.",
        "available_data": "Dix ans de commandes.",
        "maturity": "exploring",
        "expected_benefits": "Moins de retards.",
    }
    client.post(step_url, {**values, "save_continue": "1"})
    client.post(
        reverse("applications:attachment_upload", args=[submitted.pk]),
        {"file": pdf("donnees.pdf"), "kind": "annex"},
    )
    client.post(
        reverse("applications:answer", args=[submitted.pk]), {"answer": "Voici nos données."}
    )

    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    first, second = submitted.versions.order_by("number")
    assert first.data["needs"]["available_data"] == "Historique des commandes."
    assert second.data["needs"]["available_data"] == "Dix ans de commandes."
    assert submitted.attachments.get().version == second
    assert submitted.events.filter(
        kind=ApplicationEvent.Kind.ANSWER, comment="Voici nos données."
    ).exists()
    assert submitted.messages.get(kind="info_request").answered_at is not None


def test_an_information_request_from_review_returns_to_review(applicant, submitted, reviewer):
    services.application_transition(
        application=submitted, to=Status.ELIGIBILITY_CHECK, by=reviewer, actor=Actor.REVIEWER
    )
    services.application_transition(
        application=submitted, to=Status.UNDER_REVIEW, by=reviewer, actor=Actor.REVIEWER
    )
    services.application_request_information(
        application=submitted, by=reviewer, actor=Actor.REVIEWER, message="Budget ?"
    )
    services.application_answer_information_request(
        application=submitted, by=applicant, answer="Le voici."
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.UNDER_REVIEW


def test_an_empty_answer_is_refused(client, applicant, submitted, reviewer):
    services.application_request_information(
        application=submitted, by=reviewer, actor=Actor.REVIEWER, message="?"
    )
    response = client.post(reverse("applications:answer", args=[submitted.pk]), {"answer": "  "})
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == Status.INFO_REQUESTED


@pytest.mark.parametrize(
    ("source", "target", "actor"),
    [
        (Status.DRAFT, Status.SELECTED, Actor.MANAGER),
        (Status.SUBMITTED, Status.SELECTED, Actor.MANAGER),
        (Status.SUBMITTED, Status.ELIGIBILITY_CHECK, Actor.APPLICANT),
        (Status.UNDER_REVIEW, Status.SELECTED, Actor.REVIEWER),
        (Status.IN_PROGRESS, Status.COMPLETED, Actor.MANAGER),
        (Status.WITHDRAWN, Status.SUBMITTED, Actor.APPLICANT),
    ],
)
def test_an_illegal_transition_is_refused_by_the_service_whoever_calls(
    applicant, submitted, source, target, actor
):
    Application.objects.filter(pk=submitted.pk).update(status=source)
    submitted.refresh_from_db()
    events = submitted.events.count()
    with pytest.raises(services.ApplicationError):
        services.application_transition(application=submitted, to=target, by=applicant, actor=actor)
    submitted.refresh_from_db()
    assert submitted.status == source
    assert submitted.events.count() == events


def test_the_final_report_moves_a_running_project_to_report_submitted(client, applicant, submitted):
    Application.objects.filter(pk=submitted.pk).update(status=Status.IN_PROGRESS)
    response = client.post(
        reverse("applications:report", args=[submitted.pk]),
        {
            "summary": "Un modèle de planification en production.",
            "investment_before": "10000",
            "investment_after": "24000",
            "improved_competitiveness": "yes",
            "improved_quality": "no",
            "in_production": "yes",
            "jobs_created": "1",
            "would_recommend": "yes",
        },
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.REPORT_SUBMITTED
    outcome = OutcomeReport.objects.get()
    assert (
        outcome.improved_competitiveness,
        outcome.improved_quality,
        outcome.would_recommend,
    ) == (True, False, True)


def test_the_survey_needs_an_explicit_answer_to_each_question(client, applicant, submitted):
    Application.objects.filter(pk=submitted.pk).update(status=Status.IN_PROGRESS)
    response = client.post(
        reverse("applications:report", args=[submitted.pk]),
        {"summary": "x", "investment_before": "-5", "investment_after": "1", "jobs_created": "0"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {
        "investment_before",
        "improved_competitiveness",
        "would_recommend",
    }
    assert not OutcomeReport.objects.exists()


def test_a_second_open_file_in_the_same_programme_is_not_created(client, applicant, submitted):
    other_call = CallFactory(programme=submitted.programme)
    again = services.application_start(
        call=other_call, organisation=applicant.organisation, by=applicant
    )
    assert again == submitted
    assert Application.objects.count() == 1


def test_the_database_refuses_two_open_files_per_programme(applicant, submitted):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            call=submitted.call,
            programme=submitted.programme,
            organisation=applicant.organisation,
            created_by=applicant,
        )


@pytest.mark.parametrize("files", [1, 8])
def test_my_files_query_count_does_not_grow_with_files(
    client, applicant, django_assert_num_queries, files
):
    from programs.models import Programme

    client.force_login(applicant)
    for n in range(files):
        call = CallFactory(programme=Programme.objects.get(code="START"))
        Application.objects.create(
            call=call,
            programme=call.programme,
            organisation=applicant.organisation,
            created_by=applicant,
            status=Status.WITHDRAWN,
            reference=f"START-2026-{n:04d}",
        )
    with django_assert_num_queries(
        4
    ):  # session, user, active organisation, files with call and programme
        assert client.get(reverse("applications:my_applications")).status_code == 200


@pytest.mark.parametrize("history", [1, 10])
def test_the_file_page_query_count_does_not_grow_with_events_and_documents(
    client, applicant, submitted, reviewer, django_assert_num_queries, history
):
    from django.core.files.base import ContentFile

    from applications.models import ApplicantMessage, Attachment

    for n in range(history):
        ApplicationEvent.objects.create(
            application=submitted, kind=ApplicationEvent.Kind.UPLOAD, comment=f"a{n}.pdf"
        )
        ApplicantMessage.objects.create(
            application=submitted, kind="other", subject=f"Message {n}", body="…"
        )
        attachment = Attachment(
            application=submitted,
            original_name=f"a{n}.pdf",
            content_type="application/pdf",
            size=9,
            sha256="0" * 64,
            uploaded_by=applicant,
            version=submitted.versions.get(),
        )
        attachment.file.save(f"applications/a{n}.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    page = None
    # session, user, the file with its call, organisation and expert; its events, letters and
    # messages, their documents, the file's documents; the conversation and its notification
    # marked read (the header's count came with the user); the versions; the conversation's
    # unread marks
    with django_assert_num_queries(11):
        page = client.get(submitted.get_absolute_url())
    assert page.status_code == 200
    assert (
        page.content.decode().count("a0.pdf") >= 1
        and len(page.context["application"].documents) == history
    )
