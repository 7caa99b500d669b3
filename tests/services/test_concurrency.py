"""Real concurrency on PostgreSQL: several managers deciding the same file at the same moment."""

import threading

import pytest
from django.db import connection

from applications import services
from applications.models import Application, ApplicationEvent
from applications.workflow import Status
from tests.fixtures.staff import review, staff, submitted_file

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
    review(application, reviewer, 4)
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


def ready_draft(call=None) -> Application:
    """A Start IA draft of a new organisation with every step saved, ready to submit."""
    from applications.services import application_save_step, application_start
    from applications.steps import steps_for
    from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, make_member
    from tests.fixtures.applicants import START_STEPS

    organisation = OrganisationFactory()
    applicant = make_member(organisation)
    call = call or CallFactory(eligibility_rules=[], form_sections=["challenges"])
    if not ExpertFactory._meta.model.objects.exists():
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
    return draft


def test_concurrent_submissions_of_one_draft_give_one_reference():
    from tests.fixtures.applicants import DECLARATIONS

    draft = ready_draft()
    applicant = draft.created_by

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


def test_concurrent_submissions_of_many_files_number_them_without_gap_or_duplicate():
    """The programme-year's counter is taken last in each submission (issue 23): files
    submitted at the same moment, one of them refused by its checks after the others began,
    still get 1..n, each acknowledgement with its own file's reference."""
    from adn_portal.mailer.models import OutgoingEmail
    from tests.fixtures.applicants import DECLARATIONS

    drafts = [ready_draft() for _ in range(8)]
    refused = drafts[5]
    refused.organisation.postcode, refused.organisation.province = "1000", "outside"
    refused.organisation.save()
    refused.call.eligibility_rules = ["walloon_seat"]
    refused.call.save()

    results = race(
        len(drafts),
        lambda n: services.application_submit(
            application=Application.objects.get(pk=drafts[n].pk),
            by=drafts[n].created_by,
            declarations=DECLARATIONS,
        ),
    )

    assert isinstance(results[5], services.SubmissionRefused), results[5]
    submitted = [r for r in results if isinstance(r, Application)]
    assert len(submitted) == len(drafts) - 1, results
    year = submitted[0].submitted_at.year
    assert sorted(r.reference for r in submitted) == [
        f"START-{year}-{n:04d}" for n in range(1, len(drafts))
    ]
    for application in submitted:
        acknowledgement = OutgoingEmail.objects.get(to=application.created_by.email)
        assert application.reference in acknowledgement.subject
        assert application.reference in acknowledgement.body
        assert application.messages.get().body == acknowledgement.body
    assert Application.objects.get(pk=refused.pk).reference is None
