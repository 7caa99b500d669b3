"""Every task of the beat schedule (CELERY_BEAT_SCHEDULE), sent through Redis to a live worker
process on PostgreSQL, as beat sends it, on real data: each does its work. A new entry of the
schedule without a scenario here fails."""

import shutil
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from adn_portal.accounts.models import (
    AuditEvent,
    Delivery,
    IdempotencyKey,
    NotificationKind,
    NotificationPreference,
    RecordCheck,
)
from adn_portal.accounts.notifications.services import notification_send
from adn_portal.celery import app as celery_app
from adn_portal.mailer import tasks as mailer_tasks
from adn_portal.mailer.models import OutgoingEmail
from adn_portal.mailer.services import email_queue
from applications import services as application_services
from applications.models import (
    ApplicantMessage,
    Application,
    Assignment,
    FollowUpSurvey,
    Milestone,
)
from applications.workflow import Actor, Status
from companies.models import Expert, RegisteredEnterprise
from companies.workflow import RecognitionStatus
from stats.computation import compute
from stats.models import IndicatorValue, SnapshotRun
from tests.companies.kbo_extracts import Enterprise, full_extract
from tests.factories import (
    CallFactory,
    ExpertFactory,
    OrganisationFactory,
    UserFactory,
    make_member,
)
from tests.fixtures.after_selection import manager_of, signed_file, tremplin_call
from tests.fixtures.staff import staff, submitted_file
from tests.stats.dataset import build

from .stack import ROOT, LiveWorker, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@dataclass
class Scenario:
    arrange: Any  # () -> state
    done: Any  # (state) -> bool: the task's effect is there


def _snapshot_matches_the_data(trigger: str):
    def done(_state) -> bool:
        run = SnapshotRun.objects.filter(trigger=trigger).first()
        if run is None or run.state != SnapshotRun.State.SUCCEEDED:
            return False
        stored = {
            (v.indicator, v.dimension, v.key): v.value
            for v in IndicatorValue.objects.filter(as_of=run.as_of)
        }
        expected = {(r.indicator, r.dimension, r.key): r.value for r in compute(run.as_of)}
        return bool(expected) and stored == expected

    return done


def _expired_recognition():
    return ExpertFactory(recognised_until=timezone.localdate() - timedelta(days=1))


def _recognition_ending_soon():
    owner = UserFactory(language="de")
    expert = ExpertFactory(recognised_until=timezone.localdate() + timedelta(days=30))
    make_member(expert.organisation, owner)
    return expert, owner


def _renewal_reminded(state) -> bool:
    expert, owner = state
    expert.refresh_from_db()
    return (
        expert.reminder_sent_for == expert.recognised_until
        and OutgoingEmail.objects.filter(to=owner.email, sent_at__isnull=False).count() == 1
    )


def _information_request_due_tomorrow():
    applicant = make_member(OrganisationFactory(), UserFactory(language="en"))
    application = submitted_file(
        applicant=applicant, organisation=applicant.memberships.get().organisation
    )
    with transaction.atomic():
        application_services.application_request_information(
            application=application,
            by=staff("reviewer", "START"),
            actor=Actor.REVIEWER,
            message="Please attach your financial plan.",
            due_date=timezone.localdate() + timedelta(days=1),
        )
    return application, applicant


def _information_request_reminded(state) -> bool:
    application, applicant = state
    request = ApplicantMessage.objects.get(application=application, kind="info_request")
    reminder = OutgoingEmail.objects.filter(
        to=applicant.email, subject__contains="Reminder", sent_at__isnull=False
    )
    return request.reminded_at is not None and reminder.count() == 1


