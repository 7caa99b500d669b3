"""Explained matching of a Start IA request with recognised experts (docs/domain.md, Recognised
experts; docs/architecture.md, "Explained matching").

An expert's score is a sum of components (components.py), each a term computed in SQL from the
request (needs.py: the SME's sector, province and languages, the text of its needs) and the
expert's facets, description and completed diagnostics. The reasons people read are the same
components in words (`Component.reasons`, from the same annotated values): nothing ranks an
expert that the page does not say. Outcome surveys are no component: staff see them beside the
proposals (`survey_summaries`), applicants never.

The text of the needs is read by PostgreSQL's text search (French, English and German
configurations): which specialities it calls for (terms.py) and which of its distinctive words
the expert's description shares. The embedded SQLite demo has no text search: it matches the
specialities' terms by accent-folded word beginnings and has no "description" component (the
facets and diagnostics rank as on PostgreSQL)."""

import operator
from dataclasses import dataclass
from functools import reduce

from django.db import connection
from django.db.models import Count, Q, QuerySet

from companies.models import Expert
from programs.models import Programme

from ..models import Application, OutcomeReport
from .components import COMPONENTS
from .needs import Request, candidates, read_needs, request_of
from .shortlist import reaches, shortlisted, thresholds

PROPOSALS = 5


@dataclass
class Proposal:
    expert: Expert
    score: float
    reasons: list[str]
    survey: dict | None = None  # staff only


def expert_proposals(*, application: Application, limit: int = PROPOSALS) -> list[Proposal]:
    """The recognised experts ranked for this Start IA request, best first, each with its
    reasons; experts with no reason at all are not proposed. Two queries on PostgreSQL (the
    needs' words and specialities, the ranking over a shortlist), three when the shortlist's
    first guess fails; one on SQLite."""
    if application.programme.code != Programme.Code.START_IA:
        return []
    request = request_of(application)
    experts = candidates(application)
    read_needs(request, experts)
    annotations = {}
    for component in COMPONENTS:
        annotations |= component.annotations(request)
    terms = [term for component in COMPONENTS for term in component.points(request)]
    if not terms:
        return []
    ranked = (
        experts.with_organisation()
        .annotate(**annotations)
        .annotate(score=reduce(operator.add, terms))
        .filter(score__gt=0)
        .order_by("-score", "organisation__name")
    )
    return [
        Proposal(
            expert=expert,
            score=round(expert.score, 2),
            reasons=[
                reason for component in COMPONENTS for reason in component.reasons(expert, request)
            ],
        )
        for expert in _best(ranked, experts, request, limit)
    ]


def _best(
    ranked: QuerySet[Expert], experts: QuerySet[Expert], request: Request, limit: int
) -> list[Expert]:
    """The first `limit` experts of the ranking, scoring only those that can be among them
    (shortlist.py): one query when the first guess at the last proposal's score holds, two
    otherwise."""
    if connection.vendor != "postgresql":
        return list(ranked[:limit])  # the embedded demo's few experts: score them all
    parts = [part for component in COMPONENTS for part in component.parts(request)]
    shortlist = shortlisted(ranked, experts, parts, limit, *thresholds(parts))
    if shortlist is None:
        return list(ranked[:limit])
    narrowed, threshold = shortlist
    found = list(narrowed[:limit])
    if reaches(found, limit, threshold):
        return found
    if len(found) < limit:
        return list(ranked[:limit])
    # These experts score at least the last one's: no expert left out by that threshold can be
    # among the proposals.
    shortlist = shortlisted(ranked, experts, parts, limit, found[-1].score)
    return list((ranked if shortlist is None else shortlist[0])[:limit])


def survey_summaries(expert_ids) -> dict[int, dict]:
    """Staff only: the outcome surveys of the experts' past files, counted (one query)."""
    rows = (
        OutcomeReport.objects.filter(application__expert_id__in=list(expert_ids))
        .values("application__expert_id")
        .annotate(
            answers=Count("pk"),
            improved=Count(
                "pk", filter=Q(improved_competitiveness=True) | Q(improved_quality=True)
            ),
            in_production=Count("pk", filter=Q(in_production=True)),
            would_recommend=Count("pk", filter=Q(would_recommend=True)),
        )
        .order_by()
    )
    return {row.pop("application__expert_id"): row for row in rows}


def staff_expert_proposals(*, application: Application, limit: int = PROPOSALS) -> list[Proposal]:
    proposals = expert_proposals(application=application, limit=limit)
    surveys = survey_summaries(proposal.expert.pk for proposal in proposals) if proposals else {}
    for proposal in proposals:
        proposal.survey = surveys.get(proposal.expert.pk)
    return proposals
