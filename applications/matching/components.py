"""The components of an expert's score: each is SQL annotations, points (SQL) and reasons
(words) read from the same annotated values. Points: docs/architecture.md, "Explained
matching"."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Least
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from companies.identifiers import NaceSection, Province
from companies.models import Expert, ExpertFacet, Language, Sector, Speciality
from programs.models import Programme

from ..models import Application
from .needs import DESCRIPTION_VECTOR, Request

SECTOR_POINTS = 2.0  # the expert serves the SME's sector
DIAGNOSTIC_POINTS = 0.5  # each completed Start IA diagnostic in the SME's sector…
DIAGNOSTICS_COUNTED = 4  # …up to this many
# The expert is in the SME's province. A Start IA diagnostic is five days on site: being near
# counts more than declaring the SME's sector, less than declaring it and having completed
# diagnostics in it (the demo's check, tests/applications/test_expert_matching_on_the_demo.py).
PROVINCE_POINTS = 2.5
LANGUAGE_POINTS = 2.0  # each of the SME's languages the expert works in
DESCRIPTION_POINTS = 3.0  # at most, for the distinctive words of the needs its description shares


def _quoted(words) -> str:
    return ", ".join(_("“%(word)s”") % {"word": word} for word in words)


def _points(value: float) -> Value:
    return Value(value, output_field=FloatField())


def _has_facet(kind: str, values) -> Exists:
    return Exists(
        ExpertFacet.objects.filter(expert_id=OuterRef("pk"), kind=kind, value__in=list(values))
    )


def _when(name: str, points: float) -> Case:
    return Case(When(**{name: True}, then=_points(points)), default=_points(0.0))


class Part(NamedTuple):
    """A part of a component for the shortlist (shortlist.py): the most it gives and the
    condition an expert must meet to get any of it; a facet's part (its kind and value) gives
    exactly its points to the experts that have the facet."""

    points: float
    condition: object
    facet: tuple[str, str] | None = None


def _facet_part(points: float, kind: str, value: str) -> Part:
    return Part(points, _has_facet(kind, [value]), (kind, value))


@dataclass(frozen=True)
class Component:
    """One term of the score: its SQL annotations, its points (SQL), its reasons (words) read
    from the same annotated values, and its parts (shortlist.py): the most each part can give
    and a condition an expert must meet to get any of it (an indexed lookup)."""

    annotations: Callable[[Request], dict]
    points: Callable[[Request], list]
    reasons: Callable[[Expert, Request], list[str]]
    parts: Callable[[Request], list[Part]]


def _speciality_annotations(request: Request) -> dict:
    return {
        f"calls_{code}": _has_facet(ExpertFacet.Kind.SPECIALITY, [code])
        for code in request.specialities
    }


def _speciality_reasons(expert: Expert, request: Request) -> list[str]:
    codes = [code for code in request.specialities if getattr(expert, f"calls_{code}")]
    if not codes:
        return []
    words = list(dict.fromkeys(word for code in codes for word in request.specialities[code]))
    return [
        _("specialities: %(specialities)s — your needs mention %(words)s")
        % {
            "specialities": ", ".join(str(Speciality(code).label) for code in codes),
            "words": _quoted(words),
        }
    ]


SPECIALITIES = Component(
    annotations=_speciality_annotations,
    points=lambda request: [
        _when(f"calls_{code}", request.speciality_points(code)) for code in request.specialities
    ],
    reasons=_speciality_reasons,
    parts=lambda request: [
        _facet_part(request.speciality_points(code), ExpertFacet.Kind.SPECIALITY, code)
        for code in request.specialities
    ],
)


def _sector_annotations(request: Request) -> dict:
    if not request.sector:
        return {}
    return {"serves_sector": _has_facet(ExpertFacet.Kind.SECTOR, [request.sector])}


SECTOR = Component(
    annotations=_sector_annotations,
    points=lambda request: [_when("serves_sector", SECTOR_POINTS)] if request.sector else [],
    reasons=lambda expert, request: (
        [_("serves your sector: %(sector)s") % {"sector": Sector(request.sector).label}]
        if request.sector and expert.serves_sector
        else []
    ),
    parts=lambda request: (
        [_facet_part(SECTOR_POINTS, ExpertFacet.Kind.SECTOR, request.sector)]
        if request.sector
        else []
    ),
)


def _diagnostics_done(request: Request):
    """The expert's completed Start IA diagnostics in the SME's sector (this file aside)."""
    return Application.objects.filter(
        expert_id=OuterRef("pk"),
        programme__code=Programme.Code.START_IA,
        completed_at__isnull=False,
        organisation__sector=request.nace,
    ).exclude(pk=request.application.pk)


def _diagnostic_annotations(request: Request) -> dict:
    if not request.nace:
        return {}
    done = (
        _diagnostics_done(request)
        .order_by()
        .values("expert_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return {"diagnostics_in_sector": Coalesce(Subquery(done, output_field=IntegerField()), 0)}


def _diagnostic_reasons(expert: Expert, request: Request) -> list[str]:
    count = getattr(expert, "diagnostics_in_sector", 0)
    if not count:
        return []
    return [
        ngettext(
            "%(count)s completed Start IA diagnostic in your sector (%(sector)s)",
            "%(count)s completed Start IA diagnostics in your sector (%(sector)s)",
            count,
        )
        % {"count": count, "sector": NaceSection(request.nace).label}
    ]


DIAGNOSTICS = Component(
    annotations=_diagnostic_annotations,
    points=lambda request: (
        [
            Cast(Least(F("diagnostics_in_sector"), Value(DIAGNOSTICS_COUNTED)), FloatField())
            * _points(DIAGNOSTIC_POINTS)
        ]
        if request.nace
        else []
    ),
    reasons=_diagnostic_reasons,
    parts=lambda request: (
        [Part(DIAGNOSTIC_POINTS * DIAGNOSTICS_COUNTED, Exists(_diagnostics_done(request)))]
        if request.nace
        else []
    ),
)

PROVINCE_REASONS = {
    Province.BRABANT_WALLON: gettext_lazy("in Walloon Brabant, like you"),
    Province.HAINAUT: gettext_lazy("in the province of Hainaut, like you"),
    Province.LIEGE: gettext_lazy("in the province of Liège, like you"),
    Province.LUXEMBOURG: gettext_lazy("in the province of Luxembourg, like you"),
    Province.NAMUR: gettext_lazy("in the province of Namur, like you"),
}


def _province(request: Request) -> str:
    return request.province if request.province in PROVINCE_REASONS else ""


PROVINCE = Component(
    annotations=lambda request: (
        {"same_province": _has_facet(ExpertFacet.Kind.PROVINCE, [request.province])}
        if _province(request)
        else {}
    ),
    points=lambda request: [_when("same_province", PROVINCE_POINTS)] if _province(request) else [],
    reasons=lambda expert, request: (
        [str(PROVINCE_REASONS[request.province])]
        if _province(request) and expert.same_province
        else []
    ),
    parts=lambda request: (
        [_facet_part(PROVINCE_POINTS, ExpertFacet.Kind.PROVINCE, request.province)]
        if _province(request)
        else []
    ),
)

LANGUAGE_REASONS = {
    Language.FRENCH: gettext_lazy("works in French"),
    Language.DUTCH: gettext_lazy("works in Dutch"),
    Language.GERMAN: gettext_lazy("works in German"),
    Language.ENGLISH: gettext_lazy("works in English"),
}

LANGUAGES = Component(
    annotations=lambda request: {
        f"speaks_{code}": _has_facet(ExpertFacet.Kind.LANGUAGE, [code])
        for code in request.languages
    },
    points=lambda request: [_when(f"speaks_{code}", LANGUAGE_POINTS) for code in request.languages],
    reasons=lambda expert, request: [
        str(LANGUAGE_REASONS[code])
        for code in request.languages
        if getattr(expert, f"speaks_{code}")
    ],
    parts=lambda request: [
        _facet_part(LANGUAGE_POINTS, ExpertFacet.Kind.LANGUAGE, code) for code in request.languages
    ],
)


def _description_annotations(request: Request) -> dict:
    if not request.weights:
        return {}
    from django.contrib.postgres.fields import ArrayField
    from django.db.models import TextField

    lexemes, weights = list(request.weights), list(request.weights.values())
    shared = (
        "FROM unnest(%s::text[], %s::float8[]) AS t(lexeme, weight)"
        f" WHERE {DESCRIPTION_VECTOR} @@ quote_literal(t.lexeme)::tsquery"
    )
    return {
        # Our SQL; the needs' words and weights are parameters.
        "shared_words": RawSQL(  # noqa: S611
            f"ARRAY(SELECT t.lexeme {shared} ORDER BY t.weight DESC, t.lexeme)",
            [lexemes, weights],
            output_field=ArrayField(TextField()),
        ),
        "description_points": RawSQL(  # noqa: S611
            f"LEAST((SELECT COALESCE(SUM(t.weight), 0) {shared}), %s)",
            [lexemes, weights, DESCRIPTION_POINTS],
            output_field=FloatField(),
        ),
    }


def _description_reasons(expert: Expert, request: Request) -> list[str]:
    shared = getattr(expert, "shared_words", None)
    if not shared:
        return []
    words = list(dict.fromkeys(request.words[lexeme] for lexeme in shared))[:6]
    return [_("its description also speaks of %(words)s") % {"words": _quoted(words)}]


def _description_parts(request: Request) -> list:
    if not request.weights:
        return []
    # The description gives points only if it holds one of the needs' weighted words: the
    # stored vector's GIN index finds those experts (a subquery of its own, whatever the
    # query it is used in).
    any_word = "array_to_string(ARRAY(SELECT quote_literal(w) FROM unnest(%s::text[]) AS w), ' | ')"
    holding = RawSQL(  # noqa: S611 — our SQL; the words are a parameter
        f"SELECT id FROM companies_expert WHERE description_vector @@ {any_word}::tsquery",  # noqa: S608
        [list(request.weights)],
    )
    most = min(DESCRIPTION_POINTS, sum(request.weights.values()))
    return [Part(most, Q(pk__in=holding))]


DESCRIPTION = Component(
    annotations=_description_annotations,
    points=lambda request: [F("description_points")] if request.weights else [],
    reasons=_description_reasons,
    parts=_description_parts,
)

# In the order the reasons are read.
COMPONENTS = (SPECIALITIES, DESCRIPTION, SECTOR, DIAGNOSTICS, LANGUAGES, PROVINCE)
