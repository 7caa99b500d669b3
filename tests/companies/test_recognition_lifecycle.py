import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from adn_portal.mailer.models import OutgoingEmail
from companies import services
from companies.models import Expert, ExpertProfileChange
from companies.services import CompanyError
from companies.workflow import ACTIONS, TRANSITIONS, Actor, RecognitionAction, RecognitionStatus
from tests.auth import login_staff
from tests.factories import ExpertFactory, OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db
A, S = RecognitionAction, RecognitionStatus


def png(size=(64, 64)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def application_data(**changes) -> dict:
    data = {
        "description_fr": "Vision par ordinateur pour l'industrie.",
        "specialities": ["computer_vision"],
        "sectors": ["manufacturing"],
        "languages": ["fr", "de"],
        "programmes": ["START", "TREMPLIN"],
        "team_size": "6",
        "public_email": "contact@vision.be",
        "ref-TOTAL_FORMS": "3",
        "ref-INITIAL_FORMS": "0",
        "ref-MIN_NUM_FORMS": "3",
        "ref-MAX_NUM_FORMS": "3",
    }
    for n in range(3):
        data |= {
            f"ref-{n}-client": f"Client {n}",
            f"ref-{n}-summary": "Un diagnostic.",
            f"ref-{n}-year": "2025",
        }
    return data | changes


@pytest.fixture
def manager(db):
    return UserFactory(role="programme manager", is_staff=True, email="manager@adn.be")


@pytest.fixture
def company_owner(db):
    organisation = OrganisationFactory(name="Vision Wallonie SRL", postcode="4700")
    return make_member(organisation)


def test_a_company_applies_with_three_references_and_a_logo(client, company_owner, manager):
    client.force_login(company_owner)
    response = client.post(reverse("companies:expert_apply"), application_data(logo=png()))

    assert response.status_code == 302
    expert = Expert.objects.get(organisation__name="Vision Wallonie SRL")
    assert expert.status == RecognitionStatus.SUBMITTED
    assert expert.references.count() == 3
    assert expert.logo.name.startswith("experts/logos/")
    assert list(expert.events.values_list("action", "by")) == [(A.APPLIED, company_owner.pk)]
    assert OutgoingEmail.objects.filter(to="manager@adn.be").exists()
    assert not expert.is_listed_on(timezone.localdate())


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (
            SimpleUploadedFile("logo.png", b"MZ\x90\x00 not an image", content_type="image/png"),
            "invalid_image",
        ),
        ("too_large", "too_large"),
    ],
)
def test_a_logo_that_is_not_an_image_or_too_large_is_refused(
    client, company_owner, settings, upload, code
):
    if upload == "too_large":
        settings.EXPERT_LOGO_MAX_BYTES = 1000
        upload = png(size=(400, 400))
    client.force_login(company_owner)
    response = client.post(reverse("companies:expert_apply"), application_data(logo=upload))

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["logo"]] == [code]
    assert not Expert.objects.exists()


def test_an_application_without_three_references_is_refused(client, company_owner):
    client.force_login(company_owner)
    data = application_data(**{"ref-2-client": "", "ref-2-summary": "", "ref-2-year": ""})
    response = client.post(reverse("companies:expert_apply"), data)
    assert response.status_code == 200
    assert not Expert.objects.exists()


def test_approval_opens_a_validity_period_of_the_configured_length(manager, settings):
    settings.EXPERT_RECOGNITION_YEARS = 3
    expert = ExpertFactory(
        status=RecognitionStatus.SUBMITTED, recognised_from=None, recognised_until=None
    )
    today = timezone.localdate()

    expert = services.expert_transition(expert=expert, to=S.ACTIVE, actor=Actor.STAFF, by=manager)

    assert expert.status == RecognitionStatus.ACTIVE
    assert expert.recognised_from == today
    assert expert.recognised_until == today.replace(year=today.year + 3) - timedelta(days=1)
    event = expert.events.get(action=A.APPROVED)
    assert (event.by, event.from_status, event.to_status) == (manager, "submitted", "active")


def test_every_move_of_the_lifecycle_records_one_action_and_nothing_else_does():
    moves = {
        (source, target) for source, targets in TRANSITIONS.moves.items() for target in targets
    }
    assert set(ACTIONS) == moves


@pytest.mark.parametrize(
    ("status", "to", "actor"),
    [
        (S.SUBMITTED, S.SUSPENDED, Actor.STAFF),
        (S.REJECTED, S.ACTIVE, Actor.STAFF),
        (S.EXPIRED, S.SUSPENDED, Actor.STAFF),
        (S.SUBMITTED, "approved", Actor.STAFF),  # an action is not a status
        (S.ACTIVE, S.EXPIRED, Actor.STAFF),  # the scheduler's move
        (S.INFO_REQUESTED, S.SUBMITTED, Actor.STAFF),  # the company's answer
        (S.SUBMITTED, S.ACTIVE, Actor.COMPANY),  # staff's decision
    ],
)
def test_a_move_not_in_the_table_for_this_status_and_actor_is_refused_and_changes_nothing(
    manager, status, to, actor
):
    expert = ExpertFactory(status=status)
    with pytest.raises(CompanyError):
        services.expert_transition(expert=expert, to=to, actor=actor, by=manager, comment="x")
    expert.refresh_from_db()
    assert expert.status == status
    assert not expert.events.exists()