def _one_of_each_reminder():
    """A draft whose call closes tomorrow, a request for information due tomorrow, a review
    overdue: the daily reminders' task sends each."""
    call = CallFactory(closes_at=timezone.now() + timedelta(hours=20))
    organisation = OrganisationFactory()
    drafter = make_member(organisation, UserFactory(language="en"))
    Application.objects.create(
        call=call, programme=call.programme, organisation=organisation, created_by=drafter
    )
    reviewing = submitted_file(status=Status.UNDER_REVIEW)
    reviewer = staff("reviewer", "START", language="en")
    with transaction.atomic():
        assignment = application_services.application_assign(
            application=reviewing, reviewer=reviewer, by=staff("programme manager", "START")
        )
    Assignment.objects.filter(pk=assignment.pk).update(
        assigned_at=timezone.now() - timedelta(days=settings.REVIEW_DUE_DAYS + 1)
    )
    return _information_request_due_tomorrow(), drafter, reviewer


def _each_reminded(state) -> bool:
    information_request, drafter, reviewer = state
    return (
        _information_request_reminded(information_request)
        and OutgoingEmail.objects.filter(
            to=drafter.email, subject__startswith="Your draft", sent_at__isnull=False
        ).count()
        == 1
        and OutgoingEmail.objects.filter(
            to=reviewer.email, subject__startswith="Your review", sent_at__isnull=False
        ).count()
        == 1
    )


def _notifications_for_the_digest():
    person = UserFactory(language="en")
    NotificationPreference.objects.create(
        user=person, kind=NotificationKind.MESSAGE, delivery=Delivery.DIGEST
    )
    with transaction.atomic():
        notification_send(
            recipients=[person],
            kind=NotificationKind.MESSAGE,
            text="New message on the file %(reference)s.",
            params={"reference": "START-2026-0042"},
            url="/dossiers/",
        )
    return person


def _digest_sent(person) -> bool:
    digest = OutgoingEmail.objects.filter(
        to=person.email, subject__startswith="Your ADN Portal notifications", sent_at__isnull=False
    )
    return digest.count() == 1 and "START-2026-0042" in digest.get().body


def _email_whose_task_was_lost():
    with mock.patch.object(mailer_tasks.send_outgoing_email, "delay"), transaction.atomic():
        email = email_queue(to="julie@pme.be", subject="Accusé de réception", body="Bonjour")
    OutgoingEmail.objects.filter(pk=email.pk).update(
        dispatched_at=timezone.now() - timedelta(minutes=1)
    )
    return email


def _audit_event_changed_behind_the_portal():
    from adn_portal.accounts.audit import audit

    events = [audit(AuditEvent.Action.LOGIN, user=UserFactory()) for _ in range(3)]
    submitted_file()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET path = '/x/' WHERE id = %s", [events[1].pk])
    return events[1]


def _verification_found(event) -> bool:
    check = RecordCheck.objects.filter(
        trigger=RecordCheck.Trigger.SCHEDULE, finished_at__isnull=False
    ).first()
    found = {"chain": "audit", "seq": event.chain_seq, "event": event.pk, "reason": "changed"}
    return check is not None and check.intact is False and check.breaks == [found]


def _milestone_due_soon():
    """A signed agreement's final report due within the reminder's horizon."""
    application = signed_file(tremplin_call(), manager=manager_of("TREMPLIN"))
    milestone = Milestone.objects.get(application=application, kind=Milestone.Kind.FINAL_REPORT)
    Milestone.objects.filter(pk=milestone.pk).update(
        due_on=timezone.localdate() + timedelta(days=settings.MILESTONE_REMINDER_DAYS - 1)
    )
    return milestone


def _milestone_reminded(milestone) -> bool:
    reminded = Milestone.objects.get(pk=milestone.pk).reminded_at is not None
    mailed = OutgoingEmail.objects.filter(
        to=milestone.application.created_by.email, sent_at__isnull=False
    )
    return reminded and mailed.exists()


def _file_completed_a_year_ago():
    return submitted_file(
        status=Status.COMPLETED,
        completed_at=timezone.now() - timedelta(days=settings.FOLLOW_UP_SURVEY_DAYS + 1),
    )


def _survey_sent(application) -> bool:
    mailed = OutgoingEmail.objects.filter(to=application.created_by.email, sent_at__isnull=False)
    return FollowUpSurvey.objects.filter(application=application).exists() and mailed.exists()


