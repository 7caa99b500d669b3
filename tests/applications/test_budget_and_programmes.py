from decimal import Decimal

import pytest
from django.urls import reverse

from applications.services import application_start
from applications.steps import maximum_amount
from programs.models import FormSection, Programme
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

BUDGET = {
    "cost_personnel": "20000",
    "cost_provider": "60000",
    "cost_equipment": "10000",
    "cost_other": "10000",
}


@pytest.fixture
def tremplin_call(db):
    return CallFactory(
        programme=Programme.objects.get(code=Programme.Code.TREMPLIN_IA),
        funding_rate=Decimal("50"),
        ceiling_per_file=Decimal("40000"),
        max_duration_months=12,
        audiences=["sme"],
        eligibility_rules=[],
        form_sections=[
            FormSection.PROJECT,
            FormSection.DATA,
            FormSection.EXPERT,
            FormSection.BUDGET,
            FormSection.ROADMAP,
            FormSection.ATTACHMENTS,
        ],
    )


def test_the_cap_is_the_rate_applied_to_the_budget_then_the_ceiling(tremplin_call):
    assert maximum_amount(tremplin_call, Decimal("60000")) == Decimal("30000.00")
    assert maximum_amount(tremplin_call, Decimal("100000")) == Decimal("40000")


def test_an_amount_above_the_ceiling_is_refused_next_to_the_field(client, applicant, tremplin_call):
    client.force_login(applicant)
    application = application_start(
        call=tremplin_call, organisation=applicant.organisation, by=applicant
    )
    response = client.post(
        reverse("applications:step", args=[application.pk, "budget"]),
        {**BUDGET, "amount_requested": "45000", "version": "1", "save_continue": "1"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["amount_requested"]
    assert "40\u00a0000\u00a0€" in errors[0]  # as French writes an amount
    application.refresh_from_db()
    assert "budget" not in application.completed_steps and application.amount_requested is None


def test_an_amount_within_the_cap_completes_the_budget_step(client, applicant, tremplin_call):
    client.force_login(applicant)
    application = application_start(
        call=tremplin_call, organisation=applicant.organisation, by=applicant
    )
    client.post(
        reverse("applications:step", args=[application.pk, "budget"]),
        {**BUDGET, "amount_requested": "40000", "version": "1", "save_continue": "1"},
    )
    application.refresh_from_db()
    assert application.amount_requested == Decimal("40000")
    assert application.total_budget == Decimal("100000")
    assert "budget" in application.completed_steps


def test_each_programme_asks_for_its_own_steps(applicant, tremplin_call, start_call):
    from applications.steps import steps_for

    assert [s.slug for s in steps_for(start_call)] == [
        "organisation",
        "contact",
        "needs",
        "expert",
        "documents",
    ]
    assert [s.slug for s in steps_for(tremplin_call)] == [
        "organisation",
        "contact",
        "project",
        "data",
        "provider",
        "budget",
        "roadmap",
        "documents",
    ]
    start_call.form_sections = [
        FormSection.CHALLENGES
    ]  # the call leaves the expert and documents out
    assert [s.slug for s in steps_for(start_call)] == [
        "organisation",
        "contact",
        "needs",
    ]


def test_a_tremplin_application_needs_the_providers_quote(client, applicant, tremplin_call):
    from django.utils import timezone

    from applications.eligibility import run_checks

    application = application_start(
        call=tremplin_call, organisation=applicant.organisation, by=applicant
    )
    complete = next(c for c in run_checks(application, now=timezone.now()) if c.rule == "complete")
    assert not complete.passed
    assert "devis" in complete.message


def test_a_duration_longer_than_the_call_allows_is_refused(
    client, applicant, tremplin_call, expert
):
    client.force_login(applicant)
    application = application_start(
        call=tremplin_call, organisation=applicant.organisation, by=applicant
    )
    response = client.post(
        reverse("applications:step", args=[application.pk, "provider"]),
        {
            "expert": expert.pk,
            "work_plan": "Trois phases.",
            "duration_months": "18",
            "version": "1",
            "save_continue": "1",
        },
    )
    assert "duration_months" in response.context["form"].errors


def test_a_negative_amount_is_refused_by_the_form_and_by_the_database(
    client, applicant, tremplin_call
):
    from django.db import IntegrityError, transaction

    from applications.models import Application

    client.force_login(applicant)
    application = application_start(
        call=tremplin_call, organisation=applicant.organisation, by=applicant
    )
    response = client.post(
        reverse("applications:step", args=[application.pk, "budget"]),
        {**BUDGET, "amount_requested": "-5", "version": "1", "save_continue": "1"},
    )
    assert "amount_requested" in response.context["form"].errors
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(amount_requested=Decimal("-5"))
    application.refresh_from_db()
    assert application.amount_requested is None and application.data == {}
