"""Which candidates the ranking scores (docs/architecture.md, "Explained matching").

Scoring a candidate costs about 30 µs of PostgreSQL: 300 ms for 10,000 experts. Each
component's parts (components.Part) say the most a part can give and a condition an expert must
meet to get any of it, found through an index (a facet, a completed diagnostic, a word of the
description's vector). An expert scores at most the points of the parts it meets, so one that
misses parts worth more than `best - threshold` (`best`: every part's points) scores below the
threshold: the shortlist of a threshold is the experts that can reach it. Among those, an
expert whose most possible points are beaten (or equalled by an earlier name) by the surest
points of `limit` others cannot be proposed either. Once the proposals are known to score at
least the threshold, ranking only the rest gives the same proposals, ties and their order by
name included."""

import operator
from functools import reduce

from django.db.models import Case, F, FloatField, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from companies.models import Expert

# The description's points are a floating-point sum of weights: its bound is given this much to
# spare. The other parts' points are halves, exact in floating point.
MARGIN = 1e-9
# Beyond this many ways of reaching the threshold, rank every candidate.
BRANCHES = 8


def thresholds(parts: list) -> tuple[float, float]:
    """Two guesses at the last proposal's score, the higher first: the best but for the
    lightest part, and but for the two lightest (the proposals usually lack a completed
    diagnostic in the sector, often one more); with fewer parts, the best and but for one."""
    best = sum(part.points for part in parts)
    lightest = sorted(part.points for part in parts)
    if len(lightest) < 3:
        return best, best - lightest[0]
    return best - lightest[0], best - lightest[0] - lightest[1]


def reaches(proposals: list, limit: int, threshold: float) -> bool:
    """Whether these are `limit` proposals that all score at least `threshold`."""
    return len(proposals) == limit and proposals[-1].score >= threshold - MARGIN


def shortlisted(
    ranked: QuerySet, experts: QuerySet, parts: list, limit: int, *guesses: float
) -> tuple[QuerySet, float] | None:
    """The ranking restricted to the candidates (`experts`) that can reach a threshold and
    are not surely beaten by `limit` others, and the score the proposals must reach for that
    to be exact; None when it would not narrow it (an expert with none of the parts could reach
    the threshold, or there are too many ways). Of two thresholds, the higher is taken when
    `limit` candidates surely reach it (their facets' points alone: exact), the lower
    otherwise."""
    high = [guess for guess in guesses[:1] if _ways(parts, guess)]
    low = [guess for guess in guesses[1:] if _ways(parts, guess)]
    if not high and not low:
        return None
    if not high or not low:
        check = (high or low)[0]
        sql, bounds_params = _bounds(experts, parts, check)
        with_bounds = f"s AS MATERIALIZED ({sql})"
    else:
        check = low[0]
        high_sql, high_params = _bounds(experts, parts, high[0])
        # The lower threshold's candidates (but those already bounded) are only read when the
        # higher threshold is not sure.
        low_sql, low_params = _bounds(experts, parts, check, "SELECT shortlist_id FROM high")
        with_bounds = (
            f"high AS MATERIALIZED ({high_sql}),"  # noqa: S608 — compiled by Django
            " high_nth AS (SELECT shortlist_surest FROM high"
            " ORDER BY shortlist_surest DESC, shortlist_name OFFSET %s LIMIT 1),"
            f" low AS MATERIALIZED ({low_sql}),"
            " s AS (SELECT * FROM high UNION ALL SELECT * FROM low WHERE NOT EXISTS"
            " (SELECT 1 FROM high_nth WHERE shortlist_surest >= %s))"
        )
        bounds_params = [*high_params, limit - 1, *low_params, high[0] - MARGIN]
    # `nth`: the limit-th best by surest points, then name (the ranking's order): whoever can
    # at most equal it with a later name, or not even that, is beaten by `limit` experts.
    keep = RawSQL(  # noqa: S611 — SQL compiled by Django from our querysets
        f"WITH {with_bounds},"  # noqa: S608
        " nth AS (SELECT shortlist_surest, shortlist_name FROM s"
        " ORDER BY shortlist_surest DESC, shortlist_name OFFSET %s LIMIT 1)"
        " SELECT s.shortlist_id FROM s LEFT JOIN nth ON TRUE"
        " WHERE nth.shortlist_surest IS NULL"
        " OR s.shortlist_surest + s.shortlist_extra > nth.shortlist_surest"
        " OR (s.shortlist_surest + s.shortlist_extra = nth.shortlist_surest"
        " AND s.shortlist_name <= nth.shortlist_name)",
        [*bounds_params, limit - 1],
    )
    return ranked.filter(pk__in=keep), check


