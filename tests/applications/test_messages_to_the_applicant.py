"""Every message to the applicant is written once (services.applicant_message_send): the text on
the file page is the e-mail's, rendered once, and the timeline notes it."""

from contextlib import contextmanager

import pytest
from django.test.signals import template_rendered

from adn_portal.mailer.models import OutgoingEmail
from applications import services
from applications.models import ApplicantMessage, ApplicationEvent
from applications.workflow import Actor, Status
from tests.fixtures.staff import review, staff, submitted_file

pytestmark = pytest.mark.django_db


@contextmanager
def rendered_templates():
    names: list[str] = []

    def record(sender, template, context, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)


def test_an_information_request_is_rendered_once_and_the_email_says_what_the_page_shows():
    application = submitted_file()
    reviewer = staff("reviewer", "START")
    with rendered_templates() as rendered:
        services.application_request_information(
            application=application, by=reviewer, actor=Actor.REVIEWER, message="Le devis ?"
        )
    assert rendered.count("emails/application_info_request_body.txt") == 1
    assert rendered.count("emails/application_info_request_subject.txt") == 1
    message = ApplicantMessage.objects.get(application=application)
    email = OutgoingEmail.objects.get()
    assert (email.to, email.subject, email.body) == (
        application.created_by.email,
        message.subject,
        message.body,
    )
    assert "Le devis ?" in message.body
    assert ApplicationEvent.objects.filter(
        application=application, kind=ApplicationEvent.Kind.MESSAGE, comment=message.subject
    ).exists()


def test_a_decision_is_written_with_the_programmes_template_and_emailed_as_shown():
    application = submitted_file(status=Status.UNDER_REVIEW)
    manager = staff("programme manager", "START")
    review(application, staff("reviewer", "START"), 4)
    services.application_decide(
        application=application, decision=Status.WAITLISTED, by=manager, comment="Patience."
    )
    message = ApplicantMessage.objects.get(application=application)
    email = OutgoingEmail.objects.get()
    assert message.kind == ApplicantMessage.Kind.DECISION
    assert (email.subject, email.body) == (message.subject, message.body)
    assert "Patience." in message.body
