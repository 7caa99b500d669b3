"""The hand-made histories of tests/stats/dataset.py, as fixtures."""

import pytest

from applications.workflow import Status
from stats import services
from stats.models import SnapshotRun
from stats.selectors import latest_snapshot

from .dataset import add_file, build


@pytest.fixture
def files(db):
    return build()


@pytest.fixture
def snapshot(files):
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    return latest_snapshot()


@pytest.fixture
def crowded(files):
    """The data set, and organisations with several files: in one cell, across years, across
    programmes (the distinct-organisation counts must not count them twice)."""
    reviewer = files[0].created_by
    first, second, third = (files[i].organisation for i in (1, 3, 0))
    survey = (1000, 2500, True, False, True)
    more = [
        add_file(first, "START", 2023, Status.REJECTED, None, reviewer, "x1", 20),
        add_file(first, "START", 2024, Status.COMPLETED, survey, reviewer, "x2", 21),
        add_file(first, "TREMPLIN", 2025, Status.IN_PROGRESS, None, reviewer, "x3", 22),
        add_file(first, "CAP", 2025, Status.WITHDRAWN, None, reviewer, "x4", 23),
        add_file(second, "START", 2024, Status.INELIGIBLE, None, reviewer, "x5", 24),
        add_file(second, "CAP", 2023, Status.COMPLETED, survey, reviewer, "x6", 25),
        add_file(third, "CAP", 2025, Status.REJECTED, None, reviewer, "x7", 26),
    ]
    return files + more
