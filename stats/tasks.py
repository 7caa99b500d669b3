from celery import shared_task

from . import selectors, services
from .models import SnapshotRun


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=600)
def compute_indicators(
    run_id: int | None = None, trigger: str = SnapshotRun.Trigger.SCHEDULE
) -> int:
    """Safe to run twice or at the same time as another: the day's snapshot is upserted."""
    run = SnapshotRun.objects.filter(pk=run_id).first() if run_id else None
    return services.snapshot_run(trigger=trigger, run=run).values_written


@shared_task
def recompute_if_files_changed() -> bool:
    if selectors.files_changed_since_last_run():
        services.snapshot_run(trigger=SnapshotRun.Trigger.CHANGE)
        return True
    return False
