import pytest
from django.db import transaction

from adn_portal.mailer.models import OutgoingEmail
from adn_portal.mailer.services import email_queue

from .stack import wait_until

# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def queue_email(to: str) -> OutgoingEmail:
    with transaction.atomic():
        return email_queue(to=to, subject="Accusé de réception", body="Bonjour")


def is_sent(email: OutgoingEmail) -> bool:
    email.refresh_from_db()
    return email.sent_at is not None


def test_task_sent_through_redis_is_executed_by_a_live_worker(live_worker):
    email = queue_email("julie@pme.be")

    assert wait_until(lambda: is_sent(email)), (
        f"not sent; worker log:\n{live_worker.log.read_text()}"
    )
    assert email.attempts == 1
    assert "adn_portal.mailer.tasks.send_outgoing_email" in live_worker.log.read_text()


def test_task_waits_in_redis_until_a_worker_takes_it(broker_queue):
    """Not eager: with no worker the e-mail stays unsent; it leaves when a worker starts."""
    from .stack import LiveWorker

    email = queue_email("marc@commune.be")
    assert not wait_until(lambda: is_sent(email), timeout=1.5)

    worker = LiveWorker(broker_queue)
    worker.start()
    try:
        assert wait_until(lambda: is_sent(email)), worker.log.read_text()
    finally:
        worker.stop()
