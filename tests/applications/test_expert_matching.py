"""Explained matching of a Start IA request with recognised experts: the ranking, its reasons
(each true of the expert), the applicant's expert step and the staff's file page.

Runs on SQLite (`make test`) and on PostgreSQL (`make test-services`); the texts here give the
same reasons on both. The demo data's check is tests/applications/test_expert_matching_on_the_demo.py."""

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from applications import services
from applications.matching import expert_proposals, staff_expert_proposals
from applications.models import Application, OutcomeReport
from applications.workflow import Status
from companies.workflow import RecognitionStatus
from programs.models import FormSection, Programme
from tests.auth import login, login_staff
from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, make_member
from tests.fixtures.matching import untrue_reasons
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db

NEEDS = {
    "activity": "Nous usinons des pièces métalliques pour l'automobile.",
    "challenges": "Remplacer l'inspection à l'œil par une caméra et un contrôle qualité fiable.",
    "available_data": "Des photos de pièces défectueuses.",
    "maturity": "exploring",
    "expected_benefits": "Moins de rebuts.",
}


def expert(name: str, postcode: str, **fields):
    return ExpertFactory(
        organisation=OrganisationFactory(name=name, postcode=postcode),
        description_fr="Nous aidons les PME à adopter l'intelligence artificielle.",
        **fields,
    )


def start_ia_call():
    return CallFactory(
        programme=Programme.objects.get(code=Programme.Code.START_IA),
        form_sections=[FormSection.CHALLENGES, FormSection.EXPERT],
    )


@pytest.fixture
def experts(db):
    """Who a person would pick for a German-speaking metalworking SME in Eupen that wants its
    parts inspected by camera: Eupen's computer-vision company that works in German first,
    then Namur's, which does computer vision for manufacturers but in French only."""
    return {
        "eupen": expert(
            "Vision Eupen GmbH",
            "4700",
            specialities=["computer_vision"],
            sectors=["manufacturing"],
            languages=["fr", "de"],
        ),
        "namur": expert(
            "Vision Namur SRL",
            "5000",
            specialities=["computer_vision", "forecasting"],
            sectors=["manufacturing", "retail"],
            languages=["fr"],
        ),
        "robots": expert(
            "Robots Liège SRL",
            "4000",
            specialities=["robotics"],
            sectors=["manufacturing"],
            languages=["fr", "de"],
        ),
        "texts": expert(
            "Textes Mons SRL",
            "7000",
            specialities=["nlp_genai"],
            sectors=["retail"],
            languages=["fr"],
        ),
        # Never proposed: not a Start IA expert, suspended, or recognised from a later day.
        "tremplin only": expert(
            "Vision Tremplin SRL",
            "4700",
            specialities=["computer_vision"],
            languages=["fr", "de"],
            programmes=["TREMPLIN"],
        ),
        "suspended": expert(
            "Vision Suspendue SRL",
            "4700",
            specialities=["computer_vision"],
            languages=["fr", "de"],
            status=RecognitionStatus.SUSPENDED,
        ),
        "later": expert(
            "Vision Demain SRL",
            "4700",
            specialities=["computer_vision"],
            languages=["fr", "de"],
            recognised_from=timezone.localdate() + timezone.timedelta(days=10),
        ),
    }


@pytest.fixture
def sme(db):
    return OrganisationFactory(
        name="Usinage Eupen SRL", postcode="4700", nace_codes=["25.620"], sector="C"
    )


@pytest.fixture
def request_file(sme, experts):
    """A Start IA draft of the SME, its needs step filled in, by a French-speaking member."""
    call = start_ia_call()
    user = make_member(sme)
    application = services.application_start(call=call, organisation=sme, by=user)
    application.data = {**application.data, "needs": NEEDS}
    application.save(update_fields=["data"])
    # Namur's company did two Start IA diagnostics for manufacturers, and one for a shop.
    for sector, status in (("C", Status.COMPLETED), ("C", Status.CLOSED), ("G", Status.COMPLETED)):
        submitted_file(
            call,
            status=status,
            organisation=OrganisationFactory(sector=sector),
            expert=experts["namur"],
            completed_at=timezone.now(),
        )
    # Loaded as the pages load it (with its form version: which questions say the needs).
    return Application.objects.select_related(
        "organisation", "created_by", "programme", "call__programme", "form_version"
    ).get(pk=application.pk)


def names(proposals) -> list[str]:
    return [proposal.expert.organisation.name for proposal in proposals]


def test_the_experts_are_ranked_for_the_request_as_a_person_would_pick_them(request_file):
    with translation.override("en"):
        proposals = expert_proposals(application=request_file)

    assert names(proposals) == [
        "Vision Eupen GmbH",
        "Vision Namur SRL",
        "Robots Liège SRL",
        "Textes Mons SRL",
    ]


def test_each_proposal_says_why_with_the_components_of_its_score(request_file, experts):
    with translation.override("en"):
        proposals = expert_proposals(application=request_file)

    vision = "specialities: Computer vision — your needs mention “caméra”, “inspection”, “contrôle”, “qualité”"
    assert [(proposal.score, proposal.reasons) for proposal in proposals] == [
        (
            14.5,  # 2 points x 3 words of vision, sector 2, French 2, German 2, province 2.5
            [
                vision,
                "serves your sector: Manufacturing and industry 4.0",
                "works in French",
                "works in German",
                "in the province of Liège, like you",
            ],
        ),
        (
            11.0,  # vision 6, sector 2, 2 diagnostics x 0.5, French 2
            [
                vision,
                "serves your sector: Manufacturing and industry 4.0",
                "2 completed Start IA diagnostics in your sector (Manufacturing)",
                "works in French",
            ],
        ),
        (
            8.5,  # sector 2, French 2, German 2, province 2.5
            [
                "serves your sector: Manufacturing and industry 4.0",
                "works in French",
                "works in German",
                "in the province of Liège, like you",
            ],
        ),
        (2.0, ["works in French"]),
    ]


