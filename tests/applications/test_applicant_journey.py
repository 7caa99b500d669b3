import html
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from adn_portal.mailer.models import OutgoingEmail
from applications.models import Application, ApplicationEvent, ApplicationVersion
from applications.workflow import Status
from tests.fixtures.applicants import DECLARED, fill_steps, pdf

pytestmark = pytest.mark.django_db

SAVED_ELSEWHERE = (
    "This step was saved elsewhere while you were writing (in another tab or window, or by a "
    "colleague). Your text is not saved yet: compare it with the saved one and choose."
)


def start(client, call) -> Application:
    response = client.post(reverse("applications:start", args=[call.slug]))
    application = Application.objects.get()
    assert response.url == reverse("applications:step", args=[application.pk, "organisation"])
    return application


def test_an_sme_applies_to_start_ia_and_gets_a_reference_and_an_acknowledgement(
    client, applicant, start_call, expert, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    application = start(client, start_call)
    fill_steps(client, application, expert)
    client.post(
        reverse("applications:attachment_upload", args=[application.pk]),
        {"file": pdf(), "kind": "annex"},
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:submit", args=[application.pk]), DECLARED)

    application.refresh_from_db()
    year = timezone.localdate().year
    assert response.status_code == 302
    assert application.status == Status.SUBMITTED
    assert application.reference == f"START-{year}-0001"
    assert application.expert == expert
    assert application.versions.get().data["needs"]["maturity"] == "exploring"
    assert application.attachments.get().version == application.versions.get()
    acknowledgement = OutgoingEmail.objects.get(to=applicant.email)
    assert acknowledgement.sent_at is not None
    assert application.reference in mail.outbox[-1].subject
    page = client.get(application.get_absolute_url()).content.decode()
    assert application.reference in page and "annexe.pdf" in page


def test_the_acknowledgement_is_written_in_the_applicants_language(
    client, applicant, start_call, expert
):
    applicant.language = "de"
    applicant.save()
    client.force_login(applicant)
    application = start(client, start_call)
    fill_steps(client, application, expert)
    client.post(reverse("applications:submit", args=[application.pk]), DECLARED)
    application.refresh_from_db()
    subject = application.messages.get().subject
    assert "Antrag" in subject and application.reference in subject
    assert OutgoingEmail.objects.get(to=applicant.email).subject == subject


def test_a_draft_is_kept_step_by_step_and_resumed_later(client, applicant, start_call):
    client.force_login(applicant)
    application = start(client, start_call)
    url = reverse("applications:step", args=[application.pk, "needs"])
    client.post(url, {"activity": "Menuiserie.", "version": "1", "save_draft": "1"})

    other_device = client.__class__()
    other_device.force_login(applicant)
    form = other_device.get(url).context["form"]
    assert form.initial["activity"] == "Menuiserie."
    application.refresh_from_db()
    assert "needs" not in application.completed_steps  # saved, but not complete


def test_a_step_with_errors_lists_them_above_the_form_each_linked_to_its_field(
    client, applicant, start_call
):
    client.force_login(applicant)
    application = start(client, start_call)
    url = reverse("applications:step", args=[application.pk, "contact"])
    response = client.post(
        url,
        {
            "contact_name": "Julie",
            "contact_email": "pas-un-email",
            "version": "1",
            "save_continue": "1",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Erreur : " in page  # the first words a screen reader reads
    summary = page[
        page.index('class="alert alert-danger error-summary"') : page.index(
            "</ul>", page.index("error-summary")
        )
    ]
    assert 'role="alert"' in page and "autofocus" in summary
    assert "Ce formulaire contient 3 problèmes" in summary
    assert (
        '<a href="#id_contact_email">E-mail : Saisissez une adresse e-mail valide.</a>' in summary
    )
    assert 'href="#id_contact_function"' in summary and 'href="#id_contact_phone"' in summary
    assert 'href="#id_contact_name"' not in summary  # filled in: no error
    assert 'aria-describedby="id_contact_email_error"' in page  # the field names its error

    assert "error-summary" not in client.get(url).content.decode()  # a fresh step: no summary


def test_two_colleagues_editing_the_same_draft_get_a_conflict_not_a_silent_overwrite(
    client, applicant, start_call
):
    from tests.factories import make_member

    colleague = make_member(applicant.organisation, role="member")
    client.force_login(applicant)
    application = start(client, start_call)
    url = reverse("applications:step", args=[application.pk, "needs"])

    other = client.__class__()
    other.force_login(colleague)
    other.post(url, {"activity": "Version de la collègue.", "version": "1", "save_draft": "1"})
    response = client.post(url, {"activity": "Ma version.", "version": "1", "save_draft": "1"})

    application.refresh_from_db()
    assert response.status_code == 409
    assert application.data["needs"]["activity"] == "Version de la collègue."
    page = html.unescape(response.content.decode())
    # Worded for any other save: a colleague's, or the same person's in another tab.
    with translation.override("fr"):
        assert gettext(SAVED_ELSEWHERE) in page
    assert "Ma version." in page and "Version de la collègue." in page  # both, to choose


def test_checks_are_shown_before_submission_in_plain_french(client, applicant, start_call, expert):
    (
        applicant.organisation.postcode,
        applicant.organisation.municipality,
        applicant.organisation.province,
    ) = "1000", "Bruxelles", "outside"
    applicant.organisation.save()
    client.force_login(applicant)
    application = start(client, start_call)
    fill_steps(client, application, expert)

    response = client.get(reverse("applications:review", args=[application.pk]))
    assert response.status_code == 200
    assert "n'est pas en Wallonie" in html.unescape(response.content.decode())


def test_the_programme_reference_is_taken_after_the_snapshot_and_the_acknowledgement(
    client, applicant, start_call, expert
):
    """Every submission of a programme and year waits for its counter's row lock, held until
    commit: the snapshot and the rendering come before it, and the acknowledgement rendered
    before the number existed still carries it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from applications.models import ApplicantMessage, ReferenceSequence

    client.force_login(applicant)
    application = start(client, start_call)
    fill_steps(client, application, expert)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("applications:submit", args=[application.pk]), DECLARED)

    assert response.status_code == 302
    statements = [query["sql"] for query in queries]
    counter = next(n for n, sql in enumerate(statements) if ReferenceSequence._meta.db_table in sql)
    version_insert = next(
        n
        for n, sql in enumerate(statements)
        if sql.startswith(f'INSERT INTO "{ApplicationVersion._meta.db_table}"')
    )
    assert version_insert < counter
    application.refresh_from_db()
    message = application.messages.get(kind=ApplicantMessage.Kind.ACKNOWLEDGEMENT)
    assert application.reference in message.subject and application.reference in message.body
    assert "reference-" not in message.subject + message.body
    assert OutgoingEmail.objects.get(to=applicant.email).body == message.body


def test_a_failed_check_refuses_the_submission_and_keeps_the_draft(
    client, applicant, start_call, expert
):
    applicant.organisation.postcode, applicant.organisation.province = "1000", "outside"
    applicant.organisation.save()
    client.force_login(applicant)
    application = start(client, start_call)
    fill_steps(client, application, expert)

    response = client.post(reverse("applications:submit", args=[application.pk]), DECLARED)

    application.refresh_from_db()
    assert response.status_code == 422
    assert application.status == Status.DRAFT and application.reference is None
    assert not ApplicationVersion.objects.exists()
    assert [c.rule for c in response.context["checks"] if not c.passed] == ["walloon_seat"]


def test_submission_after_the_deadline_is_refused_and_the_draft_survives(
    client, applicant, start_call, expert
):
    client.force_login(applicant)
    application = start(client, start_call)
    fill_steps(client, application, expert)
    start_call.closes_at = timezone.now() - timedelta(minutes=1)
    start_call.save()

    response = client.post(reverse("applications:submit", args=[application.pk]), DECLARED)

    application.refresh_from_db()
    assert response.status_code == 422
    assert application.status == Status.DRAFT
    assert "clôturé" in response.content.decode()


def test_a_double_submit_creates_one_submission(client, applicant, start_call, expert):
    client.force_login(applicant)
    application = start(client, start_call)
    fill_steps(client, application, expert)
    for _ in range(3):
        client.post(reverse("applications:submit", args=[application.pk]), DECLARED)
    application.refresh_from_db()
    assert application.reference.endswith("-0001")
    assert application.versions.count() == 1
    assert (
        application.events.filter(
            kind=ApplicationEvent.Kind.TRANSITION, to_status=Status.SUBMITTED
        ).count()
        == 1
    )
    assert OutgoingEmail.objects.filter(to=applicant.email).count() == 1


def test_a_missing_step_blocks_the_submission(client, applicant, start_call, expert):
    client.force_login(applicant)
    application = start(client, start_call)
    fill_steps(client, application, expert, steps={"organisation": {"confirmed": "on"}})
    response = client.post(reverse("applications:submit", args=[application.pk]), DECLARED)
    assert response.status_code == 422
    failed = [c for c in response.context["checks"] if not c.passed]
    assert failed[0].rule == "complete"
    assert "Personne de contact" in failed[0].message


def test_submitted_content_is_frozen(client, applicant, start_call, expert):
    client.force_login(applicant)
    application = start(client, start_call)
    fill_steps(client, application, expert)
    client.post(reverse("applications:submit", args=[application.pk]), DECLARED)
    response = client.post(
        reverse("applications:step", args=[application.pk, "needs"]),
        {"activity": "Changé", "version": "99", "save_draft": "1"},
    )
    application.refresh_from_db()
    assert response.status_code == 302
    assert application.data["needs"]["activity"] == "Menuiserie industrielle."


def test_the_applicant_withdraws_a_file_that_is_not_decided(client, applicant, start_call, expert):
    client.force_login(applicant)
    application = start(client, start_call)
    fill_steps(client, application, expert)
    client.post(reverse("applications:submit", args=[application.pk]), DECLARED)
    client.post(
        reverse("applications:withdraw", args=[application.pk]), {"reason": "Projet reporté."}
    )
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert application.events.last().comment == "Projet reporté."


def test_a_broker_failure_never_loses_the_submission_nor_sends_twice(
    client, applicant, start_call, expert, django_capture_on_commit_callbacks
):
    from unittest import mock

    from kombu.exceptions import OperationalError

    from adn_portal.mailer import tasks
    from adn_portal.mailer.services import emails_resend_unsent

    client.force_login(applicant)
    application = start(client, start_call)
    fill_steps(client, application, expert)
    down = mock.patch.object(
        tasks.send_outgoing_email, "delay", side_effect=OperationalError("Connection refused")
    )
    with down, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:submit", args=[application.pk]), DECLARED)

    application.refresh_from_db()
    assert response.status_code == 302
    assert application.status == Status.SUBMITTED
    email = OutgoingEmail.objects.get(to=applicant.email)
    assert email.sent_at is None and mail.outbox == []

    # The broker is back: the beat sweeper sends it, once.
    assert emails_resend_unsent(older_than=timedelta(0)) == 1
    assert emails_resend_unsent(older_than=timedelta(0)) == 0
    assert [m.to for m in mail.outbox] == [[applicant.email]]
