"""Running a snapshot: compute in SQL, then store the day's rows in one transaction. A failed
run changes nothing but its own record; overlapping runs upsert the same keys."""

import logging

from django.db import transaction
from django.utils import timezone

from adn_portal.lib.page_cache import bump

from .computation import compute
from .models import IndicatorValue, SnapshotRun

logger = logging.getLogger(__name__)
SNAPSHOT_VERSION_KEY = "stats:snapshot-version"


def snapshot_run(*, trigger: str, run: SnapshotRun | None = None) -> SnapshotRun:
    run = run or SnapshotRun.objects.create(trigger=trigger)
    as_of = timezone.localdate()
    try:
        rows = compute(as_of)
        computed_at = timezone.now()
        with transaction.atomic():
            IndicatorValue.objects.bulk_create(
                [
                    IndicatorValue(
                        as_of=as_of,
                        indicator=r.indicator,
                        dimension=r.dimension,
                        key=r.key,
                        value=r.value,
                        numerator=r.numerator,
                        denominator=r.denominator,
                        organisations=r.organisations,
                        computed_at=computed_at,
                    )
                    for r in rows
                ],
                update_conflicts=True,
                unique_fields=["as_of", "indicator", "dimension", "key"],
                update_fields=["value", "numerator", "denominator", "organisations", "computed_at"],
                batch_size=1000,
            )
            # Keys that no longer exist (a breakdown emptied since the last run that day).
            IndicatorValue.objects.filter(as_of=as_of, computed_at__lt=computed_at).delete()
    except Exception as error:
        logger.exception("Indicator snapshot failed")
        SnapshotRun.objects.filter(pk=run.pk).update(
            state=SnapshotRun.State.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
        )
        raise
    bump(SNAPSHOT_VERSION_KEY)  # the public pages show the new figures
    SnapshotRun.objects.filter(pk=run.pk).update(
        state=SnapshotRun.State.SUCCEEDED,
        as_of=as_of,
        values_written=len(rows),
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


def snapshot_request(*, trigger: str) -> SnapshotRun:
    """Ask a worker for a run now (the dashboard's button); the run row shows its progress."""
    from .tasks import compute_indicators

    run = SnapshotRun.objects.create(trigger=trigger)
    transaction.on_commit(lambda: compute_indicators.delay(run_id=run.pk))
    return run
