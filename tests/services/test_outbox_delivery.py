"""The outbox with a real worker process and a real SMTP server, the worker SIGKILLed at the
worst moments: each message reaches the relay exactly once (adn_portal.mailer.services)."""

from datetime import timedelta

import pytest
from django.db import transaction

from adn_portal.mailer import services
from adn_portal.mailer.models import OutgoingEmail

from .smtp_sink import SmtpSink
from .stack import LiveWorker, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The task a dead worker held goes back to the queue after 3 s instead of an hour.
QUICK_REDELIVERY = {
    "CELERY_VISIBILITY_TIMEOUT": "3",
    "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    "CELERY_UNACKED_RESTORE_THROTTLE": "1",
}


def smtp_worker(queue: str, sink: SmtpSink) -> LiveWorker:
    worker = LiveWorker(
        queue,
        DJANGO_SETTINGS_MODULE="tests.services.smtp_worker_settings",
        EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
        **QUICK_REDELIVERY,
    )
    worker.start()
    return worker


def queue_acknowledgement() -> OutgoingEmail:
    with transaction.atomic():
        return services.email_queue(
            to="julie@pme.be", subject="Accusé de réception", body="Votre dossier START-2026-0001"
        )


def ran_the_task_again(worker: LiveWorker) -> bool:
    return "send_outgoing_email" in worker.log.read_text() and "succeeded" in (
        worker.log.read_text()
    )


def test_a_worker_killed_after_the_relay_took_the_message_does_not_get_it_sent_twice(
    broker_queue,
):
    first: LiveWorker | None = None

    def kill_the_worker(number: int) -> None:
        if number == 1:  # the relay has the message; the worker has not marked it sent
            first.process.kill()

    sink = SmtpSink(on_message=kill_the_worker).start()
    first = smtp_worker(broker_queue, sink)
    second = None
    try:
        email = queue_acknowledgement()
        assert wait_until(lambda: first.process.poll() is not None), first.log.read_text()
        first.kill()
        email.refresh_from_db()
        assert email.claimed_at is not None and email.sent_at is None

        # The dead worker's task comes back to a new worker; the sweeper runs too.
        second = smtp_worker(broker_queue, sink)
        assert wait_until(lambda: ran_the_task_again(second), timeout=30), second.log.read_text()
        assert services.emails_resend_unsent(older_than=timedelta(0)) == 0
        assert services.emails_flag_uncertain(older_than=timedelta(0)) == 1
    finally:
        for worker in (first, second):
            if worker:
                worker.stop()
        sink.stop()

    assert len(sink.messages) == 1
    assert b"Votre dossier START-2026-0001" in sink.messages[0]
    email.refresh_from_db()
    assert email.sent_at is None and email.delivery_uncertain is True  # for staff to check


def test_a_worker_killed_while_connecting_to_the_relay_leaves_the_message_to_the_sweeper(
    broker_queue,
):
    first: LiveWorker | None = None

    def kill_the_worker(number: int) -> None:
        if number == 1:  # before the claim: nothing was handed to the relay
            first.process.kill()

    sink = SmtpSink(on_connect=kill_the_worker).start()
    first = smtp_worker(broker_queue, sink)
    second = None
    try:
        email = queue_acknowledgement()
        assert wait_until(lambda: first.process.poll() is not None), first.log.read_text()
        first.kill()
        email.refresh_from_db()
        assert email.claimed_at is None and email.sent_at is None

        # The sweeper hands it out again before a worker is back (a worker that starts at once
        # may also get the dead one's task back from the broker: then both tasks run).
        assert services.emails_resend_unsent(older_than=timedelta(0)) == 1
        second = smtp_worker(broker_queue, sink)
        assert wait_until(lambda: OutgoingEmail.objects.get(pk=email.pk).sent_at is not None), (
            second.log.read_text()
        )
        # The dead worker's own task comes back too, and finds the message sent.
        assert wait_until(lambda: second.log.read_text().count("succeeded") >= 2, timeout=30), (
            second.log.read_text()
        )
    finally:
        for worker in (first, second):
            if worker:
                worker.stop()
        sink.stop()

    assert len(sink.messages) == 1
    email.refresh_from_db()
    assert email.attempts == 1 and email.delivery_uncertain is False
