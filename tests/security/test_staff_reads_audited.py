"""Staff reading an applicant's file or downloading its documents leaves an audit row: who, when,
from where, which file; on the pages, in the staff API and in the admin."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from adn_portal.accounts.models import AuditEvent
from adn_portal.accounts.tokens import api_token_create
from tests.auth import login, login_staff
from tests.factories import UserFactory
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


def reads(action: str) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(action=action).values_list("user_id", "details", "path", "ip")
    )


def test_staff_reading_a_file_page_is_audited(client, personal_file):
    manager, application = personal_file["manager"], personal_file["application"]
    login_staff(client, manager)
    url = reverse("applications:staff_application", args=[application.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert reads(Action.FILE_VIEWED) == [
        (manager.pk, {"application": application.pk}, url, "127.0.0.1")
    ]


def test_staff_downloading_a_document_is_audited(client, personal_file):
    manager, application = personal_file["manager"], personal_file["application"]
    attachment = personal_file["attachment"]
    login_staff(client, manager)
    url = reverse("applications:staff_application_attachment", args=[application.pk, attachment.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert reads(Action.DOCUMENT_DOWNLOADED) == [
        (
            manager.pk,
            {"application": application.pk, "attachment": attachment.pk},
            url,
            "127.0.0.1",
        )
    ]


def test_staff_downloading_an_export_is_audited(client, personal_file):
    manager, export = personal_file["manager"], personal_file["export"]
    login_staff(client, manager)
    url = reverse("applications:staff_export_download", args=[export.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert reads(Action.EXPORT_DOWNLOADED) == [
        (manager.pk, {"export": export.pk, "rows": 1}, url, "127.0.0.1")
    ]


def test_staff_reading_a_file_through_the_api_is_audited(personal_file):
    manager, application = personal_file["manager"], personal_file["application"]
    url = f"/api/v1/staff/applications/{application.pk}/"
    by_session = APIClient()
    login_staff(by_session, manager)
    _token, secret = api_token_create(user=manager, name="Reporting", second_factor=True)
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    assert by_session.get(url).status_code == 200
    assert by_token.get(url).status_code == 200

    assert (
        reads(Action.FILE_VIEWED)
        == [(manager.pk, {"application": application.pk}, url, "127.0.0.1")] * 2
    )


def test_staff_reading_a_file_in_the_admin_is_audited(client, personal_file):
    application = personal_file["application"]
    administrator = UserFactory(is_staff=True, is_superuser=True)
    login_staff(client, administrator)
    url = reverse("admin:applications_application_change", args=[application.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert reads(Action.FILE_VIEWED) == [
        (administrator.pk, {"application": application.pk}, url, "127.0.0.1")
    ]


def test_a_refused_read_is_not_recorded_as_a_read(client, personal_file):
    application = personal_file["application"]
    other_programme = staff("programme manager", "TREMPLIN")
    login_staff(client, other_programme)

    page = client.get(reverse("applications:staff_application", args=[application.pk]))
    api = APIClient()
    login_staff(api, other_programme)
    through_api = api.get(f"/api/v1/staff/applications/{application.pk}/")

    assert (page.status_code, through_api.status_code) == (404, 404)
    assert reads(Action.FILE_VIEWED) == []


def test_the_applicant_reading_their_own_file_is_not_a_staff_read(client, personal_file):
    login(client, personal_file["applicant"])

    response = client.get(personal_file["application"].get_absolute_url())

    assert response.status_code == 200
    assert reads(Action.FILE_VIEWED) == []
