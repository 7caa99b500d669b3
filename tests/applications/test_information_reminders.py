"""The daily reminder of unanswered requests for information (applications.services.reminders,
beat task applications.tasks.send_reminders). Through a live worker on
PostgreSQL and Redis: tests/services/test_beat_tasks.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from adn_portal.mailer.models import OutgoingEmail
from applications import services, tasks
from applications.models import ApplicationEvent
from applications.workflow import Actor, Status
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db


def information_requested(*, due_in_days: int, language: str = "fr"):
    applicant = make_member(OrganisationFactory(), UserFactory(language=language))
    organisation = applicant.memberships.get().organisation
    application = submitted_file(applicant=applicant, organisation=organisation)
    reviewer = staff("reviewer", "START")
    services.application_request_information(
        application=application,
        by=reviewer,
        actor=Actor.REVIEWER,
        message="Joignez votre plan financier.",
        due_date=timezone.localdate() + timedelta(days=due_in_days),
    )
    application.refresh_from_db()
    return application, applicant


def test_a_request_due_tomorrow_is_recalled_once_in_the_applicants_language():
    application, applicant = information_requested(due_in_days=1, language="de")
    today = timezone.localdate()

    assert tasks.send_reminders.run()["information_requests"] == 1
    assert (
        tasks.send_reminders.run()["information_requests"] == 0
    )  # the same day again: nobody twice

    reminder = OutgoingEmail.objects.filter(to=applicant.email).latest("pk")
    assert application.reference in reminder.subject
    due = today + timedelta(days=1)
    assert f"{due.day}. " in reminder.body or f"{due.day} " in reminder.body
    german_month = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                    "September", "Oktober", "November", "Dezember"][due.month - 1]  # fmt: skip
    assert german_month in reminder.body
    assert f"/dossiers/{application.pk}/reponse/" in reminder.body
    request = application.messages.get(kind="info_request")
    assert request.reminded_at is not None
    assert application.events.filter(
        kind=ApplicationEvent.Kind.MESSAGE, comment=reminder.subject, by=None
    ).exists()


def test_a_request_is_recalled_again_once_the_interval_has_passed(settings):
    settings.INFO_REQUEST_REMINDER_DAYS = 7
    information_requested(due_in_days=0)
    now = timezone.now()
    assert services.information_requests_remind(now=now) == 1

    assert services.information_requests_remind(now=now + timedelta(days=6)) == 0
    assert services.information_requests_remind(now=now + timedelta(days=7)) == 1
    assert services.information_requests_remind(now=now + timedelta(days=7, hours=1)) == 0


def test_an_overdue_request_says_when_the_answer_was_due():
    application, applicant = information_requested(due_in_days=-3, language="en")

    assert tasks.send_reminders.run()["information_requests"] == 1
    reminder = OutgoingEmail.objects.filter(to=applicant.email).latest("pk")
    due = timezone.localdate() - timedelta(days=3)
    assert f"Reminder: your answer on {application.reference} was due on" in reminder.body
    assert f"{due.day} {due:%B} {due.year}" in reminder.body  # the date as the portal writes it


def test_a_request_due_later_is_not_recalled_yet():
    information_requested(due_in_days=2)

    assert tasks.send_reminders.run()["information_requests"] == 0


def test_an_answered_request_is_not_recalled():
    application, applicant = information_requested(due_in_days=1)
    services.application_answer_information_request(
        application=application, by=applicant, answer="Le voici."
    )

    assert tasks.send_reminders.run()["information_requests"] == 0


def test_a_file_no_longer_waiting_for_the_answer_is_not_recalled():
    application, _applicant = information_requested(due_in_days=1)
    application.status = Status.WITHDRAWN  # closed some other way; the request stays open
    application.save(update_fields=["status"])

    assert tasks.send_reminders.run()["information_requests"] == 0


def test_an_erased_applicant_is_not_written_to():
    _application, applicant = information_requested(due_in_days=1)
    applicant.is_active = False
    applicant.save(update_fields=["is_active"])

    assert tasks.send_reminders.run()["information_requests"] == 0
