"""Every indicator of domain §5 by SQL aggregation, one pass over each table: every breakdown of
a table comes out of one statement (GROUPING SETS on PostgreSQL; on SQLite, which lacks them,
the same sets as a UNION ALL). No loop over files.

The rows each pass reads are an ORM queryset (joins, time zones and vendor quirks stay Django's
business); only the grouping around it is written here.

`compute(as_of)` returns the rows of a snapshot; `services.snapshot_run` stores them."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear

from applications.models import Application, Assignment, OutcomeReport
from applications.workflow import OPEN_STATUSES, Status
from companies.models import Expert

from .models import Dimension, Indicator

D = Dimension


@dataclass
class Row:
    indicator: str
    dimension: str
    key: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    organisations: int | None = None


# The columns a breakdown may group on, and the grouping set behind each dimension.
COLUMNS = ("programme_code", "year", "province", "sector", "kind")
SETS = {
    D.ALL: (),
    D.PROGRAMME: ("programme_code",),
    D.YEAR: ("year",),
    D.PROGRAMME_YEAR: ("programme_code", "year"),
    D.PROVINCE: ("province",),
    D.SECTOR: ("sector",),
    D.KIND: ("kind",),
}


def _mask(group: tuple[str, ...], columns: list[str]) -> int:
    """PostgreSQL's GROUPING(programme_code, year, …): one bit per column, set when rolled up."""
    return sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if c not in group)


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=1), default=0, output_field=IntegerField())


def grouped(rows: QuerySet, aggregates: dict[str, str], dimensions) -> Iterator[tuple[str, dict]]:
    """Aggregate `rows` (a `.values()` queryset with the COLUMNS the dimensions use) by every
    dimension given, in one statement; yield (dimension, aggregates with the group's key under "key").

    `aggregates` are SQL expressions over the queryset's columns, written in this module."""
    inner, params = rows.order_by().query.sql_with_params()
    select = ", ".join(f"{sql} AS {name}" for name, sql in aggregates.items())
    sets = {dimension: SETS[dimension] for dimension in dimensions}
    columns = [c for c in COLUMNS if any(c in group for group in sets.values())]
    if connection.vendor == "postgresql":
        grouping_sets = ", ".join(f"({', '.join(group)})" for group in sets.values())
        sql = (
            f"SELECT GROUPING({', '.join(columns)}), {', '.join(columns)}, {select} "
            f"FROM ({inner}) AS f GROUP BY GROUPING SETS ({grouping_sets})"
        )
    else:
        parts = []
        for group in sets.values():
            keys = ", ".join(c if c in group else f"NULL AS {c}" for c in columns)
            group_by = f" GROUP BY {', '.join(group)}" if group else ""
            parts.append(
                f"SELECT {_mask(group, columns)}, {keys}, {select} FROM ({inner}) AS f{group_by}"
            )
        sql, params = " UNION ALL ".join(parts), tuple(params) * len(parts)
    dimension_of = {_mask(group, columns): dimension for dimension, group in sets.items()}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            dimension = dimension_of[values[0]]
            row["key"] = "|".join(_text(row[c]) for c in SETS[dimension]) or "all"
            yield dimension, row


def _text(value) -> str:
    if isinstance(value, Decimal | float):  # EXTRACT(YEAR …) comes back as a number
        return str(int(value))
    return str(value or "")


def _ratio(numerator, denominator, places: str = "0.0001") -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places))


def file_rows(files: QuerySet) -> QuerySet:
    """One row per submitted file with what the breakdowns and the indicators read."""
    return files.values(
        "organisation_id",
        programme_code=F("programme__code"),
        year=ExtractYear("submitted_at"),
        province=F("organisation__province"),
        sector=F("organisation__sector"),
        kind=F("organisation__kind"),
        # "Reached" a status: the moments the workflow stamps once and keeps (the timeline
        # says the same; the tests check it against the events).
        selected=_flag(Q(selected_at__isnull=False)),
        completed=_flag(Q(completed_at__isnull=False)),
        decided=_flag(
            Q(selected_at__isnull=False) | Q(status__in=[Status.REJECTED, Status.INELIGIBLE])
        ),
    )