def test_rejection_and_suspension_need_a_reason(manager):
    submitted = ExpertFactory(status=RecognitionStatus.SUBMITTED)
    with pytest.raises(CompanyError):
        services.expert_transition(
            expert=submitted, to=S.REJECTED, actor=Actor.STAFF, by=manager, comment="  "
        )
    rejected = services.expert_transition(
        expert=submitted,
        to=S.REJECTED,
        actor=Actor.STAFF,
        by=manager,
        comment="Références insuffisantes.",
    )
    assert rejected.status == RecognitionStatus.REJECTED
    assert rejected.events.get(action=A.REJECTED).comment == "Références insuffisantes."


def test_information_request_answered_returns_the_application_to_review(manager, company_owner):
    expert = ExpertFactory(
        organisation=company_owner.organisations.get(), status=RecognitionStatus.SUBMITTED
    )
    services.expert_transition(
        expert=expert,
        to=S.INFO_REQUESTED,
        actor=Actor.STAFF,
        by=manager,
        comment="Précisez l'équipe.",
    )
    expert = services.expert_transition(
        expert=expert,
        to=S.SUBMITTED,
        actor=Actor.COMPANY,
        by=company_owner,
        comment="Six personnes.",
    )
    assert expert.status == RecognitionStatus.SUBMITTED
    assert [e.action for e in expert.events.order_by("pk")] == [A.INFO_REQUESTED, A.ANSWERED]


def test_suspended_company_leaves_the_directory_and_comes_back_when_reinstated(client, manager):
    expert = ExpertFactory(organisation__name="Suspendue SA")
    services.expert_transition(
        expert=expert,
        to=S.SUSPENDED,
        actor=Actor.STAFF,
        by=manager,
        comment="Contrôle en cours.",
    )
    assert "Suspendue SA" not in client.get(reverse("companies:expert_directory")).content.decode()
    assert client.get(expert.get_absolute_url()).status_code == 404

    services.expert_transition(expert=expert, to=S.ACTIVE, actor=Actor.STAFF, by=manager)
    assert "Suspendue SA" in client.get(reverse("companies:expert_directory")).content.decode()


def test_renewal_before_the_end_extends_without_a_gap(manager, settings):
    settings.EXPERT_RECOGNITION_YEARS = 3
    today = timezone.localdate()
    end = today + timedelta(days=30)
    expert = ExpertFactory(recognised_from=today - timedelta(days=1000), recognised_until=end)

    expert = services.expert_transition(expert=expert, to=S.ACTIVE, actor=Actor.STAFF, by=manager)

    next_start = end + timedelta(days=1)
    assert expert.recognised_until == next_start.replace(year=next_start.year + 3) - timedelta(
        days=1
    )
    assert expert.recognised_from == today - timedelta(days=1000)


def test_renewal_of_an_expired_recognition_starts_today(manager):
    today = timezone.localdate()
    expert = ExpertFactory(
        status=RecognitionStatus.EXPIRED,
        recognised_from=today - timedelta(days=1200),
        recognised_until=today - timedelta(days=100),
    )
    expert = services.expert_transition(expert=expert, to=S.ACTIVE, actor=Actor.STAFF, by=manager)
    assert expert.status == RecognitionStatus.ACTIVE
    assert expert.recognised_from == today


def test_the_expiry_task_expires_recognitions_past_their_end_once(client):
    today = timezone.localdate()
    ended = ExpertFactory(
        organisation__name="Terminée SRL", recognised_until=today - timedelta(days=1)
    )
    running = ExpertFactory(organisation__name="En cours SRL", recognised_until=today)

    from companies.tasks import expire_recognitions

    assert expire_recognitions.delay().get() == 1
    assert expire_recognitions.delay().get() == 0  # a second run finds nothing to do

    ended.refresh_from_db()
    running.refresh_from_db()
    assert ended.status == RecognitionStatus.EXPIRED
    assert running.status == RecognitionStatus.ACTIVE
    event = ended.events.get()
    assert (event.action, event.by, event.from_status, event.to_status) == (
        A.EXPIRED,
        None,
        "active",
        "expired",
    )
    page = client.get(reverse("companies:expert_directory")).content.decode()
    assert "Terminée SRL" not in page and "En cours SRL" in page


