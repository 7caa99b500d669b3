import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from kombu.exceptions import OperationalError

from adn_portal.mailer import services, tasks
from adn_portal.mailer.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def queue(**kwargs) -> OutgoingEmail:
    return services.email_queue(
        to=kwargs.get("to", "julie@pme.be"),
        subject="Accusé de réception",
        body="Bonjour",
        html="<p>Bonjour</p>",
    )


def test_email_is_sent_once_after_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = queue()
        assert mail.outbox == []  # nothing leaves before the commit

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1


def test_no_email_leaves_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the submission failed")
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


def test_sending_the_same_email_twice_delivers_it_once():
    email = queue()
    assert services.email_send(email_id=email.pk) is True
    assert services.email_send(email_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_broker_down_keeps_the_email_and_the_sweeper_sends_it_later(
    django_capture_on_commit_callbacks,
):
    broker_down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(tasks.send_outgoing_email, "delay", side_effect=broker_down):
        with django_capture_on_commit_callbacks(execute=True):
            email = queue()  # must not raise into the caller's request
        assert services.emails_resend_unsent(older_than=__import__("datetime").timedelta(0)) == 0

    email.refresh_from_db()
    assert email.sent_at is None and mail.outbox == []

    assert services.emails_resend_unsent(older_than=__import__("datetime").timedelta(0)) == 1
    assert services.emails_resend_unsent(older_than=__import__("datetime").timedelta(0)) == 0
    assert len(mail.outbox) == 1


def test_smtp_failure_is_recorded_and_the_email_stays_unsent():
    email = queue()
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=smtplib.SMTPServerDisconnected("gone"),
        ),
        mock.patch.object(
            tasks.send_outgoing_email, "retry", side_effect=RuntimeError("retry scheduled")
        ),
        pytest.raises(RuntimeError, match="retry scheduled"),
    ):
        tasks.send_outgoing_email.run(email.pk)

    email.refresh_from_db()
    assert email.sent_at is None
    assert email.attempts == 1
    assert "SMTPServerDisconnected" in email.last_error
