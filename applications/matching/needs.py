"""What the matching reads of a Start IA request: the SME's languages, province and sector,
and what the text of its needs calls for (PostgreSQL's text search in French, English and
German; on SQLite, accent-folded word beginnings)."""

import math
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from adn_portal.lib.text import fold
from companies.identifiers import NaceSection, Province
from companies.models import Expert, ExpertFacet, Language
from programs.application_forms import Role
from programs.models import Programme

from ..models import Application
from ..steps import application_fact
from .terms import GERMAN_SPEAKING_POSTCODES, SECTORS_OF_NACE, speciality_terms

SPECIALITY_POINTS = 2.0  # each word of the needs that calls for one of the expert's specialities…
SPECIALITY_WORDS_COUNTED = 3  # …up to this many per speciality

# An expert's words, each description under its own language's configuration: the vector the
# database stores (companies.models.experts.DescriptionDocument), GIN-indexed.
DESCRIPTION_VECTOR = '"companies_expert"."description_vector"'


@dataclass
class Request:
    """A Start IA file as the matching reads it."""

    application: Application
    languages: list[str]
    province: str
    nace: str  # the SME's NACE section ("" when unknown)
    text: str  # its needs, as typed
    # Speciality → the words of the needs that call for it.
    specialities: dict[str, list[str]] = field(default_factory=dict)
    # PostgreSQL: the needs' distinctive words (lexeme → its weight, and the word as typed).
    weights: dict[str, float] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)

    @property
    def sector(self) -> str:
        return SECTORS_OF_NACE.get(self.nace, "")

    def found(self, speciality: str, words: list[str | None]) -> None:
        """One of the speciality's terms is in the needs, as these words."""
        known = self.specialities.setdefault(speciality, [])
        known.extend(word for word in dict.fromkeys(words) if word and word not in known)

    def speciality_points(self, speciality: str) -> float:
        return SPECIALITY_POINTS * min(len(self.specialities[speciality]), SPECIALITY_WORDS_COUNTED)


def request_of(application: Application) -> Request:
    organisation = application.organisation
    languages = [application.created_by.language]
    if organisation.postcode.isdigit() and int(organisation.postcode) in GERMAN_SPEAKING_POSTCODES:
        languages.append(Language.GERMAN)
    # The answers of the questions that describe the needs (their role), whatever the form.
    answers = (
        application_fact(application, Role.NEEDS) if isinstance(application.data, dict) else []
    )
    text = "\n".join(answer for answer in answers if isinstance(answer, str))
    return Request(
        application=application,
        languages=[code for code in dict.fromkeys(languages) if code in Language.values],
        province=organisation.province if organisation.province in Province.values else "",
        nace=organisation.sector if organisation.sector in NaceSection.values else "",
        text=text.replace("\x00", ""),
    )


def candidates(application: Application) -> QuerySet[Expert]:
    """The experts listed today who deliver Start IA, the SME's own company aside."""
    delivers = ExpertFacet.objects.filter(
        kind=ExpertFacet.Kind.PROGRAMME, value=Programme.Code.START_IA
    ).values("expert_id")
    return (
        Expert.objects.publicly_listed(today=timezone.localdate())
        .filter(pk__in=delivers)
        .exclude(organisation_id=application.organisation_id)
    )


def read_needs(request: Request, experts: QuerySet[Expert]) -> None:
    """Fill in what the needs call for: the specialities, and on PostgreSQL the distinctive
    words (one query there; none on SQLite)."""
    if not request.text.strip():
        return
    if connection.vendor == "postgresql":
        _read_needs_in_postgresql(request, experts)
    else:
        _read_needs_by_words(request)


