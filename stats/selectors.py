"""Reads: dashboards read the latest snapshot only (two small queries, whatever the number of
files), and the runs.

Public pages read it through `latest_snapshot(public=True)`: every figure computed from fewer
than SMALL_CELL organisations reaches them without its numbers (docs/domain.md, Outcomes and
indicators), so no chart, table, CSV or API answer built from it can show one."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, QuerySet

from applications.models import ApplicationEvent
from programs.models import Call

from .models import IndicatorValue, SnapshotRun

SMALL_CELL = 5  # a public figure describing fewer organisations is shown as "< 5"


@dataclass(frozen=True)
class Figure:
    """One number of a snapshot, as the dashboards read it. `hidden`: withheld from the public
    (its value, numerator and denominator are None)."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    organisations: int | None = None
    hidden: bool = False


def publishable(organisations: int | None) -> bool:
    """The one rule of every public figure, chart and table cell, CSV and API value
    (docs/domain.md, Outcomes and indicators): computed from at least SMALL_CELL organisations. A figure whose organisations are not
    counted (processing times, backlog) is never public."""
    return organisations is not None and organisations >= SMALL_CELL


@dataclass
class Snapshot:
    as_of: object = None
    computed_at: object = None
    values: dict = field(default_factory=lambda: defaultdict(dict))
    public: bool = False

    def get(self, indicator: str, dimension: str = "all", key: str = "all") -> Figure | None:
        return self.values[(indicator, dimension)].get(key)

    def value(self, indicator: str, dimension: str = "all", key: str = "all") -> Decimal | None:
        """The figure, or None when there is none or it is hidden (see `hidden`)."""
        figure = self.get(indicator, dimension, key)
        return figure.value if figure else None

    def hidden(self, indicator: str, dimension: str = "all", key: str = "all") -> bool:
        figure = self.get(indicator, dimension, key)
        return figure is not None and figure.hidden

    def series(self, indicator: str, dimension: str) -> dict[str, Figure]:
        return self.values[(indicator, dimension)]


COLUMNS = ("indicator", "dimension", "key", "value", "numerator", "denominator", "organisations")


def _latest_day():
    return IndicatorValue.objects.order_by("-as_of").values_list("as_of", flat=True).first()


def latest_snapshot(*, public: bool = False) -> Snapshot:
    """The latest snapshot; `public`: as the public may see it (small cells hidden)."""
    snapshot = Snapshot(public=public)
    latest = _latest_day()
    if latest is None:
        return snapshot
    snapshot.as_of = latest
    rows = IndicatorValue.objects.filter(as_of=latest).values_list(*COLUMNS, "computed_at")
    for indicator, dimension, key, value, numerator, denominator, organisations, at in rows:
        if public and not publishable(organisations):
            figure = Figure(None, organisations=None, hidden=True)
        else:
            figure = Figure(value, numerator, denominator, organisations)
        snapshot.values[(indicator, dimension)][key] = figure
        snapshot.computed_at = max(filter(None, [snapshot.computed_at, at]))
    return snapshot


def recent_runs(limit: int = 5):
    return SnapshotRun.objects.all()[:limit]


def latest_values(*, indicator: str | None = None, dimension: str | None = None) -> QuerySet:
    """Every stored value of the latest snapshot (for staff: small cells too), of one
    indicator or dimension when asked."""
    latest = _latest_day()
    if latest is None:
        return IndicatorValue.objects.none()
    rows = IndicatorValue.objects.filter(as_of=latest)
    if indicator:
        rows = rows.filter(indicator=indicator)
    if dimension:
        rows = rows.filter(dimension=dimension)
    return rows.order_by("indicator", "dimension", "key")


def files_changed_since_last_run() -> bool:
    """Debounce: the per-minute check recomputes only if a file moved since the last run
    started (a batch of 50 decisions triggers one run)."""
    last = SnapshotRun.objects.filter(state=SnapshotRun.State.SUCCEEDED).aggregate(
        at=Max("started_at")
    )["at"]
    latest_change = ApplicationEvent.objects.aggregate(at=Max("at"))["at"]
    return latest_change is not None and (last is None or latest_change > last)


def call_labels(ids: list[int]) -> dict[int, str]:
    """{call id: how lists name it}, for the calls a snapshot's money figures name (one
    query whatever their number)."""
    calls = Call.objects.filter(pk__in=ids).select_related("programme")
    return {call.pk: call.label for call in calls}
