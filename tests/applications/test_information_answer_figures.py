"""An answer to an information request that changes the budget or the provider: the
stored figures (the queue's, the exports', the envelope's) and the eligibility checks follow the
answered content, and the earlier version keeps its own content and checks. Through the pages
and through the API."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from applications import guards, services
from applications.models import Application, Export
from applications.workflow import Actor, Status
from programs.models import EligibilityRule, FormSection, Programme
from tests.auth import login, login_staff
from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, make_member
from tests.fixtures.applicants import START_STEPS, pdf
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db

BUDGET = {
    "cost_personnel": "1000",
    "cost_provider": "3000",
    "cost_equipment": "0",
    "cost_other": "0",
    "amount_requested": "3000",
}
SMALLER = {**BUDGET, "cost_provider": "2000", "amount_requested": "2000"}


@pytest.fixture
def asked(db):
    """A Tremplin IA file submitted through the API (3,000 EUR requested, first provider), then
    asked for information by a reviewer."""
    call = CallFactory(
        programme=Programme.objects.get(code="TREMPLIN"),
        eligibility_rules=[EligibilityRule.EXPERT_RECOGNISED],
        form_sections=[FormSection.PROJECT, FormSection.EXPERT, FormSection.BUDGET],
    )
    first = ExpertFactory(organisation__name="Premier Prestataire", programmes=["TREMPLIN"])
    second = ExpertFactory(organisation__name="Second Prestataire", programmes=["TREMPLIN"])
    organisation = OrganisationFactory()
    applicant = make_member(organisation)
    api = APIClient()
    api.force_authenticate(applicant)
    draft = api.post(
        "/api/v1/applications/",
        {"call": call.slug, "organisation": organisation.pk},
        format="json",
    ).json()
    steps = {
        "organisation": {"confirmed": True},
        "contact": START_STEPS["contact"],
        "project": {"title": "Tri", "use_case": "Défauts.", "objectives": "-20 %."},
        "provider": {"expert": first.pk, "work_plan": "Trois phases.", "duration_months": 6},
        "budget": BUDGET,
    }
    version = draft["version"]
    for slug, data in steps.items():
        response = api.put(
            f"/api/v1/applications/{draft['id']}/steps/{slug}/",
            {"version": version, "data": data},
            format="json",
        )
        assert response.status_code == 200, response.json()
        version = response.json()["version"]
    quote = api.post(
        f"/api/v1/applications/{draft['id']}/attachments/",
        {"file": pdf("devis.pdf"), "kind": "quote"},
        format="multipart",
    )
    assert quote.status_code == 201
    declared = {"gdpr_consent": True, "sworn_statement": True}
    submitted = api.post(f"/api/v1/applications/{draft['id']}/submit/", declared, format="json")
    assert submitted.status_code == 200
    application = Application.objects.get(pk=draft["id"])
    reviewer = staff("reviewer", "TREMPLIN")
    services.application_request_information(
        application=application, by=reviewer, actor=Actor.REVIEWER, message="Revoyez le budget."
    )
    return {"application": application, "applicant": applicant, "reviewer": reviewer} | {
        "first": first,
        "second": second,
    }


def _answer_through_the_pages(client, asked):
    application = asked["application"]
    login(client, asked["applicant"])
    for slug, values in (
        ("budget", SMALLER),
        ("provider", {"expert": asked["second"].pk, "work_plan": "Deux.", "duration_months": 4}),
    ):
        response = client.post(reverse("applications:step", args=[application.pk, slug]), values)
        assert response.status_code == 302, response.context["form"].errors
    response = client.post(
        reverse("applications:answer", args=[application.pk]), {"answer": "Budget revu."}
    )
    assert response.status_code == 302


def _answer_through_the_api(client, asked):
    application = asked["application"]
    api = APIClient()
    api.force_authenticate(asked["applicant"])
    for slug, data in (
        ("budget", SMALLER),
        ("provider", {"expert": asked["second"].pk, "work_plan": "Deux.", "duration_months": 4}),
    ):
        response = api.put(
            f"/api/v1/applications/{application.pk}/steps/{slug}/",
            {"version": application.version, "data": data},
            format="json",
        )
        assert response.status_code == 200, response.json()
    response = api.post(
        f"/api/v1/applications/{application.pk}/answer/", {"answer": "Budget revu."}, format="json"
    )
    assert response.status_code == 200, response.json()


def _expert_check(checks: list[dict]) -> str:
    (check,) = [c for c in checks if c["rule"] == EligibilityRule.EXPERT_RECOGNISED]
    assert check["passed"]
    return check["message"]


@pytest.mark.parametrize("answer", [_answer_through_the_pages, _answer_through_the_api])
def test_an_answer_with_a_new_budget_moves_the_stored_figures_and_the_checks(
    client, asked, answer, django_capture_on_commit_callbacks
):
    application = asked["application"]
    answer(client, asked)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.amount_requested == Decimal("2000")
    assert application.total_budget == Decimal("3000")
    assert application.expert == asked["second"]
    assert guards.funding_amount(application) == Decimal("2000")  # what the envelope commits
    assert "Second Prestataire" in _expert_check(application.eligibility)

    # The earlier version keeps what was submitted, with the checks of that time.
    first, second = application.versions.order_by("number")
    assert first.data["budget"]["amount_requested"] == "3000"
    assert "Premier Prestataire" in _expert_check(first.eligibility)
    assert second.data["budget"]["amount_requested"] == "2000"
    assert second.eligibility == application.eligibility

    # The queue (API) and an export read the new amount.
    api = APIClient()
    api.force_authenticate(asked["reviewer"])
    services.review_open(application=application, reviewer=asked["reviewer"])  # no conflict
    row = api.get(f"/api/v1/staff/applications/{application.pk}/").json()
    assert row["amount_requested"] == "2000.00"
    login_staff(client, asked["reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:staff_export_create"), {"format": "xlsx"})
    export = Export.objects.get()
    sheet = load_workbook(io.BytesIO(export.file.open("rb").read())).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][header.index("Montant demandé (EUR)")] == 2000


def test_the_deadline_of_an_answer_is_the_submissions(asked):
    """Answered after the call closed, the file is still on time: it was submitted before."""
    application = asked["application"]
    application.call.closes_at = application.submitted_at + timedelta(days=1)
    application.call.save()
    services.application_answer_information_request(
        application=application,
        by=asked["applicant"],
        answer="Le voici.",
        now=application.submitted_at + timedelta(days=30),
    )
    application.refresh_from_db()
    assert [c["rule"] for c in application.eligibility if not c["passed"]] == []
    # Run again at the answer, and kept with the answered version.
    assert application.versions.get(number=2).eligibility == application.eligibility
