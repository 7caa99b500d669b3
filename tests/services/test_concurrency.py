"""Real concurrency on PostgreSQL: several managers deciding the same file at the same moment."""

import threading

import pytest
from django.db import connection

from applications import services
from applications.models import Application, ApplicationEvent
from applications.workflow import Status
from tests.fixtures.staff import staff, submitted_file

# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(workers: int, action) -> list:
    """Run `action(n)` in `workers` threads released together; each thread has its own
    database connection. Returns what each returned or raised."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[n] = action(n)
        except Exception as error:  # the loser's refusal is the expected outcome
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("managers", [2, 10])
def test_concurrent_decisions_on_one_file_record_exactly_one(managers):
    assert connection.vendor == "postgresql"
    deciders = [staff("programme manager", "START") for _ in range(managers)]
    reviewer = staff("reviewer", "START")
    application = submitted_file(status=Status.UNDER_REVIEW)
    criteria = list(application.call.criteria.all())
    services.application_score(
        application=application, reviewer=reviewer, scores={c.pk: (4, "") for c in criteria}
    )
    decisions = [Status.SELECTED if n % 2 == 0 else Status.REJECTED for n in range(managers)]

    results = race(
        managers,
        lambda n: services.application_decide(
            application=Application.objects.get(pk=application.pk),
            decision=decisions[n],
            by=deciders[n],
            expected_status=Status.UNDER_REVIEW,
        ),
    )

    winners = [r for r in results if isinstance(r, Application)]
    losers = [r for r in results if isinstance(r, services.ApplicationError)]
    assert len(winners) == 1 and len(losers) == managers - 1, results
    application.refresh_from_db()
    decided = ApplicationEvent.objects.filter(
        application=application, kind="transition", from_status=Status.UNDER_REVIEW
    )
    assert decided.count() == 1
    assert application.status == decided.get().to_status
    assert application.messages.count() == 1  # one decision message to the applicant


def test_concurrent_submissions_of_one_draft_give_one_reference():
    from applications.services import application_save_step, application_start
    from applications.steps import steps_for
    from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, make_member
    from tests.fixtures.applicants import DECLARATIONS, START_STEPS

    organisation = OrganisationFactory()
    applicant = make_member(organisation)
    call = CallFactory(eligibility_rules=[], form_sections=["challenges"])
    ExpertFactory()
    draft = application_start(call=call, organisation=organisation, by=applicant)
    for step in steps_for(call):
        form = step.form_class(START_STEPS.get(step.slug, {}), application=draft)
        assert form.is_valid(), form.errors
        draft = application_save_step(
            application=draft,
            step=step,
            cleaned=form.cleaned_data,
            raw={},
            version=draft.version,
            by=applicant,
        )

    results = race(
        5,
        lambda n: services.application_submit(
            application=Application.objects.get(pk=draft.pk),
            by=applicant,
            declarations=DECLARATIONS,
        ),
    )

    assert all(isinstance(r, Application) for r in results), results
    assert {r.reference for r in results} == {f"START-{results[0].submitted_at.year}-0001"}
    assert (
        ApplicationEvent.objects.filter(application=draft, to_status=Status.SUBMITTED).count() == 1
    )
