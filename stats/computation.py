"""Every indicator of domain §5 by SQL aggregation, one pass over each table: every breakdown of
a table comes out of one statement (GROUPING SETS on PostgreSQL; on SQLite, which lacks them,
the same sets as a UNION ALL). No loop over files.

The rows each pass reads are an ORM queryset (joins, time zones and vendor quirks stay Django's
business); only the grouping around it is written here.

`compute(as_of)` returns the rows of a snapshot; `services.snapshot_run` stores them."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from applications.models import Application, Assignment
from applications.workflow import OPEN_STATUSES, Status
from companies.models import Expert, Organisation
from programs.models import Programme

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


def grouped(
    rows: QuerySet | tuple[str, tuple], aggregates: dict[str, str], dimensions
) -> Iterator[tuple[str, dict]]:
    """Aggregate `rows` (a `.values()` queryset, or SQL and its parameters, with the COLUMNS the
    dimensions use) by every dimension given, in one statement; yield (dimension, aggregates
    with the group's key under "key").

    `aggregates` are SQL expressions over the rows' columns, written in this module."""
    inner, params = _sql(rows)
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


def _sql(rows: QuerySet | tuple[str, tuple]) -> tuple[str, tuple]:
    if isinstance(rows, QuerySet):
        return rows.order_by().query.sql_with_params()
    return rows


def _text(value) -> str:
    if isinstance(value, Decimal | float):  # EXTRACT(YEAR …) comes back as a number
        return str(int(value))
    return str(value or "")


def _ratio(numerator, denominator, places: str = "0.0001") -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places))


def file_rows(files: QuerySet) -> QuerySet:
    """One row per submitted file with what the indicators read: its organisation, programme and
    year, and the stages it reached (0 or 1)."""
    return files.values(
        "organisation_id",
        programme_code=F("programme__code"),
        year=F("submitted_year"),
        # "Reached" a status: the moments the workflow stamps once and keeps (the timeline
        # says the same; the tests check it against the events).
        selected=_flag(Q(selected_at__isnull=False)),
        completed=_flag(Q(completed_at__isnull=False)),
        decided=_flag(
            Q(selected_at__isnull=False) | Q(status__in=[Status.REJECTED, Status.INELIGIBLE])
        ),
    )


def survey_rows(files: QuerySet) -> QuerySet:
    """One row per answered outcome survey of a completed file."""
    return files.filter(completed_at__isnull=False, outcome__isnull=False).values(
        "organisation_id",
        programme_code=F("programme__code"),
        year=F("submitted_year"),
        investment_before=F("outcome__investment_before"),
        investment_after=F("outcome__investment_after"),
        competitiveness=_flag(Q(outcome__improved_competitiveness=True)),
        quality=_flag(Q(outcome__improved_quality=True)),
        either=_flag(Q(outcome__improved_competitiveness=True) | Q(outcome__improved_quality=True)),
        recommend=_flag(Q(outcome__would_recommend=True)),
    )


# The organisation's province, sector and kind are its own: every breakdown by them is a sum
# over organisations, and counting distinct organisations there means counting rows. What an
# organisation does per programme and year is kept as bits in masks, one bit per programme x
# year "cell"; the distinct organisations of a programme, a year or a cell are the
# organisations whose mask has one of its bits. This replaces a COUNT(DISTINCT) per breakdown
# (each a sort of every file: 4.3 s of the 6.9 s snapshot at 1,000,000 files).
BITS = 62  # per mask column: a signed 64-bit integer on both databases, shifts stay positive
ORGANISATION_TABLE = "stats_by_organisation"
ORGANISATION_DIMENSIONS = (D.ALL, D.PROVINCE, D.SECTOR, D.KIND)
CELL_DIMENSIONS = (D.PROGRAMME, D.YEAR, D.PROGRAMME_YEAR)


