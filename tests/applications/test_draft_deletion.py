"""A draft the organisation no longer wants is deleted, with its documents, once confirmed; it
is never "withdrawn" (a withdrawn file keeps its reference, which a draft does not have). A
submitted file is withdrawn and never deleted. The page and the API agree."""

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from rest_framework.test import APIClient

from applications import services
from applications.models import Application, ApplicationEvent, Attachment
from applications.workflow import Status
from tests.auth import login
from tests.factories import CallFactory, OrganisationFactory, make_member
from tests.fixtures.applicants import pdf
from tests.fixtures.staff import submitted_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(db):
    organisation = OrganisationFactory()
    applicant = make_member(organisation)
    application = services.application_start(
        call=CallFactory(), organisation=organisation, by=applicant
    )
    attachment = services.attachment_add(
        application=application, upload=pdf(), kind="annex", by=applicant
    )
    return {"application": application, "applicant": applicant, "attachment": attachment}


def _gone(draft) -> None:
    application, attachment = draft["application"], draft["attachment"]
    assert not Application.objects.filter(pk=application.pk).exists()
    assert not ApplicationEvent.objects.filter(application_id=application.pk).exists()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not storages["private"].exists(attachment.file.name)


def test_the_file_page_offers_to_delete_a_draft_after_a_confirmation(
    client, draft, django_capture_on_commit_callbacks
):
    application = draft["application"]
    login(client, draft["applicant"])
    page = client.get(application.get_absolute_url())
    assert page.status_code == 200
    assert not page.context["can_withdraw"]
    confirm_url = reverse("applications:delete_draft", args=[application.pk])
    assert confirm_url in page.content.decode()

    confirm = client.get(confirm_url)
    assert confirm.status_code == 200
    assert Application.objects.filter(pk=application.pk).exists()  # asking deletes nothing
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(confirm_url)
    assert deleted.status_code == 302 and deleted["Location"] == reverse(
        "applications:my_applications"
    )
    _gone(draft)

    # The organisation may start again on the same call.
    again = services.application_start(
        call=application.call, organisation=application.organisation, by=draft["applicant"]
    )
    assert again.pk != application.pk and again.status == Status.DRAFT


def test_the_api_deletes_a_draft(draft, django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(draft["applicant"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"/api/v1/applications/{draft['application'].pk}/")
    assert response.status_code == 204
    _gone(draft)


def test_withdrawing_a_draft_is_refused_on_the_page_and_the_api_and_keeps_it(client, draft):
    application = draft["application"]
    login(client, draft["applicant"])
    page = client.post(reverse("applications:withdraw", args=[application.pk]), {"reason": "x"})
    assert page.status_code == 302
    api = APIClient()
    api.force_authenticate(draft["applicant"])
    answer = api.post(f"/api/v1/applications/{application.pk}/withdraw/", {}, format="json")
    assert answer.status_code == 409
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert Attachment.objects.filter(application=application).count() == 1


def test_a_submitted_file_is_never_deleted_but_withdrawn(client):
    application = submitted_file()
    applicant = application.created_by
    login(client, applicant)
    page = client.post(reverse("applications:delete_draft", args=[application.pk]))
    assert page.status_code == 302
    api = APIClient()
    api.force_authenticate(applicant)
    assert api.delete(f"/api/v1/applications/{application.pk}/").status_code == 409
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED

    withdrawn = api.post(
        f"/api/v1/applications/{application.pk}/withdraw/", {"reason": "Plus tard"}, format="json"
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["reference"] == application.reference


def test_another_organisations_draft_cannot_be_deleted(client, draft):
    stranger = make_member(OrganisationFactory())
    application = draft["application"]
    login(client, stranger)
    url = reverse("applications:delete_draft", args=[application.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.delete(f"/api/v1/applications/{application.pk}/").status_code == 404
    assert Application.objects.filter(pk=application.pk).exists()
