"""A recognition counts from its start date, never before (docs/domain.md, Recognised experts), and staff cannot start
one on a day that makes no sense."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from applications.eligibility import run_checks
from applications.models import Application
from companies.models import Expert
from companies.workflow import RecognitionStatus
from programs.models import EligibilityRule, Programme
from tests.auth import login_staff
from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def future_expert(db):
    """Recognised by a decision taken today, from next week."""
    today = timezone.localdate()
    return ExpertFactory(
        organisation__name="Demain IA SRL",
        recognised_from=today + timedelta(days=7),
        recognised_until=today + timedelta(days=7 + 3 * 365),
    )


@pytest.fixture
def manager(db):
    return UserFactory(role="programme manager", is_staff=True, email="manager@adn.be")


def test_a_recognition_starting_next_week_is_not_in_the_directory_today(client, future_expert):
    ExpertFactory(organisation__name="Aujourd'hui IA SRL")
    page = client.get(reverse("companies:expert_directory")).content.decode()
    assert "Aujourd&#x27;hui IA SRL" in page
    assert "Demain IA SRL" not in page
    response = client.get(reverse("companies:expert_detail", args=[future_expert.slug]))
    assert response.status_code == 404
    api = client.get("/api/v1/experts/")
    assert api.status_code == 200
    assert [e["name"] for e in api.json()["results"]] == ["Aujourd'hui IA SRL"]


def test_a_recognition_starting_next_week_is_listed_from_its_first_day(future_expert):
    start = future_expert.recognised_from
    assert not Expert.objects.publicly_listed(today=start - timedelta(days=1)).exists()
    assert list(Expert.objects.publicly_listed(today=start)) == [future_expert]
    assert not future_expert.is_listed_on(start - timedelta(days=1))
    assert future_expert.is_listed_on(start)


def test_an_expert_whose_recognition_starts_later_fails_the_recognised_expert_check(
    future_expert,
):
    organisation = OrganisationFactory(postcode="4000")
    call = CallFactory(
        programme=Programme.objects.get(code=Programme.Code.START_IA),
        eligibility_rules=[EligibilityRule.EXPERT_RECOGNISED],
    )
    application = Application.objects.create(
        call=call,
        programme=call.programme,
        organisation=organisation,
        created_by=UserFactory(),
        expert=future_expert,
    )
    with translation.override("en"):
        (check,) = [
            c
            for c in run_checks(application, now=timezone.now())
            if c.rule == EligibilityRule.EXPERT_RECOGNISED
        ]
    assert not check.passed
    assert check.message.startswith("Demain IA SRL is recognised only from ")


def approve(client, expert, **data):
    # In English: the French is in the translations the lead merges (i18n-pending/figures).
    client.cookies["adn_language"] = "en"
    return client.post(
        reverse("companies:staff_expert_detail", args=[expert.pk]),
        {"to": RecognitionStatus.ACTIVE, "comment": "", **data},
    )


@pytest.fixture
def submitted(db):
    return ExpertFactory(
        organisation__name="Candidate IA SRL",
        status=RecognitionStatus.SUBMITTED,
        recognised_from=None,
        recognised_until=None,
    )


@pytest.mark.parametrize(
    ("days", "error"),
    [
        (91, "Une reconnaissance ne peut pas commencer plus de 90 jours après aujourd'hui"),
        (-3 * 366, "En commençant à cette date, la reconnaissance aurait déjà pris fin le "),
    ],
    ids=["more than 90 days ahead", "period already over"],
)
def test_the_staff_form_refuses_a_start_date_that_makes_no_sense(
    client, manager, submitted, days, error
):
    login_staff(client, manager)
    start = timezone.localdate() + timedelta(days=days)
    response = approve(client, submitted, valid_from=start.isoformat())
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["valid_from"]
    assert error in form.errors["valid_from"][0]
    submitted.refresh_from_db()
    assert submitted.status == RecognitionStatus.SUBMITTED and submitted.recognised_from is None


def test_the_staff_form_accepts_a_start_within_ninety_days(client, manager, submitted):
    login_staff(client, manager)
    start = timezone.localdate() + timedelta(days=90)
    response = approve(client, submitted, valid_from=start.isoformat(), years="2")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == RecognitionStatus.ACTIVE
    assert submitted.recognised_from == start
    assert submitted.recognised_until == start.replace(year=start.year + 2) - timedelta(days=1)
    assert not submitted.is_listed_on(timezone.localdate())


def test_a_renewal_before_the_end_refuses_a_start_date(client, manager):
    today = timezone.localdate()
    expert = ExpertFactory(recognised_until=today + timedelta(days=30))
    login_staff(client, manager)
    response = client.post(
        reverse("companies:staff_expert_detail", args=[expert.pk]),
        {"to": RecognitionStatus.ACTIVE, "valid_from": (today + timedelta(days=5)).isoformat()},
    )
    assert response.status_code == 200
    assert "laissez la date de début vide" in response.context["form"].errors["valid_from"][0]
    expert.refresh_from_db()
    assert expert.recognised_until == today + timedelta(days=30)
