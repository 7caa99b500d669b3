"""Every reminder goes once, on the real stack (PostgreSQL, Redis, live Celery workers sent the
task by name as beat sends it): a worker killed in the middle of a reminder leaves it whole to
the next run (nothing half sent, nothing lost), and beat running the task twice, at the same
time on two workers or one after the other, sends it once.

A table the reminder writes after its claim is held by another connection: the worker blocks
there, in the middle of its transaction, where it is killed (or, for two workers, where the
second one meets the first)."""

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg2
import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from adn_portal.accounts.models import (
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    ReminderClaim,
)
from adn_portal.accounts.notifications.services import notification_send
from adn_portal.celery import app as celery_app
from adn_portal.mailer.models import OutgoingEmail
from applications import services
from applications.models import Application, Assignment
from applications.workflow import Actor, Status
from tests.factories import (
    CallFactory,
    ExpertFactory,
    OrganisationFactory,
    UserFactory,
    make_member,
)
from tests.fixtures.staff import staff, submitted_file

from .stack import LiveWorker, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REMINDERS = "applications.tasks.send_reminders"


@dataclass
class Case:
    task: str
    arrange: Any  # () -> the person reminded
    table: str  # written after the claim: held to stop the worker there
    emails: Any = None  # (person) -> the e-mails that reminded them


def _reminders_to(person) -> int:
    return Notification.objects.filter(recipient=person, kind=NotificationKind.REMINDER).count()


def _draft_closing_tomorrow():
    call = CallFactory(closes_at=timezone.now() + timedelta(hours=20))
    organisation = OrganisationFactory()
    applicant = make_member(organisation, UserFactory(language="en"))
    Application.objects.create(
        call=call, programme=call.programme, organisation=organisation, created_by=applicant
    )
    return applicant


def _information_request_due_tomorrow():
    applicant = make_member(OrganisationFactory(), UserFactory(language="en"))
    application = submitted_file(
        applicant=applicant, organisation=applicant.memberships.get().organisation
    )
    with transaction.atomic():
        services.application_request_information(
            application=application,
            by=staff("reviewer", "START"),
            actor=Actor.REVIEWER,
            message="Please attach your financial plan.",
            due_date=timezone.localdate() + timedelta(days=1),
        )
    return applicant


def _review_overdue():
    application = submitted_file(status=Status.UNDER_REVIEW)
    reviewer = staff("reviewer", "START", language="en")
    with transaction.atomic():
        assignment = services.application_assign(
            application=application, reviewer=reviewer, by=staff("programme manager", "START")
        )
    Assignment.objects.filter(pk=assignment.pk).update(
        assigned_at=timezone.now() - timedelta(days=settings.REVIEW_DUE_DAYS + 1)
    )
    return reviewer


def _digest_waiting():
    person = UserFactory(language="en")
    NotificationPreference.objects.create(
        user=person, kind=NotificationKind.MESSAGE, delivery=Delivery.DIGEST
    )
    with transaction.atomic():
        for reference in ("START-2026-0001", "CAP-2026-0002"):
            notification_send(
                recipients=[person],
                kind=NotificationKind.MESSAGE,
                text="New message on the file %(reference)s.",
                params={"reference": reference},
                url="/dossiers/",
            )
    return person


def _recognition_ending_soon():
    owner = UserFactory(language="de")
    expert = ExpertFactory(recognised_until=timezone.localdate() + timedelta(days=30))
    make_member(expert.organisation, owner)
    return owner


CASES = {
    "draft before its call closes": Case(
        REMINDERS, _draft_closing_tomorrow, "accounts_notification"
    ),
    "unanswered request for information": Case(
        REMINDERS, _information_request_due_tomorrow, "accounts_notification"
    ),
    "overdue review": Case(REMINDERS, _review_overdue, "accounts_notification"),
    "daily digest": Case(
        "adn_portal.accounts.tasks.send_notification_digests",
        _digest_waiting,
        "mailer_outgoingemail",
        emails=lambda person: OutgoingEmail.objects.filter(
            to=person.email, subject__startswith="Your ADN Portal notifications"
        ),
    ),
    "expert renewal": Case(
        "companies.tasks.send_renewal_reminders",
        _recognition_ending_soon,
        "mailer_outgoingemail",
        emails=lambda person: OutgoingEmail.objects.filter(to=person.email),
    ),
}