FILE_AGGREGATES = {
    "n": "COUNT(*)",
    "orgs": "COUNT(DISTINCT organisation_id)",
    "completed": "SUM(completed)",
    "completed_orgs": "COUNT(DISTINCT CASE WHEN completed = 1 THEN organisation_id END)",
    "selected": "SUM(selected)",
    "selected_orgs": "COUNT(DISTINCT CASE WHEN selected = 1 THEN organisation_id END)",
    "decided": "SUM(decided)",
    "decided_orgs": "COUNT(DISTINCT CASE WHEN decided = 1 THEN organisation_id END)",
}
# Which indicator reads which breakdowns.
REQUEST_DIMENSIONS = (D.ALL, D.PROGRAMME, D.YEAR, D.PROGRAMME_YEAR, D.PROVINCE, D.SECTOR, D.KIND)
COMPLETED_DIMENSIONS = (D.ALL, D.PROGRAMME, D.YEAR, D.PROVINCE, D.SECTOR, D.KIND)
SUPPORTED_DIMENSIONS = (D.ALL, D.PROGRAMME, D.PROVINCE, D.SECTOR, D.KIND)
ACCEPTANCE_DIMENSIONS = (D.ALL, D.PROGRAMME, D.YEAR)


def file_indicators(files: QuerySet) -> list[Row]:
    """Requests received, projects carried out, organisations supported and the acceptance
    rate, by every breakdown, from one pass over the files."""
    rows = []
    for dimension, r in grouped(file_rows(files), FILE_AGGREGATES, REQUEST_DIMENSIONS):
        key = r["key"]
        rows.append(
            Row(Indicator.REQUESTS, dimension, key, Decimal(r["n"]), organisations=r["orgs"])
        )
        if dimension in COMPLETED_DIMENSIONS and r["completed"]:
            rows.append(
                Row(
                    Indicator.COMPLETED,
                    dimension,
                    key,
                    Decimal(r["completed"]),
                    organisations=r["completed_orgs"],
                )
            )
        if dimension in SUPPORTED_DIMENSIONS and r["selected_orgs"]:
            rows.append(
                Row(
                    Indicator.ORGANISATIONS_SUPPORTED,
                    dimension,
                    key,
                    Decimal(r["selected_orgs"]),
                    organisations=r["selected_orgs"],
                )
            )
        if dimension in ACCEPTANCE_DIMENSIONS and r["decided"]:
            rows.append(
                Row(
                    Indicator.ACCEPTANCE,
                    dimension,
                    key,
                    _ratio(r["selected"], r["decided"]),
                    Decimal(r["selected"]),
                    Decimal(r["decided"]),
                    r["decided_orgs"],
                )
            )
    return rows


def request_growth(request_rows: list[Row]) -> list[Row]:
    """Requests of year Y ÷ requests of year Y-1, from the yearly counts just computed."""
    yearly = {
        int(r.key): r.value
        for r in request_rows
        if r.indicator == Indicator.REQUESTS and r.dimension == D.YEAR and r.key.isdigit()
    }
    return [
        Row(
            Indicator.REQUEST_GROWTH,
            D.YEAR,
            str(year),
            _ratio(count, yearly[year - 1]),
            count,
            yearly[year - 1],
        )
        for year, count in sorted(yearly.items())
        if yearly.get(year - 1)
    ]


def recognised_experts(as_of: date) -> list[Row]:
    listed = Expert.objects.publicly_listed(today=as_of)
    rows = [Row(Indicator.RECOGNISED_EXPERTS, D.ALL, "all", Decimal(listed.count()))]
    for r in listed.order_by().values("organisation__province").annotate(n=Count("pk")):
        rows.append(
            Row(
                Indicator.RECOGNISED_EXPERTS,
                D.PROVINCE,
                r["organisation__province"],
                Decimal(r["n"]),
                organisations=r["n"],
            )
        )
    return rows


SURVEY_AGGREGATES = {
    "n": "COUNT(*)",
    "orgs": "COUNT(DISTINCT organisation_id)",
    "before": "SUM(investment_before)",
    "after": "SUM(investment_after)",
    "competitiveness": "SUM(competitiveness)",
    "quality": "SUM(quality)",
    "either": "SUM(either)",
    "recommend": "SUM(recommend)",
}


