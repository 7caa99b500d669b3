import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programs.models import EligibilityRule, FormSection, Programme
from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, make_member

START_STEPS = {
    "organisation": {"confirmed": "on"},
    "contact": {
        "contact_name": "Julie Dupont",
        "contact_function": "Gérante",
        "contact_email": "julie@pme.be",
        "contact_phone": "+32 4 123 45 67",
    },
    "needs": {
        "activity": "Menuiserie industrielle.",
        "challenges": "Planifier la production.",
        "available_data": "Historique des commandes.",
        "maturity": "exploring",
        "expected_benefits": "Moins de retards.",
    },
    "declarations": {"gdpr_consent": "on", "sworn_statement": "on"},
}


def pdf(name: str = "annexe.pdf", size: int = 2000) -> SimpleUploadedFile:
    content = b"%PDF-1.4\n" + b"0" * max(0, size - 9)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def start_call(db):
    return CallFactory(
        programme=Programme.objects.get(code=Programme.Code.START_IA),
        slug="start-ia-test",
        audiences=["sme", "startup"],
        eligibility_rules=[
            EligibilityRule.WALLOON_SEAT,
            EligibilityRule.AUDIENCE_KIND,
            EligibilityRule.SME_SIZE,
            EligibilityRule.NO_OTHER_OPEN_FILE,
            EligibilityRule.EXPERT_RECOGNISED,
        ],
        form_sections=[FormSection.CHALLENGES, FormSection.EXPERT, FormSection.ATTACHMENTS],
    )


@pytest.fixture
def expert(db):
    return ExpertFactory(organisation__name="Vision Meuse SRL", programmes=["START", "TREMPLIN"])


@pytest.fixture
def applicant(db):
    organisation = OrganisationFactory(name="Menuiserie Dupont SRL", postcode="4000")
    user = make_member(organisation)
    user.organisation = organisation
    return user


def fill_steps(client, application, expert, steps=None):
    """Complete every form step of a Start IA draft through the pages, as a person would."""
    data = dict(START_STEPS)
    data["expert"] = {"expert": str(expert.pk), "availability": "Les mardis."}
    for slug, values in (steps or data).items():
        response = client.post(
            reverse("applications:step", args=[application.pk, slug]),
            {**values, "version": str(_version(application)), "save_continue": "1"},
        )
        assert response.status_code == 302, (
            slug,
            response.context and response.context["form"].errors,
        )


def _version(application) -> int:
    application.refresh_from_db()
    return application.version


__all__ = ["START_STEPS", "fill_steps", "io", "pdf"]