def _ways(parts: list, threshold: float) -> list[list]:
    """The branches of the candidates that can reach `threshold`; none when they would not
    narrow the candidates (one branch needs no part, or there are too many)."""
    best = sum(part.points for part in parts)
    branches = _branches(parts, best - threshold, ())
    return branches if all(branches) and len(branches) <= BRANCHES else []


def _bounds(experts: QuerySet, parts: list, threshold: float, known: str = "") -> tuple[str, list]:
    """The SQL of the candidates that can reach `threshold` (but the `known` ones), each with
    its name, its surest points and what more it might get."""
    branches = _ways(parts, threshold)
    union = " UNION ".join(f"({sql})" for sql, _params in map(_branch, branches))
    union = RawSQL(  # noqa: S611 — SQL compiled by Django from our querysets
        f"{union} EXCEPT {known}" if known else union,
        [param for _sql, params in map(_branch, branches) for param in params],
    )
    # Their surest points (the facets' parts, exact: summed from the expert's own facets, an
    # index range each) and what more they might get (the other parts, at most).
    facets = [part for part in parts if part.facet]
    extra = [part._replace(points=part.points + MARGIN) for part in parts if not part.facet]
    # Our SQL; the facets and points are parameters.
    surest = RawSQL(
        "COALESCE((SELECT SUM(v.points) FROM companies_expertfacet f"
        " JOIN unnest(%s::text[], %s::text[], %s::float8[]) AS v(kind, value, points)"
        " ON f.kind = v.kind AND f.value = v.value"
        ' WHERE f.expert_id = "companies_expert"."id"), 0)',
        [
            [part.facet[0] for part in facets],
            [part.facet[1] for part in facets],
            [part.points for part in facets],
        ],
        output_field=FloatField(),
    )
    return (
        experts.filter(pk__in=union)
        .order_by()
        .annotate(
            shortlist_id=F("pk"),
            shortlist_name=F("organisation__name"),
            shortlist_surest=surest,
            shortlist_extra=_sum(extra),
        )
        .values("shortlist_id", "shortlist_name", "shortlist_surest", "shortlist_extra")
        .query.sql_with_params()
    )


def _branch(parts: list) -> tuple[str, list]:
    """The SQL of the experts meeting every part's condition: the two heaviest facets' experts
    intersected (two index scans, hashed, where a join could walk thousands of rows one index
    probe at a time), then the other conditions."""
    facets = sorted((part for part in parts if part.facet), key=lambda part: -part.points)[:2]
    others = [part.condition for part in parts if all(part is not facet for facet in facets)]
    experts = Expert.objects.order_by()
    if facets:
        experts = experts.filter(
            pk__in=RawSQL(  # noqa: S611 — our SQL; the facets are parameters
                " INTERSECT ".join(
                    "SELECT expert_id FROM companies_expertfacet WHERE kind = %s AND value = %s"
                    for _facet in facets
                ),
                [value for facet in facets for value in facet.facet],
            )
        )
    return experts.filter(*others).values("pk").query.sql_with_params()


def _sum(parts) -> object:
    terms = [
        Case(When(part.condition, then=Value(part.points)), default=Value(0.0)) for part in parts
    ]
    return reduce(operator.add, terms) if terms else Value(0.0, output_field=FloatField())


def _branches(parts: list, slack: float, met: tuple) -> list[list]:
    """The parts each way of missing at most `slack` points needs: those worth more than the
    slack; while fewer than two are known, split on the heaviest other part (met, or missed and
    the slack lessened)."""
    needed = [part for part in parts if part.points > slack + MARGIN]
    others = sorted(
        (part for part in parts if part.points <= slack + MARGIN), key=lambda part: -part.points
    )
    conditions = [*met, *needed]
    if len(conditions) >= 2 or not others:
        return [conditions]
    first, rest = others[0], others[1:]
    return _branches(rest, slack, (*conditions, first)) + _branches(
        rest, slack - first.points, tuple(conditions)
    )