def _read_needs_in_postgresql(request: Request, experts: QuerySet[Expert]) -> None:
    # No order: the organisations' names would be joined and sorted for nothing.
    candidates_sql, candidates_params = experts.order_by().values("pk").query.sql_with_params()
    terms = speciality_terms()
    # One query, two answers (JSON): the needs' words under the three configurations (each
    # lexeme with the word that gave it, French first) and how many of the candidates'
    # descriptions hold it (the stored vector's index finds those that hold each word); and
    # which specialities' terms the needs hold (every word of a term, stemmed), in the table's
    # order, each with its lexemes in the term's order.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH configs(config, priority) AS (
                VALUES ('french'::regconfig, 1), ('english'::regconfig, 2),
                       ('german'::regconfig, 3)
            ),
            tokens AS (
                SELECT lexeme, d.token, c.priority, d.ord
                FROM configs c
                CROSS JOIN LATERAL ts_debug(c.config, %s) WITH ORDINALITY
                    AS d(alias, description, token, dictionaries, dictionary, lexemes, ord)
                CROSS JOIN LATERAL unnest(d.lexemes) AS lexeme
                WHERE d.alias IN ('word', 'asciiword', 'hword', 'asciihword', 'hword_part',
                                  'hword_asciipart')
                  AND length(lexeme) >= 3
            ),
            words AS (
                SELECT DISTINCT ON (lexeme) lexeme, token FROM tokens
                ORDER BY lexeme, priority, ord
            ),
            candidates AS MATERIALIZED ({candidates_sql}),
            found AS (
                SELECT k.speciality, k.ord,
                       ARRAY(SELECT t.lexeme
                             FROM unnest(to_tsvector(k.config::regconfig, k.term)) AS t
                             ORDER BY t.positions[1]) AS lexemes
                FROM unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY
                    AS k(speciality, config, term, ord)
                WHERE to_tsvector(k.config::regconfig, %s)
                      @@ plainto_tsquery(k.config::regconfig, k.term)
            )
            SELECT
                (SELECT json_agg(json_build_array(
                     w.lexeme, w.token,
                     (SELECT count(*) FROM companies_expert
                      WHERE {DESCRIPTION_VECTOR} @@ quote_literal(w.lexeme)::tsquery
                        AND id IN (SELECT * FROM candidates)),
                     (SELECT count(*) FROM candidates)))
                 FROM words w),
                (SELECT json_agg(json_build_array(f.speciality, f.lexemes) ORDER BY f.ord)
                 FROM found f)
            """,  # noqa: S608 — the SQL is ours; the text and the candidates are parameters
            [
                request.text,
                *candidates_params,
                [speciality for speciality, _config, _term in terms],
                [config for _speciality, config, _term in terms],
                [term for _speciality, _config, term in terms],
                request.text,
            ],
        )
        rows, matches = cursor.fetchone()
    rows, matches = rows or [], matches or []
    request.words = {lexeme: token.lower() for lexeme, token, _df, _n in rows}
    # A word counts in proportion to how rare it is among the candidates (its inverse
    # document frequency); one that half of them or more use says nothing of this expert.
    request.weights = {
        lexeme: math.log(n / df) for lexeme, _token, df, n in rows if df and 2 * df <= n
    }
    for speciality, lexemes in matches:
        request.found(speciality, [request.words.get(lexeme) for lexeme in lexemes])


def _read_needs_by_words(request: Request) -> None:
    typed = re.findall(r"\w+", request.text.lower())
    folded = re.findall(r"\w+", fold(request.text))
    # Each folded word with the word as typed (folding keeps the words apart as they were).
    needs_words = (
        list(zip(folded, typed, strict=True))
        if len(folded) == len(typed)
        else [(word, word) for word in folded]
    )
    for speciality, _config, term in speciality_terms():
        found = [_beginning_in(word, needs_words) for word in re.findall(r"\w{3,}", fold(term))]
        if found and all(found):
            request.found(speciality, found)


def _beginning_in(term_word: str, needs_words: list[tuple[str, str]]) -> str | None:
    """The first word of the needs (as typed) that starts like `term_word` (folded): a poor
    man's stemming."""
    stem = term_word[: max(4, len(term_word) - 2)]
    return next((typed for folded, typed in needs_words if folded.startswith(stem)), None)
