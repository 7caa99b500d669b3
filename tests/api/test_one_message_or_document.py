"""One message of a file's conversation, or one of its documents, through the API (issue 22):
what a write answers in `Location`, and who may read it (the list's checks: organisation,
programme, staff rights after the second factor, conflict of interest; the expert company
reads the conversation's messages only)."""

import pytest
from rest_framework.test import APIClient

from applications import services
from applications.models import ApplicantMessage, ConflictOfInterest, Side
from tests.auth import login, login_staff
from tests.factories import ExpertFactory, OrganisationFactory, UserFactory, make_member
from tests.fixtures.applicants import pdf
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db

APPLICANT = "/api/v1/applications/{file}/messages/{message}/"
STAFF = "/api/v1/staff/applications/{file}/messages/{message}/"
EXPERT = "/api/v1/me/expert/files/{file}/messages/{message}/"
DOCUMENT = "/api/v1/applications/{file}/attachments/{document}/"


@pytest.fixture
def world(db):
    """A submitted Start IA file with its expert company, a message of the applicant and a
    letter of the AdN; a manager and a reviewer of its programme."""
    expert = ExpertFactory(organisation__name="Vision Meuse SRL")
    application = submitted_file(expert=expert)
    applicant = application.created_by
    message = services.message_post(
        application=application, by=applicant, side=Side.APPLICANT, body="Bonjour"
    )
    letter = ApplicantMessage.objects.create(
        application=application,
        kind=ApplicantMessage.Kind.ACKNOWLEDGEMENT,
        subject="Accusé de réception",
        body="Nous avons reçu votre dossier.",
    )
    return {
        "file": application,
        "applicant": applicant,
        "expert_member": make_member(expert.organisation),
        "manager": staff("programme manager", "START"),
        "reviewer": staff("reviewer", "START"),
        "message": message,
        "letter": letter,
    }


def _client(user, *, second_factor: bool = True) -> APIClient:
    client = APIClient()
    if user.is_staff and second_factor:
        login_staff(client, user)
    else:
        login(client, user)
    return client


def _url(pattern: str, world, item: str = "message") -> str:
    return pattern.format(file=world["file"].pk, message=world[item].pk)


# --- Location: the created item ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "route", "pattern"),
    [
        ("applicant", "/api/v1/applications/{file}/messages/", APPLICANT),
        ("manager", "/api/v1/staff/applications/{file}/messages/", STAFF),
        ("expert_member", "/api/v1/me/expert/files/{file}/messages/", EXPERT),
    ],
)
def test_a_written_message_answers_201_with_its_own_address(world, who, route, pattern):
    api = APIClient()
    api.force_authenticate(world[who])  # a token's caller: writes need no CSRF token
    written = api.post(route.format(file=world["file"].pk), {"body": "Mardi ?"}, format="json")
    assert written.status_code == 201
    created = written.json()
    assert written["Location"] == "http://testserver" + pattern.format(
        file=world["file"].pk, message=created["id"]
    )
    read = api.get(written["Location"])
    assert read.status_code == 200
    assert read.json() == created


def test_an_added_document_answers_201_with_its_own_address(applicant, start_call):
    api = APIClient()
    api.force_authenticate(applicant)
    draft = services.application_start(
        call=start_call, organisation=applicant.organisation, by=applicant
    )
    added = api.post(
        f"/api/v1/applications/{draft.pk}/attachments/",
        {"file": pdf(), "kind": "annex"},
        format="multipart",
    )
    assert added.status_code == 201
    created = added.json()
    assert added["Location"] == "http://testserver" + DOCUMENT.format(
        file=draft.pk, document=created["id"]
    )
    read = api.get(added["Location"])
    assert read.status_code == 200
    assert read.json() == created
    assert read.json()["original_name"] == "annexe.pdf"


# --- who reads one message ---------------------------------------------------------------------


def test_each_side_reads_a_message_as_its_list_shows_it_without_marking_it_read(world):
    applicant_side = _client(world["applicant"]).get(_url(APPLICANT, world))
    assert applicant_side.status_code == 200
    assert applicant_side["Cache-Control"] == "private, no-store"
    assert applicant_side.json()["author_side"] == "applicant"
    assert applicant_side.json()["new"] is False  # their own

    manager = _client(world["manager"])
    staff_side = manager.get(_url(STAFF, world))
    assert staff_side.status_code == 200
    assert staff_side["Cache-Control"] == "private, no-store"
    assert staff_side.json()["body"] == "Bonjour"
    assert staff_side.json()["new"] is True
    # Still new in the list: reading one message is not reading the conversation.
    thread = manager.get(f"/api/v1/staff/applications/{world['file'].pk}/messages/")
    assert thread.status_code == 200
    assert [m["new"] for m in thread.json() if m["id"] == world["message"].pk] == [True]
    assert manager.get(_url(STAFF, world))["Cache-Control"] == "private, no-store"

    expert_side = _client(world["expert_member"]).get(_url(EXPERT, world))
    assert expert_side.status_code == 200
    assert expert_side["Cache-Control"] == "private, no-store"
    assert expert_side.json()["body"] == "Bonjour"


