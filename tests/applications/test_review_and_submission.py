"""The review page: every answer, document and check of a draft on one page, each with a way to
change it, and the declarations submitted with the file in one action (stored together or
refused together), on the page and through the API."""

import html

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from applications.models import Application, ApplicationVersion
from applications.services import application_start
from applications.workflow import Status
from tests.auth import login
from tests.fixtures.applicants import DECLARED, fill_steps, pdf

pytestmark = pytest.mark.django_db

# The organisation's details as its owner posts them (its number cannot change).
ORGANISATION = {
    "name": "Menuiserie Dupont SRL",
    "kind": "sme",
    "street": "Rue de la Station 12",
    "postcode": "4000",
    "headcount": "12",
    "turnover": "1500000",
    "balance_sheet": "900000",
    "nace_codes": "16.230",
    "website": "",
    "phone": "",
}


@pytest.fixture
def draft(client, applicant, start_call, expert) -> Application:
    login(client, applicant)
    application = application_start(
        call=start_call, organisation=applicant.organisation, by=applicant
    )
    fill_steps(client, application, expert)
    application.refresh_from_db()
    return application


def review(client, application):
    return client.get(reverse("applications:review", args=[application.pk]))


def submit(client, application, data):
    return client.post(reverse("applications:submit", args=[application.pk]), data)


def test_the_review_page_shows_every_answer_document_and_check_each_with_a_way_to_change_it(
    client, draft
):
    client.post(
        reverse("applications:attachment_upload", args=[draft.pk]),
        {"file": pdf("plan.pdf"), "kind": "annex"},
    )

    response = review(client, draft)

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    for answer in ("Julie Dupont", "Planifier la production.", "Vision Meuse SRL", "Les mardis."):
        assert answer in page
    assert "plan.pdf" in page
    assert "Votre siège est situé en Wallonie" in page  # a check, in plain French
    back = f"?next={reverse('applications:review', args=[draft.pk])}".replace("/", "%2F")
    for slug in ("organisation", "contact", "needs", "expert", "documents"):
        assert reverse("applications:step", args=[draft.pk, slug]) + back in page
    assert 'name="gdpr_consent"' in page and 'name="sworn_statement"' in page
    assert reverse("applications:submit", args=[draft.pk]) in page


def test_an_unanswered_question_is_shown_as_such_on_the_review_page(client, applicant, start_call):
    login(client, applicant)
    application = application_start(
        call=start_call, organisation=applicant.organisation, by=applicant
    )
    client.post(
        reverse("applications:step", args=[application.pk, "needs"]),
        {"activity": "Menuiserie.", "version": "1", "save_draft": "1"},
    )

    page = html.unescape(review(client, application).content.decode())

    assert "Menuiserie." in page
    assert page.count("review-step") >= 4
    assert "Vos besoins" in page and "text-bg-warning" in page  # the step to complete


def test_the_declarations_are_stored_with_the_submission_and_frozen_with_the_content(client, draft):
    response = submit(client, draft, DECLARED)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    declared = {"gdpr_consent": True, "sworn_statement": True}
    assert draft.data["declarations"] == declared
    assert ApplicationVersion.objects.get(application=draft).data["declarations"] == declared
    page = html.unescape(client.get(draft.get_absolute_url()).content.decode())
    assert "Je déclare sur l'honneur" in page  # in the submitted content, as a person reads it


def test_the_privacy_notice_is_linked_beside_the_consent_box(client, draft):
    response = review(client, draft)
    assert response.status_code == 200
    page = response.content.decode()
    # Between the consent box and the next declaration, opening in a new tab (the form stays).
    after_consent = page.split('name="gdpr_consent"', 1)[1].split('name="sworn_statement"', 1)[0]
    assert f'href="{reverse("privacy_notice")}" target="_blank"' in after_consent


