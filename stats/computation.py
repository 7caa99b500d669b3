"""Every indicator of docs/domain.md, Outcomes and indicators, by SQL aggregation: the rows each
one reads (ORM querysets), and the snapshot rows made of the figures `organisations.breakdowns`
and `grouping.grouped` give for them. No loop over files.

`compute(as_of)` returns the rows of a snapshot; `services.snapshot_run` stores them."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Round, TruncDate

from applications.guards import FUNDED
from applications.models import Agreement, Application, Assignment, Payment, PaymentRequest
from applications.workflow import OPEN_STATUSES, PAYMENTS_COMMITTED, Status
from companies.models import Expert
from programs.models import Call, Programme

from .grouping import grouped, sql_of
from .models import Dimension, Indicator
from .organisations import ATTRIBUTE_CELL_DIMENSIONS, Cells, Tally, breakdowns

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


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=1), default=0, output_field=IntegerField())


def _ratio(numerator, denominator, places: str = "0.0001") -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places))


def file_rows(files: QuerySet) -> QuerySet:
    """One row per submitted file with what the indicators read: its organisation, programme and
    year, the stages it reached (0 or 1), and when it was submitted and selected. The file's own
    columns only (the programme's id, not its code): PostgreSQL reads them all from one index
    (`application_indicators_idx`), in the order of the organisations the pass groups them by."""
    return files.values(
        "organisation_id",
        "programme_id",
        "submitted_at",
        "selected_at",
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
    """One row per answered outcome survey of a completed file; the investment after it is
    the one the survey 12 months on gives, once answered (docs/domain.md, Outcomes and
    indicators)."""
    return files.filter(completed_at__isnull=False, outcome__isnull=False).values(
        "organisation_id",
        "programme_id",
        year=F("submitted_year"),
        # In cents (integers, the report's own columns): PostgreSQL adds up integers for less
        # than its `numeric` amounts (bench/results/README.md); survey_indicators divides back.
        investment_before=F("outcome__investment_before_cents"),
        # Measured 12 months on when that survey gives it, else as told at completion.
        investment_after=Coalesce(
            Cast(Round(F("follow_up_survey__investment_after") * 100), BigIntegerField()),
            F("outcome__investment_after_cents"),
        ),
        competitiveness=_flag(Q(outcome__improved_competitiveness=True)),
        quality=_flag(Q(outcome__improved_quality=True)),
        either=_flag(Q(outcome__improved_competitiveness=True) | Q(outcome__improved_quality=True)),
        recommend=_flag(Q(outcome__would_recommend=True)),
    )


# Counts with FILTER rather than SUMs of the 0/1 flags: PostgreSQL's SUM of an integer costs
# several times a COUNT per row (the files' pass 1.45 -> 1.05 s of CPU at 1,000,000 files).
FILE_SUMS = {
    "n": "COUNT(*)",
    "completed": "COUNT(*) FILTER (WHERE completed = 1)",
    "selected": "COUNT(*) FILTER (WHERE selected = 1)",
    "decided": "COUNT(*) FILTER (WHERE decided = 1)",
}
# The organisations counted with each figure: those with a file meeting the condition.
FILE_CONDITIONS = {
    "orgs": ("n", "1 = 1"),
    "completed_orgs": ("completed", "completed = 1"),
    "selected_orgs": ("selected", "selected = 1"),
    "decided_orgs": ("decided", "decided = 1"),
}
# Which indicator reads which breakdowns. The staff dashboard's filters (a programme, a range
# of years) add up the programme x year cells; the public pages read the wider ones.
CELLS_BY_ATTRIBUTE = tuple(ATTRIBUTE_CELL_DIMENSIONS.values())
REQUEST_DIMENSIONS = (
    D.ALL,
    D.PROGRAMME,
    D.YEAR,
    D.PROGRAMME_YEAR,
    D.PROVINCE,
    D.SECTOR,
    D.KIND,
    *CELLS_BY_ATTRIBUTE,
)
COMPLETED_DIMENSIONS = REQUEST_DIMENSIONS
SUPPORTED_DIMENSIONS = (D.ALL, D.PROGRAMME, D.PROVINCE, D.SECTOR, D.KIND)
ACCEPTANCE_DIMENSIONS = (D.ALL, D.PROGRAMME, D.YEAR, D.PROGRAMME_YEAR)
SURVEY_DIMENSIONS = (D.ALL, D.PROGRAMME, D.YEAR, D.PROGRAMME_YEAR, D.PROVINCE, D.SECTOR, D.KIND)
PATH = [("START", "TREMPLIN"), ("TREMPLIN", "CAP")]


def path_moments(cells: Cells) -> dict[str, tuple[str, list]]:
    """Per organisation and step of PATH: when a file of the earlier programme was first
    selected, and when a file of the later one was last submitted."""
    moments = {}
    for first, then in PATH:
        moments[f"selected_{first.lower()}"] = (
            "MIN(r.selected_at) FILTER (WHERE r.programme_id = %s)",
            [cells.id_of(first)],
        )
        moments[f"submitted_{then.lower()}"] = (
            "MAX(r.submitted_at) FILTER (WHERE r.programme_id = %s)",
            [cells.id_of(then)],
        )
    return moments


def path_tests(cells: Cells) -> dict:
    """Per step of PATH (docs/domain.md, Outcomes and indicators): the organisations with a
    selected file in the earlier programme, and those of them with a file in the later one
    submitted after that selection (an organisation that applied to the later programme first,
    or whose earlier file was never selected, did not go on)."""
    tests = {}
    for first, then in PATH:
        if first in cells.programmes:
            selected = f"selected_{first.lower()}"
            tests["path", first, then] = f"{selected} IS NOT NULL"
            tests["moved", first, then] = (
                f"{selected} IS NOT NULL AND submitted_{then.lower()} > {selected}"
            )
    return tests


def file_cells(files: QuerySet) -> Cells:
    """The programme x year cells the files fall in, numbered before the pass that reads them:
    every programme, every year from the first submission's to the last's (two reads of the
    queue's index on the submission time; a cell without files is a bit nobody sets)."""
    by_time = files.values_list("submitted_year", flat=True)
    years = [*by_time.order_by("submitted_at")[:1], *by_time.order_by("-submitted_at")[:1]]
    programmes = Programme.objects.values_list("code", "id")
    return Cells.of((code, pk, year) for code, pk in programmes for year in years or [None])


def file_figures(files: QuerySet, cells: Cells) -> tuple[dict, dict]:
    """The figures of the files by every breakdown, the counts along the PATH, and the tally
    of the organisations supported (for any range of years)."""
    return breakdowns(
        "files",
        file_rows(files),
        cells,
        FILE_SUMS,
        FILE_CONDITIONS,
        REQUEST_DIMENSIONS,
        path_tests,
        extras=path_moments(cells),
        # Requests and projects by province, sector and kind and programme x year cell.
        per_cell={"n": "1 = 1", "completed": "completed = 1"},
        tallies=["selected_orgs"],
    )


def supported_by_year_range(tally: Tally) -> list[Row]:
    """Organisations supported per programme (or all) and range of years, for the staff
    dashboard's filters: distinct organisations do not add up over years."""
    cells, rows = tally.cells, []
    years = cells.year_numbers
    for programme in (None, *cells.programmes):
        for first in years:
            for last in range(first, years.stop):
                n = tally.count(cells.bits(programme=programme, years=range(first, last + 1)))
                if n:
                    key = f"{programme or 'all'}|{first}-{last}"
                    rows.append(
                        Row(
                            Indicator.ORGANISATIONS_SUPPORTED,
                            D.YEAR_RANGE,
                            key,
                            Decimal(n),
                            organisations=n,
                        )
                    )
    return rows


def file_indicators(figures: dict, counts: dict) -> list[Row]:
    """Requests received, projects carried out, organisations supported, the acceptance rate
    and the conversion along the programmes' path, by every breakdown."""
    rows = []
    for (dimension, key), r in figures.items():
        # The cells by attribute have no distinct organisations (None: never public).
        rows.append(
            Row(Indicator.REQUESTS, dimension, key, Decimal(r["n"]), organisations=r.get("orgs"))
        )
        if dimension in COMPLETED_DIMENSIONS and r["completed"]:
            rows.append(
                Row(
                    Indicator.COMPLETED,
                    dimension,
                    key,
                    Decimal(r["completed"]),
                    organisations=r.get("completed_orgs"),
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
    if ("tally", "selected_orgs") in counts:
        rows += supported_by_year_range(counts["tally", "selected_orgs"])
    # Of the organisations with a selected file in a programme, the share that then submitted
    # a file to the next one on the path (Start IA → Tremplin IA → Cap IA).
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
    """Requests of year Y ÷ requests of year Y-1, from the yearly counts just computed. The
    ratio describes the organisations of both years: its count is the smaller of the two."""
    yearly = {
        int(r.key): r
        for r in request_rows
        if r.indicator == Indicator.REQUESTS and r.dimension == D.YEAR and r.key.isdigit()
    }
    return [
        Row(
            Indicator.REQUEST_GROWTH,
            D.YEAR,
            str(year),
            _ratio(this.value, yearly[year - 1].value),
            this.value,
            yearly[year - 1].value,
            min(this.organisations, yearly[year - 1].organisations),
        )
        for year, this in sorted(yearly.items())
        if year - 1 in yearly
    ]


def recognised_experts(as_of: date) -> list[Row]:
    """Expert companies whose recognition is active on the snapshot date, each one an
    organisation (public figures under 5 of them are hidden too)."""
    listed = Expert.objects.publicly_listed(today=as_of)
    n = listed.count()
    rows = [Row(Indicator.RECOGNISED_EXPERTS, D.ALL, "all", Decimal(n), organisations=n)]
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
    # Counts, not SUMs of the 0/1 flags (FILE_SUMS says why).
    "competitiveness": "COUNT(*) FILTER (WHERE competitiveness = 1)",
    "quality": "COUNT(*) FILTER (WHERE quality = 1)",
    "either": "COUNT(*) FILTER (WHERE either = 1)",
    "recommend": "COUNT(*) FILTER (WHERE recommend = 1)",
}
SURVEY_CONDITIONS = {"answered_orgs": ("answered", "1 = 1")}


def survey_indicators(files: QuerySet, cells: Cells) -> list[Row]:
    """Investment multiplier and the shares of answered surveys, over completed files."""
    figures, _counts = breakdowns(
        "surveys",
        survey_rows(files),
        cells,
        SURVEY_SUMS,
        SURVEY_CONDITIONS,
        SURVEY_DIMENSIONS,
    )
    rows = []
    for (dimension, key), r in figures.items():
        if not r["answered"]:
            continue  # no answered survey in this group: no share to give
        n, orgs = Decimal(r["answered"]), r["answered_orgs"]
        if r["before"]:
            after, before = Decimal(r["after"]) / 100, Decimal(r["before"]) / 100  # in EUR
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


def processing_times(files: QuerySet, programmes: Iterable[str] = ()) -> list[Row]:
    """Median days from submission to decision and to completion, overall and by programme
    (each of `programmes`, the codes of those with files, has its rows, empty without a
    decided or completed file)."""
    # Grouped by the programme's id, named after its code once done: joining the programmes
    # first made PostgreSQL walk the files once per programme (bench/results/README.md).
    # Only the files decided or completed: the others have no duration, and the medians,
    # counts and sums skip a missing one (a fifth less to sort at 1,000,000 files).
    durations = files.filter(Q(decided_at__isnull=False) | Q(completed_at__isnull=False)).values(
        programme_code=F("programme_id"),
        **{column: _days_between("submitted_at", end) for _indicator, end, column in TIMES},
    )
    columns = [column for _indicator, _end, column in TIMES]
    codes = dict(Programme.objects.values_list("pk", "code"))
    found = {
        None if programme is None else codes[int(programme)]: measures
        for programme, measures in medians(durations, columns).items()
    }
    for code in programmes:
        found.setdefault(code, dict.fromkeys(columns, (None, 0, None)))
    rows = []
    for indicator, _end, column in TIMES:
        for code, measures in found.items():
            days, n, _total = measures[column]
            value = None if days is None else Decimal(days).quantize(Decimal("0.01"))
            dimension, key = (D.ALL, "all") if code is None else (D.PROGRAMME, code)
            rows.append(Row(indicator, dimension, key, value, denominator=Decimal(n or 0)))
    return rows


def medians(durations: QuerySet, columns: list[str]) -> dict:
    """{None (all) or a programme id: {column: (median, count, sum)}} of each duration column
    of `durations` (a `.values()` queryset with `programme_code`, the programme's id)."""
    if connection.vendor == "postgresql":
        return _medians_by_percentile(durations, columns)
    return _medians_by_rank(durations, columns)


def _medians_by_percentile(durations: QuerySet, columns: list[str]) -> dict:
    """PostgreSQL: percentile_cont per grouping set, every measure in one pass."""
    aggregates = {}
    for column in columns:
        aggregates[f"{column}_median"] = f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {column})"
        aggregates[f"{column}_n"] = f"COUNT({column})"
        aggregates[f"{column}_sum"] = f"SUM({column})"
    found = {}
    for dimension, r in grouped(durations, aggregates, (D.ALL, D.PROGRAMME)):
        found[None if dimension == D.ALL else r["key"]] = {
            column: (r[f"{column}_median"], r[f"{column}_n"], r[f"{column}_sum"])
            for column in columns
        }
    return found


def _medians_by_rank(durations: QuerySet, columns: list[str]) -> dict:
    """Portable SQL: the middle one or two durations of each group, picked by their rank."""
    inner, params = durations.order_by().query.sql_with_params()
    found = {}
    for column in columns:
        middle = "{i} IN (({n} + 1) / 2, ({n} + 2) / 2)"
        sql = (
            f"WITH r AS (SELECT programme_code, {column} AS days,"
            f" ROW_NUMBER() OVER (ORDER BY {column}) AS i, COUNT(*) OVER () AS n,"
            f" SUM({column}) OVER () AS total,"
            f" ROW_NUMBER() OVER (PARTITION BY programme_code ORDER BY {column}) AS pi,"
            f" COUNT(*) OVER (PARTITION BY programme_code) AS pn,"
            f" SUM({column}) OVER (PARTITION BY programme_code) AS ptotal FROM ({inner}) AS d"
            f" WHERE {column} IS NOT NULL)"
            # Without GROUP BY this gives its row even with no file: (NULL, NULL, NULL).
            f" SELECT NULL, AVG(days), MAX(n), MAX(total) FROM r"
            f" WHERE {middle.format(i='i', n='n')}"
            f" UNION ALL SELECT programme_code, AVG(days), MAX(pn), MAX(ptotal) FROM r"
            f" WHERE {middle.format(i='pi', n='pn')} GROUP BY programme_code"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for programme, days, n, total in cursor.fetchall():
                empty = dict.fromkeys(columns, (None, 0, None))
                found.setdefault(programme, empty)[column] = (days, n, total)
    return found


def _days_between(start: str, end: str) -> RawSQL:
    """(end - start) in days as a number, in the database's own date arithmetic."""
    table = connection.ops.quote_name(Application._meta.db_table)
    if connection.vendor == "postgresql":
        # date_part gives a float: EXTRACT gives a numeric, whose sort for the medians costs
        # half as much again (bench/results/README.md).
        sql = f"date_part('epoch', {table}.{end} - {table}.{start}) / 86400.0"
    else:
        sql = f"(julianday({table}.{end}) - julianday({table}.{start}))"
    return RawSQL(sql, (), output_field=FloatField())


AGE_BUCKETS = ((30, "0-30"), (90, "31-90"), (None, "90+"))


def backlog(files: QuerySet, as_of: date) -> list[Row]:
    """Open files by status and age (one query), and per reviewer (one query), each for all
    programmes and per programme (the staff dashboard's filter)."""
    open_files = files.filter(status__in=OPEN_STATUSES).exclude(status=Status.DRAFT)
    codes = dict(Programme.objects.values_list("pk", "code"))
    bucket = Case(
        *(
            When(submitted_at__date__gte=as_of - timedelta(days=days), then=Value(label))
            for days, label in AGE_BUCKETS
            if days is not None
        ),
        default=Value(AGE_BUCKETS[-1][1]),
    )
    # Per programme from SQL; all programmes added up from those few rows.
    rows, by_status, by_reviewer = [], Counter(), Counter()
    for r in (
        open_files.order_by()
        .annotate(bucket=bucket)
        .values("programme_id", "status", "bucket")
        .annotate(n=Count("pk"))
    ):
        key = f"{r['status']}|{r['bucket']}"
        by_status[key] += r["n"]
        programme_key = f"{codes[r['programme_id']]}|{key}"
        rows.append(Row(Indicator.BACKLOG, D.PROGRAMME_STATUS_AGE, programme_key, Decimal(r["n"])))
    rows += [Row(Indicator.BACKLOG, D.STATUS_AGE, k, Decimal(n)) for k, n in by_status.items()]
    # The open files' current assignments, joined to their files (the file's programme is read
    # there: half the time of a semi-join on the open files plus a join for the programme).
    current = Assignment.objects.filter(
        ended_at__isnull=True,
        application__submitted_at__isnull=False,
        application__status__in=OPEN_STATUSES - {Status.DRAFT},
    )
    for r in (
        current.order_by()
        .values(
            "reviewer_id",
            "reviewer__first_name",
            "reviewer__last_name",
            "application__programme_id",
        )
        .annotate(n=Count("pk"))
    ):
        name = f"{r['reviewer__first_name']} {r['reviewer__last_name']}".strip()
        reviewer = f"{r['reviewer_id']}:{name}"
        by_reviewer[reviewer] += r["n"]
        programme = codes[r["application__programme_id"]]
        rows.append(
            Row(
                Indicator.BACKLOG,
                D.PROGRAMME_REVIEWER,
                f"{programme}|{reviewer}"[:64],
                Decimal(r["n"]),
            )
        )
    rows += [Row(Indicator.BACKLOG, D.REVIEWER, k[:64], Decimal(n)) for k, n in by_reviewer.items()]
    rows.append(Row(Indicator.BACKLOG, D.ALL, "all", Decimal(by_status.total())))
    return rows


# --- the money after selection (docs/domain.md, After selection; staff only) -----------------

MONEY_DIMENSIONS = (D.ALL, D.PROGRAMME, D.YEAR, D.PROGRAMME_YEAR, D.CALL)
MONEY_SUMS = {
    "granted": "SUM(granted)",
    "committed": "SUM(committed)",
    "paid": "SUM(paid)",
    "envelope": "MAX(envelope)",
}
CENT = Decimal("0.01")


def _cents(value) -> Decimal:
    """A sum of amounts (SQLite adds them as floating point numbers) to the cent."""
    return Decimal(str(value or 0)).quantize(CENT)


def money_rows(files: QuerySet) -> tuple[str, tuple]:
    """One row per call and year: the grants of its selected files while they stand (the files
    the envelope's guard counts, guards.FUNDED), what their approved requests commit and what
    was paid on them, with the call's programme and envelope. The files are summed per call
    and year by their own columns, the requests per call and year of their file, and the
    call's programme and envelope are joined to those few rows: no join per file, and the
    grouping sets add up a dozen rows (bench/results/README.md)."""
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))
    selected = files.filter(selected_at__isnull=False)
    granted, granted_params = sql_of(
        selected.values("call_id", year=F("submitted_year")).annotate(
            granted=Sum(
                Case(
                    When(
                        Q(status__in=FUNDED, granted_amount__isnull=False),
                        then=F("granted_amount"),
                    ),
                    default=zero,
                )
            )
        )
    )
    requests, requests_params = sql_of(
        PaymentRequest.objects.filter(application__in=selected)
        .values(call_id=F("application__call_id"), year=F("application__submitted_year"))
        .annotate(
            committed=Sum("approved_amount", filter=Q(status__in=PAYMENTS_COMMITTED)),
            paid=Sum("payment__amount"),
        )
    )
    calls, calls_params = sql_of(
        Call.objects.values(
            "id", programme_code=F("programme__code"), envelope=F("budget_envelope")
        )
    )
    sql = (
        "SELECT f.call_id, c.programme_code, f.year, c.envelope, f.granted, m.committed, m.paid"
        f" FROM ({granted}) AS f JOIN ({calls}) AS c ON c.id = f.call_id"
        f" LEFT JOIN ({requests}) AS m ON m.call_id = f.call_id AND m.year = f.year"
    )
    return sql, (*granted_params, *calls_params, *requests_params)


def money(files: QuerySet) -> list[Row]:
    """Granted, committed and paid by programme, year (of submission, as every figure of the
    dashboard), programme x year and call; the share of each call's envelope granted. Never
    public: no count of organisations."""
    rows = []
    for dimension, r in grouped(money_rows(files), MONEY_SUMS, MONEY_DIMENSIONS):
        granted = _cents(r["granted"])
        for indicator, value in (
            (Indicator.GRANTED, granted),
            (Indicator.COMMITTED, _cents(r["committed"])),
            (Indicator.PAID, _cents(r["paid"])),
        ):
            rows.append(Row(indicator, dimension, r["key"], value))
        envelope = _cents(r["envelope"])
        if dimension == D.CALL and envelope > 0:
            rows.append(
                Row(
                    Indicator.ENVELOPE_CONSUMPTION,
                    D.CALL,
                    r["key"],
                    _ratio(granted, envelope),
                    granted,
                    envelope,
                )
            )
    return rows


class DaysBetween(Func):
    """(end - start) in days as a number, in the database's own arithmetic, of two moments
    (timestamps) or two days (dates)."""

    output_field = FloatField()

    def __init__(self, end, start, *, dates: bool = False):
        super().__init__(end, start)
        self.dates = dates

    def as_sql(self, compiler, connection, **extra):
        (end, end_params), (start, start_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        if connection.vendor != "postgresql":
            sql = f"(julianday({end}) - julianday({start}))"
        elif self.dates:
            sql = f"CAST(({end} - {start}) AS double precision)"  # a number of days
        else:
            sql = f"(date_part('epoch', {end} - {start}) / 86400.0)"
        return sql, (*end_params, *start_params)


def money_times() -> list[Row]:
    """Median and mean days from selection to the first agreement signed by both parties
    (amendments are later versions), and from a payment request's submission to the day of
    its payment; overall and by programme. The value is the median; the numerator the sum of
    the days and the denominator their count, so the mean is numerator ÷ denominator."""
    signatures = Agreement.objects.filter(
        number=1, signed_at__isnull=False, application__selected_at__isnull=False
    ).values(
        programme_code=F("application__programme_id"),
        days=DaysBetween("signed_at", "application__selected_at"),
    )
    payments = Payment.objects.filter(request__submitted_at__isnull=False).values(
        programme_code=F("request__application__programme_id"),
        days=DaysBetween("paid_on", TruncDate("request__submitted_at"), dates=True),
    )
    codes = dict(Programme.objects.values_list("pk", "code"))
    rows = []
    for indicator, durations in (
        (Indicator.DAYS_TO_SIGNATURE, signatures),
        (Indicator.DAYS_TO_PAYMENT, payments),
    ):
        for programme, measures in medians(durations, ["days"]).items():
            days, n, total = measures["days"]
            if not n:
                continue
            dimension, key = (
                (D.ALL, "all") if programme is None else (D.PROGRAMME, codes[int(programme)])
            )
            rows.append(
                Row(
                    indicator,
                    dimension,
                    key,
                    Decimal(days).quantize(CENT),
                    Decimal(total).quantize(CENT),
                    Decimal(n),
                )
            )
    return rows


def compute(as_of: date) -> list[Row]:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # JIT compilation costs more than it gains on these aggregates, and the sorts
                # behind the medians spill to disk with the default 4 MB (figures in
                # bench/results/README.md). For this transaction only.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        return _compute(as_of)


def _compute(as_of: date) -> list[Row]:
    files = Application.objects.filter(submitted_at__isnull=False)
    cells = file_cells(files)  # the surveys' files are among them
    figures, counts = file_figures(files, cells)
    file_rows_ = file_indicators(figures, counts)
    with_files = [key for dimension, key in figures if dimension == D.PROGRAMME]
    return [
        *file_rows_,
        *request_growth(file_rows_),
        *recognised_experts(as_of),
        *survey_indicators(files, cells),
        *processing_times(files, with_files),
        *backlog(files, as_of),
        *money(files),
        *money_times(),
    ]
