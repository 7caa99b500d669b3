"""Who hears of what happens to a file (applications/notifications.py): the programme's
managers of a submission, the reviewer or the expert company of an assignment, the
organisation's members of the AdN's letters; in the portal and through the outbox."""

import pytest
from django.urls import reverse

from adn_portal.accounts.models import Notification, NotificationKind
from adn_portal.mailer.models import OutgoingEmail
from applications import services
from applications.models import Application
from applications.steps import steps_for
from applications.workflow import Status
from programs.models import Programme
from tests.factories import (
    CallFactory,
    ExpertFactory,
    OrganisationFactory,
    UserFactory,
    make_member,
)
from tests.fixtures.applicants import DECLARATIONS
from tests.fixtures.staff import review, staff, submitted_file

pytestmark = pytest.mark.django_db


def kinds_of(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def complete_draft(*, expert=None) -> Application:
    call = CallFactory(eligibility_rules=[], form_sections=[])
    organisation = OrganisationFactory()
    applicant = make_member(organisation, UserFactory(language="de"))
    return Application.objects.create(
        call=call,
        programme=call.programme,
        organisation=organisation,
        created_by=applicant,
        completed_steps=[step.slug for step in steps_for(call)],
        expert=expert,
    )


def test_a_submission_is_told_to_the_programmes_managers_and_its_expert_company():
    expert = ExpertFactory()
    expert_member = make_member(expert.organisation)
    draft = complete_draft(expert=expert)
    colleague = make_member(draft.organisation, UserFactory(language="en"))
    manager = staff("programme manager", "START")
    reviewer = staff("reviewer", "START")
    elsewhere = staff("programme manager", "TREMPLIN")

    services.application_submit(application=draft, by=draft.created_by, declarations=DECLARATIONS)

    assert kinds_of(manager) == [NotificationKind.SUBMISSION]
    assert kinds_of(reviewer) == kinds_of(elsewhere) == []
    assert kinds_of(expert_member) == [NotificationKind.ASSIGNMENT]
    # The acknowledgement: the whole letter e-mailed to whoever submitted; the colleague told.
    assert kinds_of(draft.created_by) == kinds_of(colleague) == [NotificationKind.MESSAGE]
    to_creator = OutgoingEmail.objects.filter(to=draft.created_by.email)
    assert to_creator.count() == 1  # the letter only
    told = OutgoingEmail.objects.get(to=colleague.email)
    draft.refresh_from_db()
    assert told.subject == f"The file {draft.reference} is submitted: the AdN acknowledges it."
    # New submissions come in numbers: the managers' default is the daily digest.
    assert not OutgoingEmail.objects.filter(to=manager.email).exists()


def test_an_assignment_is_told_to_the_reviewer_by_email_with_the_link():
    application = submitted_file()
    manager = staff("programme manager", "START")
    reviewer = staff("reviewer", "START", language="en")

    services.application_assign(application=application, reviewer=reviewer, by=manager)

    notification = Notification.objects.get(recipient=reviewer)
    assert notification.kind == NotificationKind.ASSIGNMENT
    assert notification.url == reverse("applications:staff_application", args=[application.pk])
    email = OutgoingEmail.objects.get(to=reviewer.email)
    assert email.subject == f"You are the reviewer of the file {application.reference}."
    assert f"/espace-adn/dossiers/{application.pk}/" in email.body
    assert kinds_of(manager) == []  # who acted is not told


def test_an_expert_chosen_by_a_manager_is_told_to_the_expert_companys_members():
    application = submitted_file(expert_chosen_by_adn=True)
    expert = ExpertFactory()
    member = make_member(expert.organisation)
    manager = staff("programme manager", "START")

    services.application_assign_expert(application=application, expert=expert, by=manager)

    assert kinds_of(member) == [NotificationKind.ASSIGNMENT]
    assert Notification.objects.get(recipient=member).url == reverse(
        "applications:expert_conversation", args=[application.pk]
    )


def test_a_decision_is_mailed_whole_to_the_applicant_and_told_to_the_other_members():
    application = submitted_file(status=Status.UNDER_REVIEW)
    colleague = make_member(application.organisation)
    manager = staff("programme manager", "START")
    review(application, staff("reviewer", "START"), 4)

    services.application_decide(application=application, decision=Status.REJECTED, by=manager)

    assert kinds_of(application.created_by) == kinds_of(colleague) == [NotificationKind.DECISION]
    letter = application.messages.get(kind="decision")
    assert list(
        OutgoingEmail.objects.filter(to=application.created_by.email).values_list(
            "subject", flat=True
        )
    ) == [letter.subject]
    told = OutgoingEmail.objects.get(to=colleague.email)
    assert letter.body not in told.body  # a link, not the letter


def test_a_tremplin_files_expert_is_not_part_of_its_conversation():
    expert = ExpertFactory(programmes=["TREMPLIN"])
    member = make_member(expert.organisation)
    call = CallFactory(programme=Programme.objects.get(code="TREMPLIN"))
    application = submitted_file(call, expert=expert)
    services.message_post(
        application=application, by=application.created_by, side="applicant", body="Bonjour"
    )

    assert kinds_of(member) == []