def surveys(files: QuerySet) -> list[Row]:
    """Investment multiplier and the shares of answered surveys, over completed files."""
    answered = OutcomeReport.objects.filter(
        application__in=files.filter(completed_at__isnull=False)
    ).values(
        "investment_before",
        "investment_after",
        organisation_id=F("application__organisation_id"),
        programme_code=F("application__programme__code"),
        province=F("application__organisation__province"),
        sector=F("application__organisation__sector"),
        kind=F("application__organisation__kind"),
        competitiveness=_flag(Q(improved_competitiveness=True)),
        quality=_flag(Q(improved_quality=True)),
        either=_flag(Q(improved_competitiveness=True) | Q(improved_quality=True)),
        recommend=_flag(Q(would_recommend=True)),
    )
    rows = []
    for dimension, r in grouped(answered, SURVEY_AGGREGATES, SUPPORTED_DIMENSIONS):
        if not r["n"]:
            continue  # no answered survey in this group: no share to give
        key, n, orgs = r["key"], Decimal(r["n"]), r["orgs"]
        if r["before"]:
            after, before = Decimal(r["after"]), Decimal(r["before"])
            rows.append(
                Row(
                    Indicator.INVESTMENT_MULTIPLIER,
                    dimension,
                    key,
                    _ratio(after, before),
                    after,
                    before,
                    orgs,
                )
            )
        for indicator, count in (
            (Indicator.IMPROVED_COMPETITIVENESS, r["competitiveness"]),
            (Indicator.IMPROVED_QUALITY, r["quality"]),
            (Indicator.IMPROVED_EITHER, r["either"]),
            (Indicator.RECOMMENDATION, r["recommend"]),
        ):
            rows.append(Row(indicator, dimension, key, _ratio(count, n), Decimal(count), n, orgs))
    return rows


# Each median: its indicator, the moment it ends at, and the column its duration is read as.
TIMES = (
    (Indicator.DAYS_TO_DECISION, "decided_at", "to_decision"),
    (Indicator.DAYS_TO_COMPLETION, "completed_at", "to_completion"),
)


def processing_times(files: QuerySet) -> list[Row]:
    """Median days from submission to decision and to completion, overall and by programme."""
    durations = files.values(
        programme_code=F("programme__code"),
        **{column: _days_between("submitted_at", end) for _indicator, end, column in TIMES},
    )
    if connection.vendor == "postgresql":
        found = _medians_by_percentile(durations)
    else:
        found = _medians_by_rank(durations)
    rows = []
    for indicator, _end, column in TIMES:
        for programme, medians in found.items():
            days, n = medians[column]
            value = None if days is None else Decimal(days).quantize(Decimal("0.01"))
            dimension, key = (D.ALL, "all") if programme is None else (D.PROGRAMME, programme)
            rows.append(Row(indicator, dimension, key, value, denominator=Decimal(n or 0)))
    return rows


def _medians_by_percentile(durations: QuerySet) -> dict:
    """PostgreSQL: percentile_cont per grouping set, both measures in one pass."""
    aggregates = {}
    for _indicator, _end, column in TIMES:
        aggregates[f"{column}_median"] = f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {column})"
        aggregates[f"{column}_n"] = f"COUNT({column})"
    found = {}
    for dimension, r in grouped(durations, aggregates, (D.ALL, D.PROGRAMME)):
        found[None if dimension == D.ALL else r["key"]] = {
            column: (r[f"{column}_median"], r[f"{column}_n"]) for _indicator, _end, column in TIMES
        }
    return found


