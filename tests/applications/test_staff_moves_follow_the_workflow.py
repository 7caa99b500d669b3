"""Staff move a file only along the workflow table: the forms offer the moves this
actor may make from the file's status, and "information requested" is reached only through an
information request, with a message the applicant reads. Pages, API and the service itself."""

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from adn_portal.mailer.models import OutgoingEmail
from applications import services, workflow
from applications.forms.staff import DecisionForm, TransitionForm
from applications.models import ApplicantMessage
from applications.workflow import DECISIONS, Actor, Status
from tests.auth import login_staff
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("actor", [Actor.REVIEWER, Actor.MANAGER])
@pytest.mark.parametrize("status", [s for s in Status if s != Status.DRAFT])
def test_the_forms_offer_the_workflows_moves_for_this_actor_and_nothing_else(status, actor):
    application = submitted_file(status=status)
    allowed = set(workflow.targets(status, actor)) - {Status.INFO_REQUESTED}
    moves = TransitionForm(application=application, actor=actor).fields["to"].choices
    decisions = DecisionForm(application=application, actor=actor).fields["decision"].choices
    assert {value for value, _label in moves} == allowed
    assert {value for value, _label in decisions} == allowed & DECISIONS.keys()


def test_the_file_page_offers_no_move_to_information_requested_without_a_message(client):
    application = submitted_file()
    reviewer = staff("reviewer", "START")
    services.review_open(application=application, reviewer=reviewer)  # no conflict of interest
    login_staff(client, reviewer)
    page = client.get(reverse("applications:staff_application", args=[application.pk]))
    assert page.status_code == 200
    assert page.context["moves"] == [Status.ELIGIBILITY_CHECK]
    assert page.context["can_request_info"]  # through its own form, with a message

    response = client.post(
        reverse("applications:staff_application_transition", args=[application.pk]),
        {"to": "info_requested", "comment": "", "expected_status": "submitted"},
    )
    assert response.status_code == 400
    assert list(response.context["refused_form"].errors) == ["to"]
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert not ApplicantMessage.objects.exists()


def test_the_api_moves_to_information_requested_only_with_a_message():
    application = submitted_file()
    api = APIClient()
    api.force_authenticate(staff("reviewer", "START"))
    url = f"/api/v1/staff/applications/{application.pk}"
    refused = api.post(f"{url}/transitions/", {"to": "info_requested"}, format="json")
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["to"]
    empty = api.post(f"{url}/information-requests/", {"message": " "}, format="json")
    assert empty.status_code == 400
    assert [e["field"] for e in empty.json()["errors"]] == ["message"]
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED and not ApplicantMessage.objects.exists()

    asked = api.post(
        f"{url}/information-requests/",
        {"message": "Joignez le devis.", "due_date": "2099-01-31"},
        format="json",
    )
    assert asked.status_code == 200
    assert asked.json()["status"] == "info_requested"
    message = ApplicantMessage.objects.get(application=application)
    assert message.kind == ApplicantMessage.Kind.INFO_REQUEST
    assert "Joignez le devis." in message.body and message.due_date.isoformat() == "2099-01-31"
    assert OutgoingEmail.objects.filter(body__contains="Joignez le devis.").exists()


def test_the_service_owns_the_rule_whatever_calls_it():
    application = submitted_file()
    manager = staff("programme manager", "START")
    with translation.override("en"):
        with pytest.raises(services.ApplicationError, match="message"):
            services.application_staff_transition(
                application=application, to=Status.INFO_REQUESTED, by=manager
            )
        with pytest.raises(services.ApplicationError, match="Write what you need"):
            services.application_request_information(
                application=application, by=manager, actor=Actor.MANAGER, message="  "
            )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert not ApplicantMessage.objects.exists()
