"""Each outbox row reaches the SMTP relay at most once, and a lost task is handed out again
within about a minute (adn_portal.mailer.services). The same with a real worker killed at the
worst moment: tests/services/test_outbox_delivery.py."""

import logging
import smtplib
import subprocess
import sys
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import OperationalError
from django.db.models import QuerySet
from django.utils import timezone

from adn_portal.mailer import services, tasks
from adn_portal.mailer.models import OutgoingEmail
from tests.settings.test_environment_settings import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def queued(*, dispatched_ago: timedelta = timedelta(0)) -> OutgoingEmail:
    with mock.patch.object(tasks.send_outgoing_email, "delay"):  # the task was lost
        email = services.email_queue(to="julie@pme.be", subject="Accusé", body="Bonjour")
    OutgoingEmail.objects.filter(pk=email.pk).update(dispatched_at=timezone.now() - dispatched_ago)
    return email


def test_a_message_claimed_by_a_worker_is_not_handed_out_again_by_the_sweeper():
    email = queued(dispatched_ago=timedelta(minutes=10))
    # A worker claimed it and is at the relay (or died there).
    OutgoingEmail.objects.filter(pk=email.pk).update(claimed_at=timezone.now())

    assert services.emails_resend_unsent(older_than=timedelta(0)) == 0
    assert services.email_send(email_id=email.pk) is False
    assert mail.outbox == []


def test_a_claim_that_never_became_sent_is_flagged_uncertain_and_never_sent_again(caplog):
    email = queued()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        claimed_at=timezone.now() - services.CLAIM_TIMEOUT - timedelta(seconds=1)
    )

    with caplog.at_level(logging.WARNING, logger="adn_portal.mailer.services"):
        tasks.resend_unsent_emails.run()
        tasks.resend_unsent_emails.run()  # flagged and logged once

    email.refresh_from_db()
    assert email.delivery_uncertain is True and email.sent_at is None
    assert mail.outbox == []
    warnings = [r for r in caplog.records if "uncertain" in r.getMessage()]
    assert len(warnings) == 1 and str(email.pk) in warnings[0].getMessage()


def test_a_claim_younger_than_an_smtp_exchange_is_not_flagged():
    email = queued()
    OutgoingEmail.objects.filter(pk=email.pk).update(claimed_at=timezone.now())

    assert services.emails_flag_uncertain() == 0
    email.refresh_from_db()
    assert email.delivery_uncertain is False


def test_a_refusal_by_the_relay_releases_the_claim_and_the_retry_sends_it():
    email = queued()
    refused = smtplib.SMTPDataError(451, b"4.3.0 Try again later")
    with (
        mock.patch(f"{LOCMEM}.send_messages", side_effect=refused),
        pytest.raises(smtplib.SMTPDataError),
    ):
        services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.claimed_at is None and email.sent_at is None and email.attempts == 1

    assert services.email_send(email_id=email.pk) is True
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2


def test_a_connection_lost_during_the_smtp_exchange_leaves_the_message_claimed_not_resent():
    email = queued()
    with (
        mock.patch(f"{LOCMEM}.send_messages", side_effect=smtplib.SMTPServerDisconnected("gone")),
        mock.patch.object(tasks.send_outgoing_email, "retry", side_effect=RuntimeError("retry")),
        pytest.raises(RuntimeError, match="retry"),
    ):
        tasks.send_outgoing_email.run(email.pk)
    # The relay may have taken it: neither the retry nor the sweeper sends it again.
    assert tasks.send_outgoing_email.run(email.pk) is False
    assert services.emails_resend_unsent(older_than=timedelta(0)) == 0
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.claimed_at is not None and email.sent_at is None


def test_a_relay_unreachable_before_the_claim_leaves_the_message_to_the_next_try():
    email = queued()
    with (
        mock.patch(f"{LOCMEM}.open", side_effect=ConnectionRefusedError("relay down")),
        pytest.raises(ConnectionRefusedError),
    ):
        services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.claimed_at is None and email.attempts == 0

    assert services.emails_resend_unsent(older_than=timedelta(0)) == 1  # eager: sent now
    assert len(mail.outbox) == 1


# Outside a test transaction: the service closes the broken connection, as it does in a worker
# (serialized_rollback: the data migrations survive the flush).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_message_the_relay_took_is_recorded_sent_once_the_database_is_back(monkeypatch):
    email = queued()
    monkeypatch.setattr(services, "MARK_SENT_WAITS", (0, 0, None))
    update, failures = QuerySet.update, []

    def restarting_database(queryset, **changes):
        if "sent_at" in changes and len(failures) < 2:
            failures.append(changes)
            raise OperationalError("terminating connection due to administrator command")
        return update(queryset, **changes)

    with mock.patch.object(QuerySet, "update", restarting_database):
        assert services.email_send(email_id=email.pk) is True

    assert len(failures) == 2 and len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.delivery_uncertain is False


def test_the_sweeper_hands_out_a_message_last_dispatched_over_thirty_seconds_ago():
    late = queued(dispatched_ago=timedelta(seconds=31))
    queued(dispatched_ago=timedelta(seconds=20))  # its task may still be on its way

    assert services.emails_resend_unsent() == 1
    late.refresh_from_db()
    assert late.sent_at is not None
    assert [m.to for m in mail.outbox] == [["julie@pme.be"]]


def test_a_retry_celery_holds_for_later_is_not_brought_forward_by_the_sweeper():
    email = queued(dispatched_ago=timedelta(minutes=5))
    services.email_record_failure(
        email_id=email.pk, error="SMTPConnectError()", retry_in=timedelta(minutes=2)
    )

    assert services.emails_resend_unsent() == 0
    OutgoingEmail.objects.filter(pk=email.pk).update(
        dispatched_at=timezone.now() - timedelta(seconds=31)
    )
    assert services.emails_resend_unsent() == 1


def test_production_sweeps_the_outbox_every_thirty_seconds():
    check = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CELERY_BEAT_SCHEDULE['mailer-resend-unsent']['schedule'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "adn_portal.settings.production",
            **PRODUCTION_ENV,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == 30.0
