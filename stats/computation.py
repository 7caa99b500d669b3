"""Every indicator of domain §5, each one SQL aggregation per breakdown (no loop over files).

`compute(as_of)` returns the rows of a snapshot; `services.snapshot_run` stores them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat, ExtractYear

from applications.models import Application, ApplicationEvent, Assignment, OutcomeReport
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


# How each breakdown reads on a file (a row of Application).
GROUPS = {
    D.ALL: Value("all"),
    D.PROGRAMME: F("programme__code"),
    D.YEAR: ExtractYear("submitted_at"),
    D.PROVINCE: F("organisation__province"),
    D.SECTOR: F("organisation__sector"),
    D.KIND: F("organisation__kind"),
}


def _grouped(files: QuerySet, dimension: str, **aggregates) -> Iterable[dict]:
    if dimension == D.PROGRAMME_YEAR:
        group = Concat(
            "programme__code",
            Value("|"),
            Cast(ExtractYear("submitted_at"), CharField()),
            output_field=CharField(),
        )
    else:
        group = GROUPS[dimension]
    return files.order_by().annotate(group_key=group).values("group_key").annotate(**aggregates)


def _counts(indicator: str, files: QuerySet, dimensions: list[str]) -> list[Row]:
    rows = []
    for dimension in dimensions:
        for r in _grouped(
            files, dimension, n=Count("pk"), orgs=Count("organisation", distinct=True)
        ):
            rows.append(
                Row(
                    indicator,
                    dimension,
                    str(r["group_key"] or ""),
                    Decimal(r["n"]),
                    organisations=r["orgs"],
                )
            )
    return rows


def _reached(status: Status):
    """Files that reached `status` at some point (their timeline says so)."""
    return Exists(ApplicationEvent.objects.filter(application=OuterRef("pk"), to_status=status))


def requests(submitted: QuerySet) -> list[Row]:
    return _counts(
        Indicator.REQUESTS,
        submitted,
        [D.ALL, D.PROGRAMME, D.YEAR, D.PROGRAMME_YEAR, D.PROVINCE, D.SECTOR, D.KIND],
    )


def request_growth(request_rows: list[Row]) -> list[Row]:
    """Requests of year Y ÷ requests of year Y-1, from the yearly counts just computed."""
    yearly = {
        int(r.key): r.value for r in request_rows if r.dimension == D.YEAR and r.key.isdigit()
    }
    return [
        Row(
            Indicator.REQUEST_GROWTH,
            D.YEAR,
            str(year),
            (count / yearly[year - 1]).quantize(Decimal("0.0001")),
            count,
            yearly[year - 1],
        )
        for year, count in sorted(yearly.items())
        if yearly.get(year - 1)
    ]


def completed(files: QuerySet) -> list[Row]:
    done = files.filter(_reached(Status.COMPLETED))
    return _counts(
        Indicator.COMPLETED, done, [D.ALL, D.PROGRAMME, D.YEAR, D.PROVINCE, D.SECTOR, D.KIND]
    )


def organisations_supported(files: QuerySet) -> list[Row]:
    selected = files.filter(_reached(Status.SELECTED))
    rows = []
    for dimension in (D.ALL, D.PROGRAMME, D.PROVINCE, D.SECTOR, D.KIND):
        for r in _grouped(selected, dimension, orgs=Count("organisation", distinct=True)):
            rows.append(
                Row(
                    Indicator.ORGANISATIONS_SUPPORTED,
                    dimension,
                    str(r["group_key"] or ""),
                    Decimal(r["orgs"]),
                    organisations=r["orgs"],
                )
            )
    return rows


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


def _survey_dimension(dimension: str):
    return {
        D.ALL: Value("all"),
        D.PROGRAMME: F("application__programme__code"),
        D.PROVINCE: F("application__organisation__province"),
        D.SECTOR: F("application__organisation__sector"),
        D.KIND: F("application__organisation__kind"),
    }[dimension]


def surveys(files: QuerySet) -> list[Row]:
    """Investment multiplier and the shares of answered surveys, over completed files."""
    answered = OutcomeReport.objects.filter(
        application__in=files.filter(_reached(Status.COMPLETED))
    )
    rows = []
    for dimension in (D.ALL, D.PROGRAMME, D.PROVINCE, D.SECTOR, D.KIND):
        aggregates = (
            answered.order_by()
            .annotate(group_key=_survey_dimension(dimension))
            .values("group_key")
            .annotate(
                n=Count("pk"),
                orgs=Count("application__organisation", distinct=True),
                before=Sum("investment_before"),
                after=Sum("investment_after"),
                competitiveness=Count("pk", filter=Q(improved_competitiveness=True)),
                quality=Count("pk", filter=Q(improved_quality=True)),
                either=Count(
                    "pk", filter=Q(improved_competitiveness=True) | Q(improved_quality=True)
                ),
                recommend=Count("pk", filter=Q(would_recommend=True)),
            )
        )
        for r in aggregates:
            if not r["n"]:
                continue  # no answered survey in this group: no share to give
            key, n, orgs = str(r["group_key"] or ""), Decimal(r["n"]), r["orgs"]
            if r["before"]:
                rows.append(
                    Row(
                        Indicator.INVESTMENT_MULTIPLIER,
                        dimension,
                        key,
                        (r["after"] / r["before"]).quantize(Decimal("0.0001")),
                        r["after"],
                        r["before"],
                        orgs,
                    )
                )
            for indicator, count in (
                (Indicator.IMPROVED_COMPETITIVENESS, r["competitiveness"]),
                (Indicator.IMPROVED_QUALITY, r["quality"]),
                (Indicator.IMPROVED_EITHER, r["either"]),
                (Indicator.RECOMMENDATION, r["recommend"]),
            ):
                rows.append(
                    Row(
                        indicator,
                        dimension,
                        key,
                        (Decimal(count) / n).quantize(Decimal("0.0001")),
                        Decimal(count),
                        n,
                        orgs,
                    )
                )
    return rows


def acceptance(files: QuerySet) -> list[Row]:
    decided = files.annotate(was_selected=_reached(Status.SELECTED)).filter(
        Q(was_selected=True) | Q(status__in=[Status.REJECTED, Status.INELIGIBLE])
    )
    rows = []
    for dimension in (D.ALL, D.PROGRAMME, D.YEAR):
        for r in _grouped(
            decided,
            dimension,
            n=Count("pk"),
            selected=Count("pk", filter=Q(was_selected=True)),
            orgs=Count("organisation", distinct=True),
        ):
            if not r["n"]:
                continue
            rows.append(
                Row(
                    Indicator.ACCEPTANCE,
                    dimension,
                    str(r["group_key"] or ""),
                    (Decimal(r["selected"]) / r["n"]).quantize(Decimal("0.0001")),
                    Decimal(r["selected"]),
                    Decimal(r["n"]),
                    r["orgs"],
                )
            )
    return rows


def _median_days(files: QuerySet, end_field: str) -> tuple[Decimal | None, int]:
    """Median of (end - submission) in days, computed by the database."""
    durations = files.filter(**{f"{end_field}__isnull": False}).annotate(
        duration=ExpressionWrapper(F(end_field) - F("submitted_at"), output_field=DurationField())
    )
    n = durations.count()
    if n == 0:
        return None, 0
    ordered = durations.order_by("duration").values_list("duration", flat=True)
    # The middle one or two values of the sorted durations, fetched with OFFSET: portable SQL.
    middle = list(ordered[(n - 1) // 2 : n // 2 + 1])
    seconds = sum(d.total_seconds() for d in middle) / len(middle)
    return Decimal(seconds / 86400).quantize(Decimal("0.01")), n


def processing_times(files: QuerySet) -> list[Row]:
    rows = []
    programmes = files.order_by().values_list("programme__code", flat=True).distinct()
    for indicator, field in (
        (Indicator.DAYS_TO_DECISION, "decided_at"),
        (Indicator.DAYS_TO_COMPLETION, "completed_at"),
    ):
        value, n = _median_days(files, field)
        rows.append(Row(indicator, D.ALL, "all", value, denominator=Decimal(n)))
        for code in programmes:
            value, n = _median_days(files.filter(programme__code=code), field)
            rows.append(Row(indicator, D.PROGRAMME, code, value, denominator=Decimal(n)))
    return rows


AGE_BUCKETS = ((30, "0-30"), (90, "31-90"), (None, "90+"))


def backlog(files: QuerySet, as_of: date) -> list[Row]:
    open_files = files.filter(status__in=OPEN_STATUSES).exclude(status=Status.DRAFT)
    rows = []
    previous = None
    for days, label in AGE_BUCKETS:
        bucket = open_files
        if previous is not None:
            bucket = bucket.filter(submitted_at__date__lt=as_of - timedelta(days=previous))
        if days is not None:
            bucket = bucket.filter(submitted_at__date__gte=as_of - timedelta(days=days))
        for r in bucket.order_by().values("status").annotate(n=Count("pk")):
            rows.append(
                Row(Indicator.BACKLOG, D.STATUS_AGE, f"{r['status']}|{label}", Decimal(r["n"]))
            )
        previous = days
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
    rows.append(Row(Indicator.BACKLOG, D.ALL, "all", Decimal(open_files.count())))
    return rows


PATH = [("START", "TREMPLIN"), ("TREMPLIN", "CAP")]


def conversion(files: QuerySet) -> list[Row]:
    """Of the organisations that submitted to a programme, the share that later submitted to
    the next one on the path (Start IA → Tremplin IA → Cap IA)."""
    from companies.models import Organisation

    rows = []
    for first, then in PATH:
        started = Organisation.objects.filter(
            pk__in=files.filter(programme__code=first).values("organisation_id")
        )
        n = started.count()
        if not n:
            continue
        moved = started.filter(
            pk__in=files.filter(programme__code=then).values("organisation_id")
        ).count()
        rows.append(
            Row(
                Indicator.CONVERSION,
                D.ALL,
                f"{first}>{then}",
                (Decimal(moved) / n).quantize(Decimal("0.0001")),
                Decimal(moved),
                Decimal(n),
                n,
            )
        )
    return rows


def compute(as_of: date) -> list[Row]:
    files = Application.objects.filter(submitted_at__isnull=False)
    request_rows = requests(files)
    return [
        *request_rows,
        *request_growth(request_rows),
        *completed(files),
        *organisations_supported(files),
        *recognised_experts(as_of),
        *surveys(files),
        *acceptance(files),
        *processing_times(files),
        *backlog(files, as_of),
        *conversion(files),
    ]
