import pytest
from rest_framework.test import APIClient

from applications.models import Application, ApplicationEvent
from applications.workflow import Status
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.fixtures.applicants import DECLARATIONS, START_STEPS, pdf
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def start(api, applicant, start_call) -> dict:
    response = api.post(
        "/api/v1/applications/",
        {"call": start_call.slug, "organisation": applicant.organisation.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def fill(api, draft: dict, expert) -> dict:
    steps = {**START_STEPS, "expert": {"expert": expert.pk, "availability": "Le mardi."}}
    version = draft["version"]
    for slug, data in steps.items():
        data = {k: (True if v == "on" else v) for k, v in data.items()}
        response = api.put(
            f"/api/v1/applications/{draft['id']}/steps/{slug}/",
            {"version": version, "data": data},
            format="json",
        )
        assert response.status_code == 200, (slug, response.json())
        version = response.json()["version"]
    return response.json()


def test_an_applicant_creates_fills_and_submits_a_file_through_the_api(
    api, applicant, start_call, expert
):
    api.force_authenticate(applicant)
    draft = start(api, applicant, start_call)
    fill(api, draft, expert)
    upload = api.post(
        f"/api/v1/applications/{draft['id']}/attachments/",
        {"file": pdf(), "kind": "annex"},
        format="multipart",
    )
    assert upload.status_code == 201
    submitted = api.post(f"/api/v1/applications/{draft['id']}/submit/", DECLARATIONS, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["reference"].startswith("START-")
    timeline = api.get(f"/api/v1/applications/{draft['id']}/timeline/").json()
    assert [e["to_status"] for e in timeline if e["kind"] == "transition"] == ["submitted"]


def test_fields_a_caller_may_not_set_are_refused(api, applicant, start_call):
    api.force_authenticate(applicant)
    response = api.post(
        "/api/v1/applications/",
        {
            "call": start_call.slug,
            "organisation": applicant.organisation.pk,
            "status": "selected",
            "reference": "X-1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {(e["field"], e["code"]) for e in response.json()["errors"]} == {
        ("status", "read_only"),
        ("reference", "read_only"),
    }
    assert not Application.objects.exists()


def test_validation_errors_name_the_field_and_a_machine_code(api, applicant, start_call):
    api.force_authenticate(applicant)
    draft = start(api, applicant, start_call)
    response = api.put(
        f"/api/v1/applications/{draft['id']}/steps/contact/",
        {"version": draft["version"], "data": {"contact_email": "pas-un-email"}},
        format="json",
    )
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["data.contact_email"]["code"] == "invalid"
    assert errors["data.contact_name"]["code"] == "required"
    assert errors["data.contact_name"]["message"] == "Ce champ est obligatoire."


def test_a_stale_version_is_a_conflict(api, applicant, start_call):
    api.force_authenticate(applicant)
    draft = start(api, applicant, start_call)
    data = {"version": draft["version"], "data": {"activity": "x"}, "complete": False}
    assert (
        api.put(f"/api/v1/applications/{draft['id']}/steps/needs/", data, format="json").status_code
        == 200
    )
    again = api.put(f"/api/v1/applications/{draft['id']}/steps/needs/", data, format="json")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "conflict"


def test_a_refused_submission_lists_the_failed_checks(api, applicant, start_call):
    api.force_authenticate(applicant)
    draft = start(api, applicant, start_call)
    response = api.post(f"/api/v1/applications/{draft['id']}/submit/", DECLARATIONS, format="json")
    assert response.status_code == 422
    assert "complete" in {e["field"] for e in response.json()["errors"]}


def test_submit_with_an_idempotency_key_is_done_once_and_answered_the_same(
    api, applicant, start_call, expert
):
    api.force_authenticate(applicant)
    draft = start(api, applicant, start_call)
    fill(api, draft, expert)
    submit = f"/api/v1/applications/{draft['id']}/submit/"
    first = api.post(submit, DECLARATIONS, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    second = api.post(submit, DECLARATIONS, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.json() == second.json()
    assert second["Idempotent-Replay"] == "true"
    assert ApplicationEvent.objects.filter(to_status="submitted").count() == 1
    other = api.post(
        f"/api/v1/applications/{draft['id']}/withdraw/", HTTP_IDEMPOTENCY_KEY="abc-123"
    )
    assert other.status_code == 422  # the key belongs to another request


@pytest.mark.parametrize("who", ["anonymous", "other_applicant", "reviewer_elsewhere"])
def test_another_organisations_file_is_404_or_401_through_the_api(api, applicant, start_call, who):
    draft = Application.objects.create(
        call=start_call,
        programme=start_call.programme,
        organisation=applicant.organisation,
        created_by=applicant,
    )
    if who == "other_applicant":
        api.force_authenticate(make_member(OrganisationFactory()))
    elif who == "reviewer_elsewhere":
        api.force_authenticate(staff("reviewer", "CAP"))
    expected = 401 if who == "anonymous" else 404
    for method, url in [
        ("get", f"/api/v1/applications/{draft.pk}/"),
        ("get", f"/api/v1/applications/{draft.pk}/timeline/"),
        ("post", f"/api/v1/applications/{draft.pk}/submit/"),
        ("post", f"/api/v1/applications/{draft.pk}/withdraw/"),
        ("get", f"/api/v1/staff/applications/{draft.pk}/"),
    ]:
        assert getattr(api, method)(url).status_code == expected, url
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_staff_queue_lists_with_filters_and_cursor_pages(api):
    reviewer = staff("reviewer", "START")
    for n in range(5):
        submitted_file(organisation=OrganisationFactory(postcode="5000" if n % 2 else "4000"))
    submitted_file(call=None, status=Status.UNDER_REVIEW)
    api.force_authenticate(reviewer)
    page = api.get("/api/v1/staff/applications/", {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]
    namur = api.get("/api/v1/staff/applications/", {"province": "namur"}).json()["results"]
    assert {f["province"] for f in namur} == {"namur"} and len(namur) == 2
    assert (
        len(api.get("/api/v1/staff/applications/", {"status": "under_review"}).json()["results"])
        == 1
    )


def test_staff_queue_query_count_is_constant(api, django_assert_max_num_queries):
    reviewer = staff("reviewer", "START")
    for _ in range(12):
        submitted_file()
    api.force_authenticate(reviewer)
    with django_assert_max_num_queries(
        4
    ):  # groups, programmes of the user, the page, (session-less token)
        response = api.get("/api/v1/staff/applications/", {"page_size": 50})
    assert len(response.json()["results"]) == 12


def test_a_manager_decides_through_the_api_and_a_reviewer_cannot(api):
    manager, reviewer = staff("programme manager", "START"), staff("reviewer", "START")
    application = submitted_file(status=Status.UNDER_REVIEW)
    criteria = list(application.call.criteria.all())
    api.force_authenticate(reviewer)
    declared = api.post(
        f"/api/v1/staff/applications/{application.pk}/declaration/",
        {"answer": "no_conflict"},
        format="json",
    )
    assert declared.status_code == 204
    scores = {str(c.pk): {"value": 4, "comment": ""} for c in criteria}
    submitted = api.post(
        f"/api/v1/staff/applications/{application.pk}/scores/",
        {"scores": scores, "recommendation": "fund", "submit": True},
        format="json",
    )
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    refused = api.post(
        f"/api/v1/staff/applications/{application.pk}/transitions/",
        {"to": "selected"},
        format="json",
    )
    # A reviewer is not offered the decisions, on the page as here.
    assert refused.status_code == 400
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [("to", "invalid_choice")]
    api.force_authenticate(manager)
    body = {"to": "selected", "comment": "Bravo", "expected_status": "under_review"}
    # Without its confirmation, a decision only shows the message the applicant will get.
    unconfirmed = api.post(
        f"/api/v1/staff/applications/{application.pk}/transitions/", body, format="json"
    )
    assert unconfirmed.status_code == 409
    assert unconfirmed.json()["errors"][0]["code"] == "confirmation_required"
    assert "Bravo" in unconfirmed.json()["preview"]["body"]
    assert application.events.filter(to_status="selected").count() == 0
    body["confirmed"] = True
    first = api.post(
        f"/api/v1/staff/applications/{application.pk}/transitions/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY="d1",
    )
    again = api.post(
        f"/api/v1/staff/applications/{application.pk}/transitions/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY="d1",
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "selected"
    assert (
        ApplicationEvent.objects.filter(application=application, to_status="selected").count() == 1
    )


def test_applicants_cannot_reach_staff_endpoints(api, applicant):
    api.force_authenticate(applicant)
    assert api.get("/api/v1/staff/applications/").status_code == 404
    assert api.get("/api/v1/staff/indicators/").status_code == 404


def test_an_expert_company_edits_its_profile_through_review(api):
    from tests.factories import ExpertFactory

    expert = ExpertFactory(description_fr="Publié.", public_phone="", team_size=5)
    owner = make_member(expert.organisation)
    api.force_authenticate(owner)
    response = api.patch(
        "/api/v1/me/expert/",
        {"description_fr": "Nouveau.", "public_phone": "+32 81 00 00 00", "team_size": 8},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["pending_review"] is True
    assert response.json()["description_fr"] == "Publié."
    assert response.json()["public_phone"] == ""  # public contact: reviewed too
    assert response.json()["team_size"] == 8
    refused = api.patch("/api/v1/me/expert/", {"status": "active"}, format="json")
    assert refused.status_code == 400
    api.force_authenticate(UserFactory())
    assert api.get("/api/v1/me/expert/").status_code == 404


def test_token_authentication_works(api, applicant):
    from adn_portal.accounts.models import ApiToken

    _token, secret = ApiToken.objects.create(applicant, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert (
        api.get("/api/v1/me/organisations/").json()["results"][0]["name"]
        == applicant.organisation.name
    )
