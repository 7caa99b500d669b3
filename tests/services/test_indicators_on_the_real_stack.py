import threading

import pytest
from django.db import connection, transaction

from applications.models import OutcomeReport
from stats import computation, services
from stats.models import IndicatorValue, SnapshotRun
from tests.stats.dataset import build, counted_by_hand, files_now, stored_file_and_survey_figures

from .stack import wait_until
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


def test_a_change_committed_during_a_computation_is_in_the_next_snapshot(monkeypatch):
    """A writer that began before a computation and commits while it runs: whatever that
    computation saw of it, the next snapshot has it."""
    files = build()
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    slow_writer, quick_writer = files[0], files[1]  # two surveys, two organisations
    written, go = threading.Event(), threading.Event()

    def write_slowly() -> None:
        try:
            with transaction.atomic():  # written now, committed later
                OutcomeReport.objects.filter(application=slow_writer).update(would_recommend=False)
                written.set()
                go.wait(timeout=10)
        finally:
            connection.close()

    writer = threading.Thread(target=write_slowly)
    writer.start()
    assert written.wait(timeout=10)
    OutcomeReport.objects.filter(application=quick_writer).update(improved_quality=False)

    survey_indicators = computation.survey_indicators

    def commit_meanwhile(*args):
        go.set()  # the slow writer commits while the computation runs
        writer.join(timeout=10)
        return survey_indicators(*args)

    monkeypatch.setattr(computation, "survey_indicators", commit_meanwhile)
    services.snapshot_run(trigger=SnapshotRun.Trigger.CHANGE)
    monkeypatch.undo()
    services.snapshot_run(trigger=SnapshotRun.Trigger.CHANGE)
    assert stored_file_and_survey_figures() == counted_by_hand(files_now())
