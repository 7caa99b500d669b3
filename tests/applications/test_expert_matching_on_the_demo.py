"""Explained matching on the demo data (`manage.py seed_demo`: 66 recognised experts and the
2020-today history of files, so experts with completed diagnostics): for a few Start IA
requests, the first proposals are the experts a person reading the directory would pick, and
every reason shown is true of its expert.

Who "a person would pick" is read from the experts' own data (speciality, province, languages),
never from their ids or names. PostgreSQL only: the ranking reads the needs with its full-text
search (run by `make test-services`, POSTGRESQL_TESTS)."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import translation

from applications import services
from applications.matching import expert_proposals, staff_expert_proposals
from applications.matching.needs import candidates
from applications.models import Application
from companies.identifiers import Province
from companies.models import Language, Speciality
from programs.models import Call, Programme
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.fixtures.matching import untrue_reasons

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the ranking reads the needs with PostgreSQL's full-text search",
    ),
    # Run first, all on one xdist worker (tests/conftest.py, `--dist loadfile` in the Makefile):
    # the demo is seeded once, while the other worker takes the rest.
    pytest.mark.seeded_demo,
]

# (what the SME does and needs, where it is, its NACE code and section, its member's language,
# the speciality its needs call for)
REQUESTS = {
    "vision, Liège, German": (
        {
            "activity": "Wir fertigen Metallteile für die Automobilindustrie.",
            "challenges": "Contrôle qualité par vision sur notre ligne de production.",
            "expected_benefits": "Moins de rebuts.",
        },
        "4000",
        "25.620",
        "C",
        Language.GERMAN,
        Speciality.COMPUTER_VISION,
    ),
    "forecasting, Hainaut, French": (
        {
            "activity": "Nous fabriquons des emballages en carton.",
            "challenges": "Anticiper les pannes de nos machines grâce à la maintenance prédictive.",
            "expected_benefits": "Moins d'arrêts de production.",
        },
        "7000",
        "17.210",
        "C",
        Language.FRENCH,
        Speciality.FORECASTING,
    ),
    "language, Namur, French": (
        {
            "activity": "Nous vendons des vins en ligne.",
            "challenges": "Un chatbot qui répond aux questions des clients sur notre site.",
            "expected_benefits": "Des réponses le soir et le week-end.",
        },
        "5000",
        "47.910",
        "G",
        Language.FRENCH,
        Speciality.NLP_GENAI,
    ),
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo, seeded once for this module and rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        # The seed's foreign keys checked now, once: left deferred, every test's teardown
        # (Django checks the constraints before rolling the test back) checked them all again,
        # and its rollback left them pending for the next (15-23 s a test at load 10).
        connection.check_constraints()
        yield
        transaction.set_rollback(True)


def request_file(key: str) -> Application:
    """A Start IA draft of a new SME of the demo, its needs step filled in."""
    needs, postcode, nace, section, language, _speciality = REQUESTS[key]
    sme = OrganisationFactory(postcode=postcode, nace_codes=[nace], sector=section)
    user = make_member(sme, UserFactory(language=language))
    call = Call.objects.filter(programme__code=Programme.Code.START_IA).order_by("-opens_at")[0]
    application = services.application_start(call=call, organisation=sme, by=user)
    application.data = {**application.data, "needs": {**needs, "maturity": "exploring"}}
    application.save(update_fields=["data"])
    return Application.objects.select_related(
        "organisation", "created_by", "programme", "call__programme"
    ).get(pk=application.pk)


def would_pick(expert, application: Application, speciality: str) -> bool:
    """What a person reading the directory looks for: the speciality the needs call for, the
    SME's province, and each of its languages (German in the German-speaking communes)."""
    organisation = application.organisation
    languages = {application.created_by.language}
    if 4700 <= int(organisation.postcode) <= 4799:
        languages.add(Language.GERMAN)
    return (
        speciality in expert.specialities
        and expert.organisation.province == organisation.province
        and languages <= set(expert.languages)
    )


@pytest.mark.parametrize("key", list(REQUESTS))
def test_the_first_proposals_are_the_experts_a_person_would_pick(demo, db, key):
    application = request_file(key)
    speciality = REQUESTS[key][-1]
    pickable = [
        expert
        for expert in candidates(application).select_related("organisation")
        if would_pick(expert, application, speciality)
    ]
    first = min(3, len(pickable))
    assert first >= 2, f"the demo has {len(pickable)} experts to pick for {key}"

    proposals = expert_proposals(application=application, limit=first)

    assert [would_pick(p.expert, application, speciality) for p in proposals] == [True] * first


def test_a_liege_manufacturer_speaking_german_gets_vision_experts_of_liege_who_work_in_german(
    demo, db
):
    """The issue's example, said in words: the three first proposals do computer vision, are
    in the province of Liège and work in German, and say so."""
    application = request_file("vision, Liège, German")

    with translation.override("en"):
        proposals = expert_proposals(application=application, limit=3)

    assert len(proposals) == 3
    for proposal in proposals:
        expert = proposal.expert
        assert Speciality.COMPUTER_VISION in expert.specialities
        assert expert.organisation.province == Province.LIEGE
        assert Language.GERMAN in expert.languages
        assert proposal.reasons[0].startswith("specialities: Computer vision")
        assert "works in German" in proposal.reasons
        assert "in the province of Liège, like you" in proposal.reasons


@pytest.mark.parametrize("key", list(REQUESTS))
def test_every_reason_shown_on_the_demo_is_true_of_its_expert(demo, db, key):
    application = request_file(key)

    with translation.override("en"):
        proposals = staff_expert_proposals(application=application, limit=10)
        untrue = {
            proposal.expert.pk: untrue_reasons(proposal, application) for proposal in proposals
        }

    assert len(proposals) == 10
    assert all(proposal.reasons for proposal in proposals)
    assert untrue == {proposal.expert.pk: [] for proposal in proposals}


def test_on_the_demo_some_proposals_count_completed_diagnostics_in_the_smes_sector(demo, db):
    """The history gives experts completed Start IA diagnostics: the reason appears (and is
    checked true above), so the check of every reason does not pass for want of one."""
    application = request_file("vision, Liège, German")

    with translation.override("en"):
        proposals = expert_proposals(application=application, limit=20)

    assert any("completed Start IA diagnostic" in r for p in proposals for r in p.reasons)
    assert any("its description also speaks of" in r for p in proposals for r in p.reasons)
