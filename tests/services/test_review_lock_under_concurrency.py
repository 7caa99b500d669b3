"""Reviews under real concurrency on PostgreSQL (docs/domain.md, Reviews): a submitted review
is locked even against a save racing its submission, and a review form's version is frozen by
the first review that answers it even while a manager changes it at the same moment."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from applications import services
from applications.models import Application, Review, Score
from applications.workflow import Status
from programs import services as programs_services
from programs.models import Call, ScoringCriterion
from tests.fixtures.staff import staff, submitted_file


def race(workers: int, action) -> list:
    """Run `action(n)` in `workers` threads, each with its database connection already open,
    released together. Returns what each returned or raised."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers

    def run(n: int) -> None:
        try:
            connection.ensure_connection()  # connecting takes longer than the race itself
            barrier.wait(timeout=10)
            results[n] = action(n)
        except Exception as error:  # a refusal is one of the expected outcomes
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("savers", [1, 5])
def test_a_save_racing_the_submission_never_changes_the_submitted_review(savers):
    """The submission's transaction stays open while other tabs save: they wait for it, then
    find the review submitted. (Without the review's row lock they would read it as a draft,
    wait on its scores' rows, then write their draft over the submitted review.)"""
    assert connection.vendor == "postgresql"
    reviewer = staff("reviewer", "START")
    application = submitted_file(status=Status.UNDER_REVIEW)
    criteria = list(application.call.criteria.order_by("pk"))
    services.review_open(application=application, reviewer=reviewer)
    services.review_save(  # a draft saved earlier: the race is on its rows
        application=application, reviewer=reviewer, scores={c.pk: (2, "") for c in criteria}
    )
    submitted = {c.pk: (5, "soumis") for c in criteria}
    submitting = threading.Event()

    def act(n: int):
        fresh = Application.objects.get(pk=application.pk)
        if n == 0:
            with transaction.atomic():
                review = services.review_save(
                    application=fresh,
                    reviewer=reviewer,
                    scores=submitted,
                    recommendation="fund",
                    submit=True,
                )
                submitting.set()
                time.sleep(0.5)  # the other tabs' saves start meanwhile
            return review
        submitting.wait(timeout=10)
        return services.review_save(
            application=fresh,
            reviewer=reviewer,
            scores={c.pk: (1, f"brouillon {n}") for c in criteria},
        )

    results = race(savers + 1, act)

    assert isinstance(results[0], Review), results[0]
    assert all(isinstance(r, services.ReviewLocked) for r in results[1:]), results
    review = Review.objects.get(application=application, reviewer=reviewer)
    assert review.status == Review.Status.SUBMITTED
    stored = {s.criterion_id: (s.value, s.comment) for s in Score.objects.filter(review=review)}
    assert stored == submitted


def test_a_manager_changing_the_form_as_a_first_review_is_saved_never_changes_its_criteria():
    """The first review's transaction freezes the form's version under the call's lock and
    stays open while a manager saves a change: the change waits, then makes version 2. (Read
    without the lock, the version would look unanswered and be changed in place, under the
    review's feet.)"""
    assert connection.vendor == "postgresql"
    reviewer = staff("reviewer", "START")
    manager = staff("programme manager", "START")
    application = submitted_file(status=Status.UNDER_REVIEW)
    call = application.call
    criteria = list(ScoringCriterion.objects.filter(call=call).order_by("pk"))
    services.review_open(application=application, reviewer=reviewer)
    entries = [
        {
            "id": c.pk,
            "label_fr": c.label_fr,
            "scale_min": 0,
            "scale_max": 5,
            "weight": Decimal("7"),
            "position": c.position,
        }
        for c in criteria
    ]
    reviewing = threading.Event()

    def act(n: int):
        if n == 0:
            with transaction.atomic():
                review = services.review_save(
                    application=Application.objects.get(pk=application.pk),
                    reviewer=reviewer,
                    scores={c.pk: (4, "") for c in criteria},
                    recommendation="fund",
                    submit=True,
                )
                reviewing.set()
                time.sleep(0.5)  # the manager's change starts meanwhile
            return review
        reviewing.wait(timeout=10)
        return programs_services.review_criteria_save(
            call=Call.objects.get(pk=call.pk), entries=entries, by=manager
        )

    results = race(2, act)
    assert not [r for r in results if isinstance(r, Exception)], results

    call.refresh_from_db()
    assert call.review_version == 2
    review = Review.objects.get(application=application)
    answered = Score.objects.filter(review=review).select_related("criterion")
    assert {s.criterion.weight for s in answered} == {c.weight for c in criteria}
    total = sum(s.value * s.criterion.weight for s in answered)
    assert Decimal(application.events.get(kind="review").comment) == total
    current = ScoringCriterion.objects.filter(call=call, version=2)
    assert {c.weight for c in current} == {Decimal("7")}