def test_every_reason_shown_is_true_of_its_expert(request_file):
    with translation.override("en"):
        proposals = expert_proposals(application=request_file)
        assert proposals
        assert {
            proposal.expert.pk: untrue_reasons(proposal, request_file) for proposal in proposals
        } == {proposal.expert.pk: [] for proposal in proposals}


def test_the_smes_own_expert_company_is_not_proposed(request_file, sme):
    ExpertFactory(organisation=sme, specialities=["computer_vision"], languages=["fr", "de"])

    proposals = expert_proposals(application=request_file)

    assert sme.name not in names(proposals)
    assert len(proposals) == 4


def test_the_ranking_takes_the_same_number_of_queries_whatever_the_number_of_experts(
    request_file, django_assert_num_queries
):
    for n in range(20):
        expert(f"Expert {n} SRL", "1300", specialities=["computer_vision"], languages=["en"])
    # PostgreSQL: the needs' words, their rarity and the specialities they call for; the
    # ranking over a shortlist, and here once more (its first guess fails with so few experts;
    # applications/matching/shortlist.py). SQLite: the ranking (its reading of the needs needs
    # no query).
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 1):
        proposals = expert_proposals(application=request_file)

    assert len(proposals) == 5


def test_a_tremplin_file_gets_no_proposals(sme, experts):
    call = CallFactory(programme=Programme.objects.get(code=Programme.Code.TREMPLIN_IA))
    application = services.application_start(call=call, organisation=sme, by=make_member(sme))

    assert expert_proposals(application=application) == []


# --- the pages ------------------------------------------------------------------------------


def test_the_expert_step_proposes_the_ranked_experts_as_choices_of_its_form(
    client, request_file, experts
):
    login(client, request_file.created_by)

    page = client.get(reverse("applications:step", args=[request_file.pk, "expert"]))

    assert page.status_code == 200
    text = page.content.decode()
    form = text[text.index('id="step-form"') : text.index("</form>", text.index('id="step-form"'))]
    proposed = re.findall(r'<li class="form-check mb-3" data-proposal="(\d+)">', form)
    assert proposed == [str(experts[key].pk) for key in ("eupen", "namur", "robots", "texts")]
    assert f'type="radio" name="expert" value="{experts["eupen"].pk}" id="proposal-' in form
    assert "proposal-surveys" not in text  # the outcome surveys are for staff only

    chosen = client.post(
        reverse("applications:step", args=[request_file.pk, "expert"]),
        {
            "expert": str(experts["eupen"].pk),
            "availability": "Les mardis.",
            "version": str(request_file.version),
            "save_continue": "1",
        },
    )

    assert chosen.status_code == 302
    request_file.refresh_from_db()
    assert request_file.expert == experts["eupen"]


def test_staff_see_the_proposals_with_the_outcome_surveys_when_the_applicant_lets_them_choose(
    client, sme, experts
):
    manager = staff("programme manager", "START")
    call = start_ia_call()
    application = submitted_file(
        call, status=Status.UNDER_REVIEW, organisation=sme, expert_chosen_by_adn=True
    )
    Application.objects.filter(pk=application.pk).update(data={"needs": NEEDS})
    past = submitted_file(
        call,
        status=Status.COMPLETED,
        organisation=OrganisationFactory(sector="C"),
        expert=experts["eupen"],
        completed_at=timezone.now(),
    )
    OutcomeReport.objects.create(
        application=past,
        summary="Fait.",
        investment_before=1000,
        investment_after=3000,
        improved_competitiveness=True,
        improved_quality=False,
        in_production=True,
        jobs_created=0,
        would_recommend=True,
        submitted_by=past.created_by,
    )
    login_staff(client, manager)

    page = client.get(reverse("applications:staff_application", args=[application.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    proposed = re.findall(r'<li class="border rounded p-2 mb-2" data-proposal="(\d+)">', text)
    assert proposed[:2] == [str(experts["eupen"].pk), str(experts["namur"].pk)]
    assert (
        f'<input type="hidden" name="expert" value="{experts["eupen"].pk}">' in text
    )  # its own "choose this expert" form
    surveys = re.findall(
        r'<p class="small text-body-secondary mb-0 proposal-surveys">\s*(.+?)\s*</p>', text
    )
    assert len(surveys) == len(proposed)
    assert re.search(r"\b1\b.*\b1\b.*\b1\b.*\b1\b", surveys[0])  # 1 answer, improved, etc.


def test_the_staff_proposals_are_empty_for_someone_without_staff_rights(sme, experts, rf):
    from django.template import Context, Template

    call = start_ia_call()
    application = submitted_file(call, organisation=sme, expert_chosen_by_adn=True)
    Application.objects.filter(pk=application.pk).update(data={"needs": NEEDS})
    application.refresh_from_db()
    request = rf.get("/")
    request.user = application.created_by

    rendered = Template(
        "{% load matching %}{% staff_expert_proposals application as proposals %}"
        "{{ proposals|length }}"
    ).render(Context({"request": request, "application": application}))

    assert rendered == "0"
    assert len(staff_expert_proposals(application=application)) == 4  # staff would see them
