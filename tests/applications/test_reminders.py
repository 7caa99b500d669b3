"""The daily reminders (applications/services/reminders.py, beat task
applications.tasks.send_reminders): drafts before their call closes, overdue reviews (the
reviewer, then the managers). Each goes once, and never for a file that no longer needs it.
Unanswered requests for information: test_information_reminders.py. On the real stack with a
live worker (beat twice, a worker killed mid-run): tests/services/test_reminders_once.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from adn_portal.accounts.models import Notification, NotificationKind, ReminderClaim
from adn_portal.mailer.models import OutgoingEmail
from applications import services, tasks
from applications.models import Application, Assignment
from applications.workflow import Status
from tests.factories import CallFactory, OrganisationFactory, UserFactory, make_member
from tests.fixtures.staff import review, staff, submitted_file

pytestmark = pytest.mark.django_db


def reminders_to(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=NotificationKind.REMINDER))


def draft_closing_in(days: float, *, language: str = "en") -> Application:
    call = CallFactory(closes_at=timezone.now() + timedelta(days=days))
    organisation = OrganisationFactory()
    applicant = make_member(organisation, UserFactory(language=language))
    return Application.objects.create(
        call=call, programme=call.programme, organisation=organisation, created_by=applicant
    )


def test_a_draft_is_reminded_a_week_then_a_day_before_its_call_closes_once_each():
    draft = draft_closing_in(6.9)
    colleague = make_member(draft.organisation)
    now = timezone.now()

    assert services.drafts_remind(now=now) == 1
    assert services.drafts_remind(now=now) == 0  # beat again the same day: nobody twice
    assert services.drafts_remind(now=now + timedelta(days=3)) == 0  # still the week's
    assert services.drafts_remind(now=now + timedelta(days=6, hours=12)) == 1  # the day's
    assert services.drafts_remind(now=now + timedelta(days=6, hours=13)) == 0

    assert len(reminders_to(draft.created_by)) == len(reminders_to(colleague)) == 2
    email = OutgoingEmail.objects.filter(to=draft.created_by.email).first()
    assert email.subject.startswith("Your draft application to Start IA is not submitted yet")
    assert f"/dossiers/{draft.pk}/" in email.body
    assert set(ReminderClaim.objects.values_list("kind", flat=True)) == {
        "draft_deadline_7",
        "draft_deadline_1",
    }


def test_a_draft_submitted_deleted_or_far_from_its_deadline_is_not_reminded():
    submitted = draft_closing_in(2)
    Application.objects.filter(pk=submitted.pk).update(
        status=Status.SUBMITTED, reference="START-2026-0900"
    )
    draft_closing_in(9)  # not yet
    closed = draft_closing_in(1)
    closed.call.closes_at = timezone.now() - timedelta(minutes=1)
    closed.call.save(update_fields=["closes_at"])

    assert services.drafts_remind() == 0
    assert not Notification.objects.exists()


def test_a_deadline_moved_later_gets_its_own_reminder():
    draft = draft_closing_in(1)
    now = timezone.now()
    assert services.drafts_remind(now=now) == 1
    draft.call.closes_at += timedelta(days=20)
    draft.call.save(update_fields=["closes_at"])

    assert services.drafts_remind(now=now + timedelta(days=14)) == 1  # the new deadline's week
    assert len(reminders_to(draft.created_by)) == 2


def overdue_review(days_ago: int):
    application = submitted_file(status=Status.UNDER_REVIEW)
    manager = staff("programme manager", "START", language="en")
    reviewer = staff("reviewer", "START", language="en")
    assignment = services.application_assign(application=application, reviewer=reviewer, by=manager)
    Assignment.objects.filter(pk=assignment.pk).update(
        assigned_at=timezone.now() - timedelta(days=days_ago)
    )
    Notification.objects.all().delete()  # the assignment's: each test counts its own
    OutgoingEmail.objects.all().delete()
    return application, reviewer, manager


def test_an_overdue_review_goes_to_the_reviewer_then_to_the_managers(settings):
    settings.REVIEW_DUE_DAYS, settings.REVIEW_ESCALATION_DAYS = 14, 7
    application, reviewer, manager = overdue_review(days_ago=15)
    now = timezone.now()

    assert services.reviews_remind(now=now) == 1
    assert services.reviews_remind(now=now) == 0
    assert len(reminders_to(reviewer)) == 1 and reminders_to(manager) == []
    email = OutgoingEmail.objects.get(to=reviewer.email)
    assert email.subject.startswith(f"Your review of the file {application.reference} was due")

    assert services.reviews_remind(now=now + timedelta(days=6)) == 1  # a week after it was due
    assert len(reminders_to(manager)) == 1 and len(reminders_to(reviewer)) == 1
    assert services.reviews_remind(now=now + timedelta(days=7)) == 0


def test_a_scored_reassigned_or_decided_review_is_not_reminded(settings):
    settings.REVIEW_DUE_DAYS = 14
    scored, reviewer, _manager = overdue_review(days_ago=20)
    review(scored, reviewer, 3)
    ended, _reviewer, _manager = overdue_review(days_ago=20)
    Assignment.objects.filter(application=ended).update(ended_at=timezone.now())
    decided, _reviewer, _manager = overdue_review(days_ago=20)
    Application.objects.filter(pk=decided.pk).update(status=Status.REJECTED)

    assert services.reviews_remind() == 0
    assert not Notification.objects.exists()


def test_the_daily_task_runs_every_reminder():
    draft = draft_closing_in(1)

    sent = tasks.send_reminders.run()

    assert sent == {"drafts": 1, "information_requests": 0, "reviews": 0}
    assert len(reminders_to(draft.created_by)) == 1


def test_one_kind_of_reminder_failing_does_not_keep_the_others_from_going(monkeypatch):
    draft = draft_closing_in(1)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(services.reminders.REMINDERS, "information_requests", broken)

    with pytest.raises(RuntimeError, match="information_requests"):
        tasks.send_reminders.run()
    assert len(reminders_to(draft.created_by)) == 1
