"""Dashboards read the latest snapshot only: two small queries, whatever the number of files."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .models import IndicatorValue, SnapshotRun

SMALL_CELL = 5  # a public breakdown describing fewer organisations is not published


@dataclass
class Snapshot:
    as_of: object = None
    computed_at: object = None
    values: dict = field(default_factory=lambda: defaultdict(dict))

    def get(
        self, indicator: str, dimension: str = "all", key: str = "all"
    ) -> IndicatorValue | None:
        return self.values[(indicator, dimension)].get(key)

    def value(self, indicator: str, dimension: str = "all", key: str = "all") -> Decimal | None:
        row = self.get(indicator, dimension, key)
        return row.value if row else None

    def series(self, indicator: str, dimension: str) -> dict[str, IndicatorValue]:
        return self.values[(indicator, dimension)]


def latest_snapshot() -> Snapshot:
    snapshot = Snapshot()
    latest = IndicatorValue.objects.order_by("-as_of").values_list("as_of", flat=True).first()
    if latest is None:
        return snapshot
    snapshot.as_of = latest
    for row in IndicatorValue.objects.filter(as_of=latest):
        snapshot.values[(row.indicator, row.dimension)][row.key] = row
        snapshot.computed_at = max(filter(None, [snapshot.computed_at, row.computed_at]))
    return snapshot


def recent_runs(limit: int = 5):
    return SnapshotRun.objects.all()[:limit]


def publishable(row: IndicatorValue | None) -> bool:
    return row is not None and (row.organisations is None or row.organisations >= SMALL_CELL)