def test_renewal_reminder_is_sent_once_sixty_days_before_the_end(settings):
    settings.EXPERT_RENEWAL_REMINDER_DAYS = 60
    today = timezone.localdate()
    due = ExpertFactory(recognised_until=today + timedelta(days=60))
    make_member(due.organisation, UserFactory(email="owner@expert.be"))
    ExpertFactory(recognised_until=today + timedelta(days=61))  # not yet

    assert services.experts_send_renewal_reminders(today=today) == 1
    assert services.experts_send_renewal_reminders(today=today) == 0
    assert OutgoingEmail.objects.filter(to="owner@expert.be").count() == 1
    assert due.events.filter(action=A.REMINDER_SENT).count() == 1


def test_after_a_renewal_the_next_end_date_gets_its_own_reminder(manager):
    today = timezone.localdate()
    expert = ExpertFactory(recognised_until=today + timedelta(days=10))
    assert services.experts_send_renewal_reminders(today=today) == 1
    services.expert_transition(expert=expert, to=S.ACTIVE, actor=Actor.STAFF, by=manager)
    later = today + timedelta(days=3 * 365 - 20)
    assert services.experts_send_renewal_reminders(today=later) == 1


def test_description_change_waits_for_staff_while_the_public_keeps_the_accepted_version(
    client, manager
):
    expert = ExpertFactory(description_fr="Version publiée.", public_phone="", team_size=5)
    owner = make_member(expert.organisation)

    change = services.expert_update_profile(
        expert=expert,
        data={
            "description_fr": "Nouvelle version.",
            "specialities": ["nlp_genai"],
            "public_phone": "+32 4 123 45 67",
            "team_size": 9,
        },
        by=owner,
    )

    expert.refresh_from_db()
    assert change.status == "pending"
    assert expert.team_size == 9  # what is not public identity nor text applies at once
    assert expert.public_phone == ""  # the public contact waits, like the description
    page = client.get(expert.get_absolute_url()).content.decode()
    assert "Version publiée." in page and "Nouvelle version." not in page

    services.expert_profile_change_decide(change=change, accept=True, by=manager)
    page = client.get(expert.get_absolute_url()).content.decode()
    assert "Nouvelle version." in page
    expert.refresh_from_db()
    assert expert.specialities == ["nlp_genai"]
    assert expert.public_phone == "+32 4 123 45 67"
    assert expert.facets.filter(kind="speciality").get().value == "nlp_genai"


def test_a_refused_change_leaves_the_published_profile(manager):
    expert = ExpertFactory(description_fr="Version publiée.")
    owner = make_member(expert.organisation)
    change = services.expert_update_profile(
        expert=expert, data={"description_fr": "Autre."}, by=owner
    )
    services.expert_profile_change_decide(
        change=change, accept=False, by=manager, comment="Trop vague."
    )
    expert.refresh_from_db()
    assert expert.description_fr == "Version publiée."
    assert ExpertProfileChange.objects.get().status == "refused"


def test_only_members_edit_their_company_profile():
    expert = ExpertFactory()
    with pytest.raises(CompanyError):
        services.expert_update_profile(expert=expert, data={"public_phone": "1"}, by=UserFactory())


@pytest.mark.parametrize("who", ["anonymous", "applicant", "reviewer"])
def test_staff_recognition_pages_are_for_programme_managers_only(client, who):
    expert = ExpertFactory(status=RecognitionStatus.SUBMITTED)
    if who == "applicant":
        client.force_login(UserFactory())
    elif who == "reviewer":
        login_staff(client, UserFactory(role="reviewer", is_staff=True))
    for url in (
        reverse("companies:staff_expert_list"),
        reverse("companies:staff_expert_detail", args=[expert.pk]),
    ):
        response = client.get(url)
        assert response.status_code == (302 if who == "anonymous" else 404)
    response = client.post(
        reverse("companies:staff_expert_detail", args=[expert.pk]), {"to": S.ACTIVE}
    )
    expert.refresh_from_db()
    assert expert.status == RecognitionStatus.SUBMITTED


def test_a_manager_approves_from_the_staff_page_and_the_company_is_listed(client, manager):
    expert = ExpertFactory(
        organisation__name="Nouvelle IA SRL",
        status=RecognitionStatus.SUBMITTED,
        recognised_from=None,
        recognised_until=None,
    )
    login_staff(client, manager)
    assert "Nouvelle IA SRL" in client.get(reverse("companies:staff_expert_list")).content.decode()

    response = client.post(
        reverse("companies:staff_expert_detail", args=[expert.pk]),
        {"to": S.ACTIVE, "comment": ""},
    )

    assert response.status_code == 302
    client.logout()
    assert "Nouvelle IA SRL" in client.get(reverse("companies:expert_directory")).content.decode()


def test_logo_of_an_unlisted_company_is_hidden_from_the_public(client):
    expert = ExpertFactory(status=RecognitionStatus.SUSPENDED, logo=png())
    assert client.get(reverse("companies:expert_logo", args=[expert.slug])).status_code == 404
    owner = make_member(expert.organisation)
    client.force_login(owner)
    response = client.get(reverse("companies:expert_logo", args=[expert.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