def test_a_declaration_left_unticked_is_refused_beside_it_and_nothing_is_stored(client, draft):
    response = submit(client, draft, {"gdpr_consent": "on"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["sworn_statement"]
    assert 'href="#id_sworn_statement"' in response.content.decode()  # the error summary
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.reference is None
    assert "declarations" not in draft.data


def test_a_failed_check_refuses_the_declarations_with_the_submission(client, draft):
    draft.organisation.postcode, draft.organisation.province = "1000", "outside"
    draft.organisation.save()

    response = submit(client, draft, DECLARED)

    assert response.status_code == 422
    assert [c.rule for c in response.context["checks"] if not c.passed] == ["walloon_seat"]
    assert response.context["form"].data["sworn_statement"] == "on"  # still ticked on the page
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and "declarations" not in draft.data


def test_the_submit_button_is_disabled_with_the_reason_while_a_check_fails(client, draft):
    draft.organisation.postcode, draft.organisation.province = "1000", "outside"
    draft.organisation.save()

    page = review(client, draft).content.decode()

    button = page[page.index('class="btn btn-success btn-lg"') :]
    button = button[: button.index(">")]
    assert "disabled" in button and 'aria-describedby="submit-blocked"' in button
    assert 'id="submit-blocked"' in page


def test_the_submit_button_is_active_once_every_check_passes(client, draft):
    page = review(client, draft).content.decode()

    button = page[page.index('class="btn btn-success btn-lg"') :]
    assert "disabled" not in button[: button.index(">")]
    assert 'id="submit-blocked"' not in page


def test_a_fix_link_of_a_check_returns_to_the_review_page(client, draft):
    draft.organisation.postcode, draft.organisation.province = "1000", "outside"
    draft.organisation.save()
    review_url = reverse("applications:review", args=[draft.pk])
    edit = reverse("companies:organisation_edit", args=[draft.organisation_id])

    page = review(client, draft).content.decode()
    assert f'href="{edit}?next={review_url.replace("/", "%2F")}"' in page

    assert (
        f'name="next" value="{review_url}"'
        in client.get(f"{edit}?next={review_url}").content.decode()
    )
    response = client.post(edit, {**ORGANISATION, "postcode": "4000", "next": review_url})
    assert response.status_code == 302 and response.url == review_url


def test_a_fix_link_never_leads_off_the_site(client, draft):
    edit = reverse("companies:organisation_edit", args=[draft.organisation_id])

    response = client.post(edit, {**ORGANISATION, "next": "//evil.example/"})

    assert response.status_code == 302 and response.url == draft.organisation.get_absolute_url()


def test_the_review_page_of_a_submitted_file_leads_to_the_file(client, draft):
    submit(client, draft, DECLARED)
    response = review(client, draft)
    assert response.status_code == 302 and response.url == draft.get_absolute_url()


def test_the_review_page_of_another_organisations_file_is_a_404(client, draft):
    from tests.factories import OrganisationFactory, make_member

    stranger = make_member(OrganisationFactory())
    login(client, stranger)
    assert review(client, draft).status_code == 404
    assert submit(client, draft, DECLARED).status_code == 404


def test_the_review_page_answers_in_a_fixed_number_of_queries(
    client, draft, django_assert_num_queries
):
    for n in range(3):
        client.post(
            reverse("applications:attachment_upload", args=[draft.pk]),
            {"file": pdf(f"annexe-{n}.pdf"), "kind": "annex"},
        )
    url = reverse("applications:review", args=[draft.pk])
    # session, user, the file (with its call, programme, organisation and expert), another
    # open file of the organisation in the programme (a check), the documents
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.status_code == 200


def test_the_last_step_leads_to_the_review_page(client, applicant, start_call, expert):
    login(client, applicant)
    application = application_start(
        call=start_call, organisation=applicant.organisation, by=applicant
    )
    fill_steps(client, application, expert)
    page = client.get(reverse("applications:step", args=[application.pk, "documents"]))
    assert reverse("applications:review", args=[application.pk]) in page.content.decode()

    application.refresh_from_db()
    response = client.post(
        reverse("applications:step", args=[application.pk, "expert"]),
        {
            "expert": str(expert.pk),
            "availability": "Les jeudis.",
            "version": str(application.version),
            "save_continue": "1",
            "next": reverse("applications:review", args=[application.pk]),
        },
    )
    assert response.url == reverse("applications:review", args=[application.pk])


# --- the API --------------------------------------------------------------------------------


def test_the_api_submits_with_the_declarations_and_refuses_without_them(draft, applicant):
    api = APIClient()
    api.force_authenticate(applicant)
    url = f"/api/v1/applications/{draft.pk}/submit/"

    refused = api.post(url, {"gdpr_consent": True}, format="json")
    assert refused.status_code == 400
    assert {e["field"] for e in refused.json()["errors"]} == {"sworn_statement"}
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and "declarations" not in draft.data

    accepted = api.post(url, {"gdpr_consent": True, "sworn_statement": True}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["data"]["declarations"] == {
        "gdpr_consent": True,
        "sworn_statement": True,
    }


def test_the_declarations_are_no_longer_a_step_of_the_api(draft, applicant):
    api = APIClient()
    api.force_authenticate(applicant)
    response = api.put(
        f"/api/v1/applications/{draft.pk}/steps/declarations/",
        {"version": draft.version, "data": {"gdpr_consent": True, "sworn_statement": True}},
        format="json",
    )
    assert response.status_code == 404