def _sent(case: Case, person) -> int:
    """How many times `person` was reminded: notifications (each with its e-mail), or e-mails."""
    if case.emails is not None:
        return case.emails(person).count()
    emails = OutgoingEmail.objects.filter(
        Q(subject__startswith="Reminder") | Q(subject__startswith="Your"), to=person.email
    )
    assert emails.count() == _reminders_to(person)  # each reminder e-mailed, once
    return _reminders_to(person)


def _connection():
    db = settings.DATABASES["default"]
    return psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"],
        password=db["PASSWORD"] or None,
    )


class Held:
    """A table held by another connection: whoever writes it waits."""

    def __init__(self, table: str):
        self.connection = _connection()
        self.connection.autocommit = False
        self.connection.cursor().execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

    def waiting(self) -> int:
        """Locks waited for by connections to this test's database, not the server's others
        (a row lock is waited for as its holder's transaction id, of no database)."""
        with self.connection.cursor() as cursor:
            # pg_stat_activity is read once per transaction, and this one stays open.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid)"
                " WHERE NOT granted AND datname = current_database()"
            )
            return cursor.fetchone()[0]

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def _worker(queue: str, name: str = "") -> LiveWorker:
    # The e-mails a reminder queues go back to the test's queue.
    worker = LiveWorker(queue, worker=name, CELERY_TASK_DEFAULT_QUEUE=queue)
    worker.start()
    return worker


def _finished(worker: LiveWorker, task: str, runs: int) -> bool:
    log = worker.log.read_text()
    return log.count(f"Task {task}[") >= runs and log.count(" succeeded in ") >= runs


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_worker_killed_in_the_middle_of_a_reminder_leaves_it_whole_to_the_next_run(
    name, broker_queue
):
    case = CASES[name]
    person = case.arrange()
    held = Held(case.table)
    first = None
    try:
        first = _worker(broker_queue, f"first-{broker_queue}")
        celery_app.send_task(case.task)
        assert wait_until(lambda: held.waiting() > 0, timeout=30), first.log.read_text()
        first.kill()  # in the middle of the reminder's transaction, its claim taken
    finally:
        held.release()
        if first is not None and first.process.poll() is None:
            first.stop()
    assert _sent(case, person) == 0
    assert not ReminderClaim.objects.exists()  # rolled back with what it was sending

    second = _worker(broker_queue, f"second-{broker_queue}")
    try:
        celery_app.send_task(case.task)  # the next run…
        celery_app.send_task(case.task)  # …and beat sending it twice
        assert wait_until(lambda: _finished(second, case.task, 2), timeout=60), (
            second.log.read_text()
        )
    finally:
        second.stop()
    assert _sent(case, person) == 1, second.log.read_text()
    assert " raised " not in second.log.read_text()


@pytest.mark.parametrize("name", sorted(CASES))
def test_beat_running_a_reminder_twice_at_once_on_two_workers_sends_it_once(name, broker_queue):
    case = CASES[name]
    person = case.arrange()
    workers = [_worker(broker_queue, f"{n}-{broker_queue}") for n in ("one", "two")]
    held = Held(case.table)
    try:
        celery_app.send_task(case.task)
        celery_app.send_task(case.task)
        # One worker waits at the held table; the other on the first's claim or row lock, or
        # has found everything taken.
        assert wait_until(lambda: held.waiting() > 0, timeout=30)
        time.sleep(2)
    finally:
        held.release()
    try:
        assert wait_until(
            lambda: sum(w.log.read_text().count(" succeeded in ") for w in workers) >= 2,
            timeout=60,
        ), [w.log.read_text() for w in workers]
    finally:
        for worker in workers:
            worker.stop()
    assert _sent(case, person) == 1
    for worker in workers:
        assert " raised " not in worker.log.read_text()
