"""The proposals ranked over the shortlist (applications/matching/shortlist.py) are exactly
those of the ranking over every candidate: the same experts, order, scores and reasons, on
varied experts (ties broken by name, each component alone giving the only points, a
German-speaking SME, empty needs, needs matching nothing). PostgreSQL only: SQLite scores
every candidate (`make test-services`)."""

import random

import pytest
from django.db import connection
from django.utils import timezone, translation

import applications.matching as matching
from applications import services
from applications.matching import expert_proposals
from applications.models import Application
from applications.workflow import Status
from programs.models import FormSection, Programme
from tests.factories import (
    CallFactory,
    ExpertFactory,
    OrganisationFactory,
    UserFactory,
    make_member,
)
from tests.fixtures.staff import submitted_file

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite scores every candidate"),
]

WORDS = ["boulangerie", "caméra", "logistique", "entrepôt", "tourisme", "vignoble", "usinage"]
POSTCODES = ["4700", "4000", "5000", "1000", "7000"]  # Eupen, Liège, Namur, Brussels, Mons


@pytest.fixture
def call(db):
    return CallFactory(
        programme=Programme.objects.get(code=Programme.Code.START_IA),
        form_sections=[FormSection.CHALLENGES, FormSection.EXPERT],
    )


@pytest.fixture
def experts(call):
    """A hundred and twenty experts drawn from few facets (many ties, broken by their names),
    some sharing a distinctive word of their descriptions, some with completed diagnostics."""
    rng = random.Random(23)  # noqa: S311
    made = []
    for n in range(120):
        made.append(
            ExpertFactory(
                organisation=OrganisationFactory(
                    name=f"Expert {rng.choice('ABC')} {n}", postcode=rng.choice(POSTCODES)
                ),
                specialities=rng.sample(["computer_vision", "forecasting", "nlp_genai"], 1 + n % 2),
                sectors=rng.sample(["manufacturing", "retail", "tourism"], n % 3),
                languages=rng.sample(["fr", "de", "nl"], 1 + n % 3) if n % 11 else [],
                description_fr="Nous aidons les PME. "
                + " ".join(rng.sample(WORDS, rng.randint(0, 2))),
                programmes=["START"] if n % 17 else ["TREMPLIN"],
            )
        )
    for expert in rng.sample(made, 12):
        for _ in range(rng.randint(1, 5)):
            submitted_file(
                call,
                status=Status.COMPLETED,
                organisation=OrganisationFactory(sector=rng.choice("CGQ")),
                expert=expert,
                completed_at=timezone.now(),
            )
    return made


def request_file(call, *, postcode, sector, language, needs):
    sme = OrganisationFactory(postcode=postcode, sector=sector)
    user = make_member(sme, UserFactory(language=language))
    application = services.application_start(call=call, organisation=sme, by=user)
    application.data = {**application.data, "needs": {"activity": needs, "challenges": ""}}
    application.save(update_fields=["data"])
    return Application.objects.select_related(
        "organisation", "created_by", "programme", "call__programme", "form_version"
    ).get(pk=application.pk)


REQUESTS = {
    "German-speaking, every component": ("4700", "C", "fr", "Une caméra pour l'usinage."),
    "empty needs": ("5000", "G", "nl", ""),
    "needs matching nothing": ("4000", "C", "fr", "Lorem ipsum dolor sit amet."),
    "specialities alone": ("1000", "", "en", "Prévoir la demande et le stock."),
    "description alone": ("1000", "", "en", "Notre boulangerie et son vignoble."),
    "diagnostics alone": ("1000", "Q", "en", ""),  # health: no expert serves it
    "languages alone": ("1000", "", "de", ""),
    "province alone": ("7000", "", "en", ""),
    "sector alone": ("1000", "I", "en", "Lorem ipsum."),
    "Liège, vision and words": ("4000", "I", "nl", "Inspection par caméra, tourisme."),
}


def ranked(application, limit):
    with translation.override("en"):
        return [
            (proposal.expert.pk, proposal.score, proposal.reasons)
            for proposal in expert_proposals(application=application, limit=limit)
        ]


@pytest.mark.parametrize("name", REQUESTS)
def test_the_shortlisted_ranking_gives_the_proposals_of_the_full_ranking(
    call, experts, name, monkeypatch
):
    postcode, sector, language, needs = REQUESTS[name]
    application = request_file(
        call, postcode=postcode, sector=sector, language=language, needs=needs
    )
    narrowed = []
    shortlisted = matching.shortlisted

    def spy(*args):
        narrowed.append(shortlisted(*args))
        return narrowed[-1]

    for limit in (1, 5, 12):
        monkeypatch.setattr(matching, "shortlisted", spy)
        proposals = ranked(application, limit)
        monkeypatch.setattr(matching, "shortlisted", lambda *args: None)  # every candidate

        assert proposals == ranked(application, limit)
        assert proposals  # something to compare
    if name not in ("diagnostics alone", "languages alone", "sector alone"):  # one part each
        assert any(shortlist is not None for shortlist in narrowed)  # the shortlist was used