def _medians_by_rank(durations: QuerySet) -> dict:
    """Portable SQL: the middle one or two durations of each group, picked by their rank."""
    inner, params = durations.order_by().query.sql_with_params()
    found = {}
    for _indicator, _end, column in TIMES:
        middle = "{i} IN (({n} + 1) / 2, ({n} + 2) / 2)"
        sql = (
            f"WITH r AS (SELECT programme_code, {column} AS days,"
            f" ROW_NUMBER() OVER (ORDER BY {column}) AS i, COUNT(*) OVER () AS n,"
            f" ROW_NUMBER() OVER (PARTITION BY programme_code ORDER BY {column}) AS pi,"
            f" COUNT(*) OVER (PARTITION BY programme_code) AS pn FROM ({inner}) AS d"
            f" WHERE {column} IS NOT NULL)"
            # Without GROUP BY this gives its row even with no file: (NULL, NULL, NULL).
            f" SELECT NULL, AVG(days), MAX(n) FROM r WHERE {middle.format(i='i', n='n')}"
            f" UNION ALL SELECT programme_code, AVG(days), MAX(pn) FROM r"
            f" WHERE {middle.format(i='pi', n='pn')} GROUP BY programme_code"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for programme, days, n in cursor.fetchall():
                empty = {c: (None, 0) for _i, _e, c in TIMES}
                found.setdefault(programme, empty)[column] = (days, n)
    return found


def _days_between(start: str, end: str) -> RawSQL:
    """(end - start) in days as a number, in the database's own date arithmetic."""
    table = connection.ops.quote_name(Application._meta.db_table)
    if connection.vendor == "postgresql":
        sql = f"EXTRACT(EPOCH FROM ({table}.{end} - {table}.{start})) / 86400.0"
    else:
        sql = f"(julianday({table}.{end}) - julianday({table}.{start}))"
    return RawSQL(sql, (), output_field=FloatField())


AGE_BUCKETS = ((30, "0-30"), (90, "31-90"), (None, "90+"))


def backlog(files: QuerySet, as_of: date) -> list[Row]:
    """Open files by status and age (one query), and per reviewer (one query)."""
    open_files = files.filter(status__in=OPEN_STATUSES).exclude(status=Status.DRAFT)
    bucket = Case(
        *(
            When(submitted_at__date__gte=as_of - timedelta(days=days), then=Value(label))
            for days, label in AGE_BUCKETS
            if days is not None
        ),
        default=Value(AGE_BUCKETS[-1][1]),
    )
    rows = [
        Row(Indicator.BACKLOG, D.STATUS_AGE, f"{r['status']}|{r['bucket']}", Decimal(r["n"]))
        for r in open_files.order_by()
        .annotate(bucket=bucket)
        .values("status", "bucket")
        .annotate(n=Count("pk"))
    ]
    total = sum((row.value for row in rows), Decimal(0))
    current = Assignment.objects.filter(ended_at__isnull=True, application__in=open_files)
    for r in (
        current.order_by()
        .values("reviewer_id", "reviewer__first_name", "reviewer__last_name")
        .annotate(n=Count("pk"))
    ):
        name = f"{r['reviewer__first_name']} {r['reviewer__last_name']}".strip()
        rows.append(
            Row(Indicator.BACKLOG, D.REVIEWER, f"{r['reviewer_id']}:{name}"[:64], Decimal(r["n"]))
        )
    rows.append(Row(Indicator.BACKLOG, D.ALL, "all", total))
    return rows


PATH = [("START", "TREMPLIN"), ("TREMPLIN", "CAP")]


def conversion(files: QuerySet) -> list[Row]:
    """Of the organisations that submitted to a programme, the share that later submitted to
    the next one on the path (Start IA → Tremplin IA → Cap IA): one pass, one row per
    organisation saying which programmes it applied to."""
    programmes = sorted({code for step in PATH for code in step})
    per_organisation = (
        files.order_by()
        .values("organisation_id")
        .annotate(
            **{code.lower(): Count("pk", filter=Q(programme__code=code)) for code in programmes}
        )
    )
    inner, params = per_organisation.query.sql_with_params()
    sums = []
    for first, then in PATH:
        a, b = first.lower(), then.lower()
        sums += [
            f"SUM(CASE WHEN {a} > 0 THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {a} > 0 AND {b} > 0 THEN 1 ELSE 0 END)",
        ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(sums)} FROM ({inner}) AS o", params)
        counts = cursor.fetchone()
    rows = []
    for index, (first, then) in enumerate(PATH):
        n, moved = counts[2 * index] or 0, counts[2 * index + 1] or 0
        if not n:
            continue
        rows.append(
            Row(
                Indicator.CONVERSION,
                D.ALL,
                f"{first}>{then}",
                _ratio(moved, n),
                Decimal(moved),
                Decimal(n),
                n,
            )
        )
    return rows


def compute(as_of: date) -> list[Row]:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Measured on 1,000,000 files: JIT compilation costs up to a second per
                # aggregate query and gains nothing back; the sorts behind the distinct counts
                # and medians spill to disk with the default 4 MB. For this transaction only.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        return _compute(as_of)


def _compute(as_of: date) -> list[Row]:
    files = Application.objects.filter(submitted_at__isnull=False)
    file_rows_ = file_indicators(files)
    return [
        *file_rows_,
        *request_growth(file_rows_),
        *recognised_experts(as_of),
        *surveys(files),
        *processing_times(files),
        *backlog(files, as_of),
        *conversion(files),
    ]
