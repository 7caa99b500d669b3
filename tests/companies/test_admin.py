"""The admin changes organisations and expert companies through the services (what is derived
follows, the directory's rows and cache too, the change is audited), or not at all."""

import pytest
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from adn_portal.accounts.models import AuditEvent
from adn_portal.accounts.roles import Role
from companies.models import Expert, ExpertFacet, MemberRole, Membership, Organisation
from companies.workflow import RecognitionStatus
from tests.auth import login_staff
from tests.factories import ExpertFactory, OrganisationFactory, make_member
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    user = staff(Role.ADMINISTRATOR, is_superuser=True)
    login_staff(client, user)
    return user


def _value(bound):
    value = bound.value()
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, FieldFile) or value is None:  # an empty upload keeps the stored file
        return None
    return value


def change_form_data(response) -> dict:
    """What the admin's change page would post back untouched: its form and its inlines."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = _value(form[name])
            if value is not None:
                data[form.add_prefix(name)] = value
    return data


def test_an_organisation_saved_in_the_admin_moves_with_its_postcode_and_its_directory_rows(
    client, administrator
):
    expert = ExpertFactory(organisation__postcode="4000")
    url = reverse("admin:companies_organisation_change", args=[expert.organisation.pk])
    data = change_form_data(client.get(url)) | {"postcode": "5000"}

    response = client.post(url, data)

    assert response.status_code == 302
    organisation = Organisation.objects.get(pk=expert.organisation.pk)
    assert (organisation.municipality, organisation.province) == ("Namur", "namur")
    assert ExpertFacet.objects.get(expert=expert, kind="province").value == "namur"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.STAFF_ACTION, details__organisation=organisation.pk
    ).exists()


def test_the_admin_refuses_a_postcode_that_does_not_exist_beside_the_field(client, administrator):
    organisation = OrganisationFactory(postcode="4000")
    url = reverse("admin:companies_organisation_change", args=[organisation.pk])
    data = change_form_data(client.get(url)) | {"postcode": "9999"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "postcode" in response.context["adminform"].form.errors
    organisation.refresh_from_db()
    assert organisation.postcode == "4000"


def test_memberships_are_not_changed_in_the_admin(client, administrator):
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    url = reverse("admin:companies_organisation_change", args=[organisation.pk])
    data = change_form_data(client.get(url))
    prefix = next(k for k in data if k.endswith("TOTAL_FORMS") and "membership" in k)[
        : -len("TOTAL_FORMS")
    ]
    forged = {f"{prefix}0-role": MemberRole.MEMBER, f"{prefix}0-DELETE": "on"}

    response = client.post(url, data | forged)

    assert response.status_code == 302
    assert Membership.objects.get(organisation=organisation, user=owner).role == MemberRole.OWNER


def test_an_expert_corrected_in_the_admin_is_filtered_on_its_new_speciality(client, administrator):
    expert = ExpertFactory(specialities=["computer_vision"])
    url = reverse("admin:companies_expert_change", args=[expert.pk])
    data = change_form_data(client.get(url)) | {"specialities": ["nlp_genai", "robotics"]}

    response = client.post(url, data)

    assert response.status_code == 302
    assert set(
        ExpertFacet.objects.filter(expert=expert, kind="speciality").values_list("value", flat=True)
    ) == {"nlp_genai", "robotics"}
    directory = client.get(reverse("companies:expert_directory"), {"speciality": "robotics"})
    assert [e.pk for e in directory.context["page"]] == [expert.pk]
    assert AuditEvent.objects.filter(details__expert=expert.pk).exists()


def test_the_admin_neither_adds_nor_deletes_a_recognition_nor_changes_its_status(
    client, administrator
):
    expert = ExpertFactory(status=RecognitionStatus.SUBMITTED)
    url = reverse("admin:companies_expert_change", args=[expert.pk])
    data = change_form_data(client.get(url)) | {"status": RecognitionStatus.ACTIVE}

    assert client.post(url, data).status_code == 302
    assert Expert.objects.get(pk=expert.pk).status == RecognitionStatus.SUBMITTED
    assert client.get(reverse("admin:companies_expert_add")).status_code == 403
    assert client.get(reverse("admin:companies_expert_delete", args=[expert.pk])).status_code == 403


def test_an_organisation_deleted_in_the_admin_is_audited(client, administrator):
    organisation = OrganisationFactory(name="Doublon SRL")
    url = reverse("admin:companies_organisation_delete", args=[organisation.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert AuditEvent.objects.filter(details__deleted="Doublon SRL").exists()