def test_the_letters_to_the_applicant_are_not_the_expert_companys_to_read(world):
    expert = _client(world["expert_member"])
    assert expert.get(_url(EXPERT, world, "letter")).status_code == 404
    applicant = _client(world["applicant"])
    assert applicant.get(_url(APPLICANT, world, "letter")).status_code == 200


def test_a_reviewer_reads_a_message_of_a_file_of_their_programme(world):
    response = _client(world["reviewer"]).get(_url(STAFF, world))
    assert response.status_code == 200
    assert response.json()["id"] == world["message"].pk


def test_staff_need_the_second_factor_to_read_a_message(world):
    password_only = _client(world["manager"], second_factor=False)
    response = password_only.get(_url(STAFF, world))
    assert response.status_code == 403  # as the list and every staff endpoint answer
    assert response.json()["errors"][0]["code"] == "two_factor_required"
    assert "Bonjour" not in response.content.decode()


def test_staff_of_another_programme_or_in_conflict_do_not_read_a_message(world):
    elsewhere = staff("programme manager", "CAP")
    assert _client(elsewhere).get(_url(STAFF, world)).status_code == 404
    ConflictOfInterest.objects.create(
        reviewer=world["reviewer"], organisation=world["file"].organisation, reason="Cousin"
    )
    assert _client(world["reviewer"]).get(_url(STAFF, world)).status_code == 404


def test_another_organisation_or_expert_company_does_not_read_a_message(world):
    stranger = UserFactory()
    other_expert = make_member(ExpertFactory().organisation)
    assert _client(stranger).get(_url(APPLICANT, world)).status_code == 404
    assert _client(other_expert).get(_url(EXPERT, world)).status_code == 404
    # The applicant side's route is not the expert company's way in, nor the reverse.
    assert _client(world["expert_member"]).get(_url(APPLICANT, world)).status_code == 404
    assert _client(world["applicant"]).get(_url(EXPERT, world)).status_code == 404
    assert _client(world["applicant"]).get(_url(STAFF, world)).status_code == 404
    assert APIClient().get(_url(APPLICANT, world)).status_code == 401


def test_a_message_of_another_file_is_not_found_through_this_one(world):
    """The caller's own other file gives no way to another organisation's message."""
    theirs = submitted_file()
    other = services.message_post(
        application=theirs, by=theirs.created_by, side=Side.APPLICANT, body="Ailleurs"
    )
    url = APPLICANT.format(file=world["file"].pk, message=other.pk)
    assert _client(world["applicant"]).get(url).status_code == 404
    staff_url = STAFF.format(file=world["file"].pk, message=other.pk)
    assert _client(world["manager"]).get(staff_url).status_code == 404


@pytest.mark.parametrize("odd", ["٣", "²", "-1", "9" * 30, "x", "%00"])
def test_an_odd_message_or_document_id_is_a_404(world, odd):
    applicant = _client(world["applicant"])
    for pattern in (APPLICANT, DOCUMENT):
        url = pattern.format(file=world["file"].pk, message=odd, document=odd)
        response = applicant.get(url)
        assert response.status_code == 404, url
        assert response.json()["errors"][0]["code"] == "not_found"


# --- who reads one document --------------------------------------------------------------------


def test_only_the_files_organisation_reads_one_of_its_documents(applicant, start_call):
    draft = services.application_start(
        call=start_call, organisation=applicant.organisation, by=applicant
    )
    document = services.attachment_add(application=draft, upload=pdf(), kind="annex", by=applicant)
    url = DOCUMENT.format(file=draft.pk, document=document.pk)
    mine = _client(applicant).get(url)
    assert mine.status_code == 200
    assert mine["Cache-Control"] == "private, no-store"
    assert mine.json()["id"] == document.pk
    colleague = make_member(applicant.organisation)
    assert _client(colleague).get(url).status_code == 200
    assert _client(UserFactory()).get(url).status_code == 404
    assert _client(staff("programme manager", "START")).get(url).status_code == 404
    organisation = OrganisationFactory(postcode="5000")
    owner = make_member(organisation)
    theirs = services.application_start(call=start_call, organisation=organisation, by=owner)
    elsewhere = services.attachment_add(application=theirs, upload=pdf(), kind="annex", by=owner)
    through_mine = DOCUMENT.format(file=draft.pk, document=elsewhere.pk)
    assert _client(applicant).get(through_mine).status_code == 404


# --- constant queries --------------------------------------------------------------------------


def test_one_message_is_read_in_constant_queries(world, django_assert_num_queries):
    applicant = _client(world["applicant"])
    url = _url(APPLICANT, world)
    # session, user, the file, the message with its author, its documents, the reader's
    # last read, the organisation (its name: the author's label)
    with django_assert_num_queries(7):
        assert applicant.get(url).status_code == 200