@dataclass(frozen=True)
class Cells:
    """The programme x year cells of the rows, numbered programme by programme."""

    programmes: tuple[str, ...]
    first_year: int
    years: int

    @classmethod
    def of(cls, cells: Iterable[tuple[str, int | None]]) -> "Cells":
        cells = list(cells)
        programmes = tuple(sorted({programme for programme, _year in cells}))
        years = [int(year) for _programme, year in cells if year is not None] or [0]
        return cls(programmes, min(years), max(years) - min(years) + 1)

    @property
    def masks(self) -> int:
        return max(1, -(-len(self.programmes) * self.years // BITS))

    def numbered(self) -> Iterator[tuple[str, int, int, int]]:
        """Each cell: programme, year, its mask column and its bit there."""
        for p, code in enumerate(self.programmes):
            for y in range(self.years):
                cell = p * self.years + y
                yield code, self.first_year + y, cell // BITS, 1 << (cell % BITS)

    def table(self) -> tuple[str, list]:
        """SQL for a table of the cells (programme_code, year, part, bit), to join rows to: a
        column read from a join is worked out once per row, an expression once per use."""
        cells = list(self.numbered()) or [("", 0, 0, 0)]
        values = ", ".join("(%s, %s, %s, CAST(%s AS BIGINT))" for _ in cells)
        return (
            "SELECT column1 AS programme_code, column2 AS year, column3 AS part, column4 AS bit"
            f" FROM (VALUES {values}) AS v",
            [v for cell in cells for v in cell],
        )

    def bits(self, programme: str | None = None, year: int | None = None) -> list[int]:
        """Per mask column, the bits of the cells of a programme, a year, or both."""
        bits = [0] * self.masks
        for code, cell_year, part, bit in self.numbered():
            if programme in (None, code) and year in (None, cell_year):
                bits[part] |= bit
        return bits


def _bit_or(expression: str) -> str:
    """OR of powers of two: BIT_OR on PostgreSQL; a sum of the distinct powers elsewhere."""
    if connection.vendor == "postgresql":
        return f"BIT_OR({expression})"
    return f"SUM(DISTINCT {expression})"


def _hits(mask: str, bits: list[int]) -> str:
    """SQL: the organisation's `mask` has one of these bits."""
    tests = [f"({mask}_{i} & {b}) <> 0" for i, b in enumerate(bits) if b]
    return f"({' OR '.join(tests)})" if tests else "1 = 0"


@contextmanager
def organisation_table(rows, cells: Cells, sums: dict[str, str], conditions: dict[str, str]):
    """A temporary table of one row per organisation: the `sums` of its rows, and per condition
    the mask of the cells where one of its rows meets it (`<condition>_<i>` columns)."""
    inner, params = _sql(rows)
    table, table_params = cells.table()
    one_part = cells.masks == 1
    masks = {
        f"{name}_{i}": _bit_or(
            f"CASE WHEN {condition} THEN bit END"
            if one_part
            else f"CASE WHEN {condition} AND part = {i} THEN bit END"
        )
        for name, condition in conditions.items()
        for i in range(cells.masks)
    }
    select = ", ".join(f"{sql} AS {name}" for name, sql in {**sums, **masks}.items())
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {ORGANISATION_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {ORGANISATION_TABLE} AS"
            f" SELECT organisation_id, {select} FROM ({inner}) AS r"
            f" JOIN ({table}) AS cell"
            " ON cell.programme_code = r.programme_code AND cell.year = r.year"
            " GROUP BY organisation_id",
            (*params, *table_params),
        )
        try:
            yield ORGANISATION_TABLE
        finally:
            cursor.execute(f"DROP TABLE {ORGANISATION_TABLE}")


def by_organisation(table: str, sums: Iterable[str], organisations: dict[str, str]):
    """The breakdowns by the organisations' own attributes, from the organisation table:
    the `sums` added up, and how many organisations meet each of `organisations` (SQL)."""
    aggregates = {name: f"COALESCE(SUM({name}), 0)" for name in sums}
    aggregates |= {
        name: f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"
        for name, condition in organisations.items()
    }
    organisation = Organisation._meta.db_table
    rows = (
        f"SELECT t.*, o.province, o.sector, o.kind FROM {table} AS t"
        f" JOIN {organisation} AS o ON o.id = t.organisation_id",
        (),
    )
    return grouped(rows, aggregates, ORGANISATION_DIMENSIONS)


def count_organisations(table: str, tests: dict[object, str]) -> dict[object, int]:
    """How many organisations of the table pass each test (SQL over its mask columns), one pass."""
    if not tests:
        return {}
    names = list(tests)
    select = ", ".join(f"SUM(CASE WHEN {tests[name]} THEN 1 ELSE 0 END)" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {table}")
        return dict(zip(names, (int(n or 0) for n in cursor.fetchone()), strict=True))


def by_cell(rows, sums: dict[str, str]) -> tuple[str, tuple]:
    """The `sums` per programme x year cell: a plain GROUP BY over every row (which PostgreSQL
    spreads over its parallel workers), for `grouped` to roll up over a few dozen rows."""
    inner, params = _sql(rows)
    select = ", ".join(f"{sql} AS {name}" for name, sql in sums.items())
    return (
        f"SELECT programme_code, year, {select} FROM ({inner}) AS r GROUP BY programme_code, year",
        params,
    )


def cell_groups(cells: Cells, dimension: str, key: str) -> list[int]:
    """The bits of a (dimension, key) group of the cell dimensions."""
    if dimension == D.PROGRAMME:
        return cells.bits(programme=key)
    if dimension == D.YEAR:
        return cells.bits(year=int(key))
    programme, year = key.split("|")
    return cells.bits(programme=programme, year=int(year))


FILE_SUMS = {
    "n": "COUNT(*)",
    "completed": "SUM(completed)",
    "selected": "SUM(selected)",
    "decided": "SUM(decided)",
}
# The organisations counted with each figure: those with a file meeting the condition.
FILE_CONDITIONS = {
    "orgs": ("n", "1 = 1"),
    "completed_orgs": ("completed", "completed = 1"),
    "selected_orgs": ("selected", "selected = 1"),
    "decided_orgs": ("decided", "decided = 1"),
}
# Which indicator reads which breakdowns.
REQUEST_DIMENSIONS = (D.ALL, D.PROGRAMME, D.YEAR, D.PROGRAMME_YEAR, D.PROVINCE, D.SECTOR, D.KIND)
COMPLETED_DIMENSIONS = (D.ALL, D.PROGRAMME, D.YEAR, D.PROVINCE, D.SECTOR, D.KIND)
SUPPORTED_DIMENSIONS = (D.ALL, D.PROGRAMME, D.PROVINCE, D.SECTOR, D.KIND)
ACCEPTANCE_DIMENSIONS = (D.ALL, D.PROGRAMME, D.YEAR)
PATH = [("START", "TREMPLIN"), ("TREMPLIN", "CAP")]


def breakdowns(rows, sums: dict[str, str], organisations: dict, dimensions, tests=None):
    """Per (dimension, key) of `dimensions`: the `sums` of the rows and, per name of
    `organisations` (name: (a sum, a row condition)), the distinct organisations with a row
    meeting the condition. `tests(cells)` may ask for more organisation counts (SQL over the
    masks), returned as the second value. Four statements, whatever the number of rows."""
    rolled_up = {name: f"SUM({name})" for name in sums}
    sets = {*dimensions, D.PROGRAMME_YEAR} & set(CELL_DIMENSIONS)  # the cells, always
    figures = {
        (dimension, r["key"]): r for dimension, r in grouped(by_cell(rows, sums), rolled_up, sets)
    }
    cells = Cells.of(
        (r["programme_code"], r["year"])
        for (dimension, _key), r in figures.items()
        if dimension == D.PROGRAMME_YEAR
    )
    if D.PROGRAMME_YEAR not in dimensions:
        figures = {k: r for k, r in figures.items() if k[0] != D.PROGRAMME_YEAR}
    conditions = {name: condition for name, (_sum, condition) in organisations.items()}
    with organisation_table(rows, cells, sums, conditions) as table:
        counted = {name: f"{total} > 0" for name, (total, _condition) in organisations.items()}
        if set(dimensions) & set(ORGANISATION_DIMENSIONS):
            for dimension, r in by_organisation(table, sums, counted):
                if dimension in dimensions:
                    figures[dimension, r["key"]] = r
        asked = tests(cells) if tests else {}
        for dimension, key in figures:
            if dimension in CELL_DIMENSIONS:
                bits = cell_groups(cells, dimension, key)
                asked |= {(dimension, key, name): _hits(name, bits) for name in organisations}
        counts = count_organisations(table, asked)
    for (dimension, key), r in figures.items():
        if dimension in CELL_DIMENSIONS:
            r |= {name: counts.pop((dimension, key, name)) for name in organisations}
    return figures, counts


def path_tests(cells: Cells) -> dict:
    """Per step of PATH: the organisations that submitted to the first programme, and those of
    them that also submitted to the next."""
    tests = {}
    for first, then in PATH:
        if first in cells.programmes:
            submitted = _hits("orgs", cells.bits(programme=first))
            tests["path", first, then] = submitted
            tests["moved", first, then] = f"{submitted} AND {_hits('orgs', cells.bits(then))}"
    return tests


def file_figures(files: QuerySet) -> tuple[dict, dict]:
    """The figures of the files by every breakdown, and the counts along the PATH."""
    return breakdowns(file_rows(files), FILE_SUMS, FILE_CONDITIONS, REQUEST_DIMENSIONS, path_tests)


def file_indicators(figures: dict, counts: dict) -> list[Row]:
    """Requests received, projects carried out, organisations supported, the acceptance rate
    and the conversion along the programmes' path, by every breakdown."""
    rows = []
    for (dimension, key), r in figures.items():
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
    # Of the organisations that submitted to a programme, the share that also submitted to the
    # next one on the path (Start IA → Tremplin IA → Cap IA).
    for first, then in PATH:
        n, moved = counts.get(("path", first, then)), counts.get(("moved", first, then))
        if n:
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


SURVEY_SUMS = {
    "answered": "COUNT(*)",
    "before": "SUM(investment_before)",
    "after": "SUM(investment_after)",
    "competitiveness": "SUM(competitiveness)",
    "quality": "SUM(quality)",
    "either": "SUM(either)",
    "recommend": "SUM(recommend)",
}
SURVEY_CONDITIONS = {"answered_orgs": ("answered", "1 = 1")}


def survey_indicators(files: QuerySet) -> list[Row]:
    """Investment multiplier and the shares of answered surveys, over completed files."""
    figures, _counts = breakdowns(
        survey_rows(files), SURVEY_SUMS, SURVEY_CONDITIONS, SUPPORTED_DIMENSIONS
    )
    rows = []
    for (dimension, key), r in figures.items():
        if not r["answered"]:
            continue  # no answered survey in this group: no share to give
        n, orgs = Decimal(r["answered"]), r["answered_orgs"]
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
    # Grouped by the programme's id, named after its code once done: joining the programmes
    # first made PostgreSQL walk the files once per programme (0.8 s instead of 0.44 s).
    durations = files.values(
        programme_code=F("programme_id"),
        **{column: _days_between("submitted_at", end) for _indicator, end, column in TIMES},
    )
    if connection.vendor == "postgresql":
        found = _medians_by_percentile(durations)
    else:
        found = _medians_by_rank(durations)
    codes = dict(Programme.objects.values_list("pk", "code"))
    rows = []
    for indicator, _end, column in TIMES:
        for programme, medians in found.items():
            days, n = medians[column]
            value = None if days is None else Decimal(days).quantize(Decimal("0.01"))
            dimension, key = (
                (D.ALL, "all") if programme is None else (D.PROGRAMME, codes[int(programme)])
            )
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
        # date_part gives a float: EXTRACT gives a numeric, whose sort for the medians costs
        # half as much again (0.19 s at 1,000,000 files).
        sql = f"date_part('epoch', {table}.{end} - {table}.{start}) / 86400.0"
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
    figures, counts = file_figures(files)
    file_rows_ = file_indicators(figures, counts)
    return [
        *file_rows_,
        *request_growth(file_rows_),
        *recognised_experts(as_of),
        *survey_indicators(files),
        *processing_times(files),
        *backlog(files, as_of),
    ]