# The worker reads the register's extracts from here (KBO_EXTRACTS_DIR); empty but for the
# register's scenario.
KBO_FOLDER = ROOT / "var" / "beat-kbo-extracts"
REGISTERED = "0202.239.951"


def _register_extract_in_the_folder():
    full_extract(
        KBO_FOLDER,
        number=1,
        snapshot=timezone.localdate(),
        enterprises=[Enterprise(REGISTERED, names=[("1", "001", "Boulangerie Wéry")])],
    )
    return REGISTERED


def _register_loaded(number) -> bool:
    return RegisteredEnterprise.objects.filter(number=number.replace(".", "")).exists()


def _expired_idempotency_key():
    return IdempotencyKey.objects.create(
        user=UserFactory(),
        key="retry-1",
        scope="0" * 64,
        fingerprint="0" * 64,
        status_code=204,
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=1),
    )


SCENARIOS = {
    "adn_portal.accounts.tasks.purge_idempotency_keys": Scenario(
        arrange=_expired_idempotency_key,
        done=lambda key: not IdempotencyKey.objects.filter(pk=key.pk).exists(),
    ),
    "stats.tasks.compute_indicators": Scenario(
        arrange=build, done=_snapshot_matches_the_data(SnapshotRun.Trigger.SCHEDULE)
    ),
    "stats.tasks.recompute_if_files_changed": Scenario(
        arrange=build, done=_snapshot_matches_the_data(SnapshotRun.Trigger.CHANGE)
    ),
    "companies.tasks.expire_recognitions": Scenario(
        arrange=_expired_recognition,
        done=lambda expert: Expert.objects.get(pk=expert.pk).status == RecognitionStatus.EXPIRED,
    ),
    "companies.tasks.send_renewal_reminders": Scenario(
        arrange=_recognition_ending_soon, done=_renewal_reminded
    ),
    "applications.tasks.verify_records": Scenario(
        arrange=_audit_event_changed_behind_the_portal, done=_verification_found
    ),
    "applications.tasks.send_reminders": Scenario(
        arrange=_one_of_each_reminder, done=_each_reminded
    ),
    "adn_portal.accounts.tasks.send_notification_digests": Scenario(
        arrange=_notifications_for_the_digest, done=_digest_sent
    ),
    "applications.tasks.remind_milestones": Scenario(
        arrange=_milestone_due_soon, done=_milestone_reminded
    ),
    "applications.tasks.send_follow_up_surveys": Scenario(
        arrange=_file_completed_a_year_ago, done=_survey_sent
    ),
    "companies.tasks.import_register_extracts": Scenario(
        arrange=_register_extract_in_the_folder, done=_register_loaded
    ),
    "adn_portal.mailer.tasks.resend_unsent_emails": Scenario(
        arrange=_email_whose_task_was_lost,
        done=lambda email: OutgoingEmail.objects.get(pk=email.pk).sent_at is not None,
    ),
}


@pytest.fixture
def worker_on_the_test_queue(broker_queue):
    # The tasks the worker queues itself (the e-mails of a reminder) come back to it.
    shutil.rmtree(KBO_FOLDER, ignore_errors=True)
    KBO_FOLDER.mkdir(parents=True)
    worker = LiveWorker(
        broker_queue, CELERY_TASK_DEFAULT_QUEUE=broker_queue, KBO_EXTRACTS_DIR=str(KBO_FOLDER)
    )
    worker.start()
    yield worker
    worker.stop()


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_each_beat_task_does_its_work_through_a_live_worker(entry, worker_on_the_test_queue):
    task = settings.CELERY_BEAT_SCHEDULE[entry]["task"]
    assert task in SCENARIOS, f"the beat entry {entry!r} ({task}) has no scenario here"
    scenario = SCENARIOS[task]
    state = scenario.arrange()

    celery_app.send_task(task)  # as beat does: by name, through the broker

    assert wait_until(lambda: scenario.done(state), timeout=60), (
        worker_on_the_test_queue.log.read_text()
    )
    assert f"Task {task}[" in worker_on_the_test_queue.log.read_text()
    assert " raised " not in worker_on_the_test_queue.log.read_text()
