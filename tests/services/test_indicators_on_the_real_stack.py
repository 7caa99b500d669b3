import pytest
from django.db import transaction

from stats import services
from stats.models import IndicatorValue, SnapshotRun
from tests.stats.dataset import build

from .conftest import wait_until
from .test_concurrency import race

# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_live_worker_computes_the_snapshot_asked_from_the_dashboard(live_worker):
    build()
    with transaction.atomic():
        run = services.snapshot_request(trigger=SnapshotRun.Trigger.MANUAL)

    def done() -> bool:
        run.refresh_from_db()
        return run.state != SnapshotRun.State.RUNNING

    assert wait_until(done, timeout=60), live_worker.log.read_text()
    assert run.state == SnapshotRun.State.SUCCEEDED, run.error
    assert IndicatorValue.objects.get(indicator="requests", dimension="all").value == 12


def test_two_runs_at_once_give_one_identical_snapshot():
    build()
    results = race(2, lambda n: services.snapshot_run(trigger=SnapshotRun.Trigger.SCHEDULE))
    assert all(isinstance(r, SnapshotRun) and r.state == "succeeded" for r in results), results
    keys = list(IndicatorValue.objects.values_list("as_of", "indicator", "dimension", "key"))
    assert len(keys) == len(set(keys))
    assert IndicatorValue.objects.get(indicator="requests", dimension="all").value == 12
