"""A file's conversation (docs/domain.md, The conversation of a file): the applicant's
organisation and the AdN write at any time while the file is open, the expert company of a
Start IA file takes part; one thread holds the AdN's letters too; unread counts per person."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from adn_portal.accounts.models import Notification, NotificationKind
from adn_portal.mailer.models import OutgoingEmail
from applications import services
from applications.models import ApplicantMessage, MessageAttachment, Side
from applications.workflow import Actor, Status
from tests.auth import login, login_staff
from tests.factories import ExpertFactory, UserFactory, make_member
from tests.fixtures.applicants import pdf
from tests.fixtures.records import chained_event_queries
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    expert = ExpertFactory(organisation__name="Vision Meuse SRL")
    application = submitted_file(expert=expert)
    applicant = application.created_by
    colleague = make_member(application.organisation)
    expert_member = make_member(expert.organisation)
    manager = staff("programme manager", "START", first_name="Claire", last_name="Gérard")
    reviewer = staff("reviewer", "START")
    services.application_assign(application=application, reviewer=reviewer, by=manager)
    Notification.objects.all().delete()  # the assignment's: each test counts its own
    return application, applicant, colleague, expert_member, manager, reviewer


def notified(user, kind=NotificationKind.MESSAGE) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_the_applicant_writes_and_the_staff_following_the_file_and_the_expert_hear_of_it(
    client, world
):
    application, applicant, colleague, expert_member, manager, reviewer = world
    login(client, applicant)

    response = client.post(
        reverse("applications:message_send", args=[application.pk]),
        {"body": "Pouvons-nous décaler le rendez-vous ?"},
    )

    assert response.status_code == 302
    message = ApplicantMessage.objects.get(application=application, kind="message")
    assert (message.author_side, message.sent_by) == (Side.APPLICANT, applicant)
    # The reviewer follows the file (assigned); the managers do not while someone does.
    assert len(notified(reviewer)) == 1 and notified(manager) == []
    assert notified(reviewer)[0].url == f"/espace-adn/dossiers/{application.pk}/messages/"
    assert len(notified(expert_member)) == 1
    assert notified(applicant) == [] and notified(colleague) == []  # the writer's own side
    # The e-mails say something happened and link to the page; the message is not in them.
    for email in OutgoingEmail.objects.all():
        assert "rendez-vous" not in email.body and application.reference in email.subject


def test_a_file_nobody_follows_yet_is_heard_by_its_programmes_managers(client):
    application = submitted_file()
    manager = staff("programme manager", "START")
    other_programme = staff("programme manager", "TREMPLIN")
    conflicted = staff("programme manager", "START")
    services.conflict_declare(reviewer=conflicted, organisation=application.organisation)
    login(client, application.created_by)

    client.post(reverse("applications:message_send", args=[application.pk]), {"body": "Bonjour"})

    assert len(notified(manager)) == 1
    assert notified(other_programme) == [] and notified(conflicted) == []


def test_staff_answer_and_the_applicants_members_are_told_the_writer_follows_the_file(
    client, world
):
    application, applicant, colleague, expert_member, manager, reviewer = world
    login_staff(client, manager)

    response = client.post(
        reverse("applications:staff_conversation", args=[application.pk]),
        {"body": "Oui, le 12 juin convient."},
    )

    assert response.status_code == 302
    assert len(notified(applicant)) == len(notified(colleague)) == 1
    assert notified(applicant)[0].url == f"/dossiers/{application.pk}/#conversation"
    assert len(notified(expert_member)) == 1
    assert notified(reviewer) == []  # staff's own side
    # The manager wrote: from now on they follow the file too.
    login(client, applicant)
    client.post(reverse("applications:message_send", args=[application.pk]), {"body": "Merci"})
    assert len(notified(manager)) == 1 and len(notified(reviewer)) == 1


def test_the_file_page_shows_the_whole_conversation_marks_it_read_and_the_letters_are_in_it(
    client, world
):
    application, applicant, colleague, _expert_member, manager, reviewer = world
    services.application_request_information(
        application=application, by=reviewer, actor=Actor.REVIEWER, message="Le devis ?"
    )
    services.message_post(application=application, by=manager, side=Side.ADN, body="Et merci.")
    login(client, applicant)
    assert unread_on_my_files(client, application) == 2

    page = client.get(application.get_absolute_url())

    assert page.status_code == 200
    shown = [m.pk for m in page.context["conversation"]]
    assert shown == list(application.messages.order_by("pk").values_list("pk", flat=True))
    assert page.context["conversation_new"] == 2
    content = page.content.decode()
    assert "Le devis ?" in content and "Et merci." in content
    assert "Claire" not in content  # staff's names stay within the AdN
    assert unread_on_my_files(client, application) == 0
    assert not Notification.objects.filter(recipient=applicant, read_at__isnull=True).exists()
    # Read per person: the colleague has not read it.
    login(client, colleague)
    assert unread_on_my_files(client, application) == 2


def unread_on_my_files(client, application) -> int:
    page = client.get(reverse("applications:my_applications"))
    assert page.status_code == 200
    row = next(a for a in page.context["applications"] if a.pk == application.pk)
    return row.unread_messages


def test_the_staff_queue_and_file_page_count_the_messages_each_staff_member_has_not_read(
    client, world
):
    application, applicant, _colleague, _expert_member, manager, reviewer = world
    services.message_post(application=application, by=applicant, side=Side.APPLICANT, body="A")
    services.message_post(application=application, by=applicant, side=Side.APPLICANT, body="B")
    login_staff(client, manager)

    queue = client.get(reverse("applications:staff_queue"))
    assert queue.status_code == 200
    assert [a.unread_messages for a in queue.context["page"]] == [2]
    file_page = client.get(reverse("applications:staff_application", args=[application.pk]))
    assert file_page.status_code == 200
    assert file_page.context["application"].unread_messages == 2

    conversation = client.get(reverse("applications:staff_conversation", args=[application.pk]))
    assert conversation.status_code == 200
    assert conversation.context["conversation_new"] == 2
    queue = client.get(reverse("applications:staff_queue"))
    assert [a.unread_messages for a in queue.context["page"]] == [0]
    login_staff(client, reviewer)  # another person: still unread for them
    queue = client.get(reverse("applications:staff_queue"))
    assert [a.unread_messages for a in queue.context["page"]] == [2]


def test_the_expert_company_reads_the_conversation_but_not_the_letters_to_the_applicant(
    client, world
):
    application, applicant, _colleague, expert_member, _manager, reviewer = world
    services.application_request_information(
        application=application, by=reviewer, actor=Actor.REVIEWER, message="Vos bilans ?"
    )
    services.message_post(application=application, by=applicant, side=Side.APPLICANT, body="Hi")
    login(client, expert_member)

    listing = client.get(reverse("applications:expert_applications"))
    assert listing.status_code == 200
    assert [(a.pk, a.unread_messages) for a in listing.context["applications"]] == [
        (application.pk, 1)
    ]
    page = client.get(reverse("applications:expert_conversation", args=[application.pk]))
    assert page.status_code == 200
    assert [m.body for m in page.context["conversation"]] == ["Hi"]
    assert "Vos bilans" not in page.content.decode()

    Notification.objects.all().delete()  # the request's and the message's: count the next
    response = client.post(
        reverse("applications:expert_conversation", args=[application.pk]),
        {"body": "Je propose le mardi."},
    )
    assert response.status_code == 302
    assert ApplicantMessage.objects.filter(author_side=Side.EXPERT, sent_by=expert_member).exists()
    assert len(notified(applicant)) == 1 and len(notified(reviewer)) == 1


def test_only_the_files_parties_reach_its_conversation(client, world):
    application, _applicant, _colleague, _expert_member, _manager, _reviewer = world
    stranger = make_member(submitted_file().organisation)
    elsewhere = staff("reviewer", "TREMPLIN")
    conflicted = staff("reviewer", "START")
    services.conflict_declare(reviewer=conflicted, organisation=application.organisation)
    tremplin_expert = make_member(ExpertFactory().organisation)
    tremplin = submitted_file(expert=tremplin_expert.memberships.get().organisation.expert)
    tremplin.programme = tremplin.call.programme.__class__.objects.get(code="TREMPLIN")
    tremplin.save(update_fields=["programme"])

    login(client, stranger)
    for url in (
        reverse("applications:message_send", args=[application.pk]),
        reverse("applications:expert_conversation", args=[application.pk]),
    ):
        assert client.post(url, {"body": "x"}).status_code == 404
    for user in (elsewhere, conflicted):
        login_staff(client, user)
        url = reverse("applications:staff_conversation", args=[application.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "x"}).status_code == 404
    # An expert company takes part in its Start IA files only.
    login(client, tremplin_expert)
    url = reverse("applications:expert_conversation", args=[tremplin.pk])
    assert client.get(url).status_code == 404
    assert not ApplicantMessage.objects.filter(kind="message").exists()


def test_a_closed_file_keeps_its_conversation_readable_but_not_writable(client, world):
    application, applicant, _colleague, _expert_member, manager, _reviewer = world
    services.message_post(application=application, by=manager, side=Side.ADN, body="Avant.")
    application.status = Status.REJECTED
    application.save(update_fields=["status"])
    login(client, applicant)

    page = client.get(application.get_absolute_url())
    assert page.status_code == 200
    assert "Avant." in page.content.decode()
    assert page.context["conversation_writable"] is False

    response = client.post(
        reverse("applications:message_send", args=[application.pk]), {"body": "Après ?"}
    )
    assert response.status_code == 400
    assert response.context["message_form"].non_field_errors()
    assert not ApplicantMessage.objects.filter(body="Après ?").exists()


def test_a_document_is_checked_by_content_kept_private_and_served_to_the_parties_only(
    client, world
):
    application, applicant, _colleague, expert_member, manager, _reviewer = world
    login(client, applicant)
    fake = SimpleUploadedFile("devis.pdf", b"MZ\x90\x00" * 100, content_type="application/pdf")

    refused = client.post(
        reverse("applications:message_send", args=[application.pk]),
        {"body": "Le devis", "file": fake},
    )
    assert refused.status_code == 400
    assert "file" in refused.context["message_form"].errors
    assert not ApplicantMessage.objects.filter(kind="message").exists()

    sent = client.post(
        reverse("applications:message_send", args=[application.pk]),
        {"body": "Le devis", "file": pdf("devis.pdf")},
    )
    assert sent.status_code == 302
    document = MessageAttachment.objects.get()
    assert document.file.storage is MessageAttachment._meta.get_field("file").storage
    downloaded = client.get(
        reverse("applications:message_attachment", args=[application.pk, document.pk])
    )
    assert downloaded.status_code == 200
    assert downloaded["Cache-Control"] == "private, no-store"
    assert downloaded["Content-Disposition"].startswith('attachment; filename="devis.pdf"')
    login_staff(client, manager)
    staff_url = reverse("applications:staff_message_attachment", args=[application.pk, document.pk])
    assert client.get(staff_url).status_code == 200
    login(client, expert_member)
    expert_url = reverse(
        "applications:expert_message_attachment", args=[application.pk, document.pk]
    )
    assert client.get(expert_url).status_code == 200
    login(client, make_member(submitted_file().organisation))
    other_file = reverse("applications:message_attachment", args=[application.pk, document.pk])
    assert client.get(other_file).status_code == 404


def test_a_person_writing_too_often_on_a_file_is_slowed_down(client, world, settings):
    settings.MESSAGES_PER_PERSON_PER_HOUR = 2
    application, applicant, *_rest = world
    login(client, applicant)
    url = reverse("applications:message_send", args=[application.pk])
    assert client.post(url, {"body": "1"}).status_code == 302
    assert client.post(url, {"body": "2"}).status_code == 302

    third = client.post(url, {"body": "3"})

    assert third.status_code == 400
    assert ApplicantMessage.objects.filter(kind="message").count() == 2


def test_odd_input_is_refused_with_a_reason_never_a_500(client, world):
    application, applicant, *_rest = world
    login(client, applicant)
    url = reverse("applications:message_send", args=[application.pk])
    for body in ("", "   ", "a\x00b", "x" * 5001):
        response = client.post(url, {"body": body})
        assert response.status_code == 400, body
        assert "body" in response.context["message_form"].errors
    assert not ApplicantMessage.objects.filter(kind="message").exists()


def test_the_answer_to_a_request_is_in_the_conversation_and_the_staff_are_told(client, world):
    application, applicant, _colleague, _expert_member, _manager, reviewer = world
    services.application_request_information(
        application=application, by=reviewer, actor=Actor.REVIEWER, message="Le devis ?"
    )
    application.refresh_from_db()

    services.application_answer_information_request(
        application=application, by=applicant, answer="Le voici, en annexe."
    )

    kinds = list(application.messages.order_by("pk").values_list("kind", "author_side"))
    assert kinds == [("info_request", "adn"), ("answer", "applicant")]
    assert len(notified(reviewer, NotificationKind.INFORMATION_ANSWERED)) == 1


@pytest.mark.parametrize("messages", [1, 12])
def test_the_conversation_pages_are_constant_in_queries(
    client, world, django_assert_num_queries, messages
):
    application, applicant, _colleague, _expert_member, manager, _reviewer = world
    for n in range(messages):
        services.message_post(
            application=application,
            by=manager,
            side=Side.ADN,
            body=f"Message {n}",
            upload=pdf(f"p{n}.pdf"),
        )
    login(client, applicant)
    # session, user, the file with its marker and unread count, events, messages with
    # their authors, their documents, the file's documents, the printouts' versions and
    # decisions; then (new messages) the marker upsert, the notifications read (the header's
    # count came with the user)
    with django_assert_num_queries(11):
        assert client.get(application.get_absolute_url()).status_code == 200
    with django_assert_num_queries(9):  # read: nothing more to write
        assert client.get(application.get_absolute_url()).status_code == 200

    login_staff(client, manager)
    # session, user (with roles and programmes), the file (conflicts, reviewer, marker, unread
    # count), the audit row, the thread with its authors, its documents, the claims waiting
    # (the managers' menu); nothing new for the manager, who wrote them: nothing written
    with django_assert_num_queries(6 + chained_event_queries()):
        page = client.get(reverse("applications:staff_conversation", args=[application.pk]))
    assert page.status_code == 200


def test_the_api_reads_and_writes_the_conversation_for_each_side_as_the_pages_do(world):
    application, applicant, _colleague, expert_member, manager, _reviewer = world
    api = APIClient()

    api.force_authenticate(applicant)
    written = api.post(
        f"/api/v1/applications/{application.pk}/messages/",
        {"body": "Bonjour", "file": pdf()},
        format="multipart",
    )
    assert written.status_code == 201
    assert written.json()["author_side"] == "applicant"
    assert [d["original_name"] for d in written.json()["attachments"]] == ["annexe.pdf"]

    api.force_authenticate(manager)
    thread = api.get(f"/api/v1/staff/applications/{application.pk}/messages/")
    assert thread.status_code == 200
    assert [(m["body"], m["new"]) for m in thread.json()] == [("Bonjour", True)]
    again = api.get(f"/api/v1/staff/applications/{application.pk}/messages/")
    assert [m["new"] for m in again.json()] == [False]  # read by the first call
    assert (
        api.post(
            f"/api/v1/staff/applications/{application.pk}/messages/", {"body": ""}, format="json"
        ).status_code
        == 400
    )

    api.force_authenticate(expert_member)
    answer = api.post(
        f"/api/v1/me/expert/files/{application.pk}/messages/", {"body": "Mardi ?"}, format="json"
    )
    assert answer.status_code == 201
    assert [
        m["body"] for m in api.get(f"/api/v1/me/expert/files/{application.pk}/messages/").json()
    ] == [
        "Bonjour",
        "Mardi ?",
    ]

    api.force_authenticate(UserFactory())
    assert api.get(f"/api/v1/applications/{application.pk}/messages/").status_code == 404
    assert api.get(f"/api/v1/me/expert/files/{application.pk}/messages/").status_code == 404


def test_the_page_that_reads_its_notifications_shows_the_badge_without_them(client, world):
    """The header's count is loaded with the session's user; the file page reads the
    conversation's notifications after that, and its badge counts only the others."""
    from adn_portal.accounts.notifications.services import notification_send

    application, applicant, _colleague, _expert_member, manager, _reviewer = world
    services.message_post(application=application, by=manager, side=Side.ADN, body="Bonjour")
    services.message_post(application=application, by=manager, side=Side.ADN, body="Encore")
    notification_send(
        recipients=[applicant],
        kind=NotificationKind.PAYMENT,
        text="Payment",
        url="/",
        target="payment:1",
    )
    login(client, applicant)

    page = client.get(application.get_absolute_url())

    assert page.status_code == 200
    assert 'id="unread-notifications">1<' in page.content.decode()
    assert Notification.objects.filter(recipient=applicant, read_at__isnull=True).count() == 1
