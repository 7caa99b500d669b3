import smtplib
from datetime import timedelta

from celery import shared_task

from . import services

# Transient: the SMTP server or the network. Anything else is a bug and fails fast (logged).
TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(bind=True, max_retries=5, acks_late=True)
def send_outgoing_email(self, email_id: int) -> bool:
    try:
        return services.email_send(email_id=email_id)
    except TRANSIENT_ERRORS as exc:
        # A message the relay may have taken stays claimed: the retry then does nothing.
        countdown = min(30 * 2**self.request.retries, 900)
        services.email_record_failure(
            email_id=email_id, error=repr(exc), retry_in=timedelta(seconds=countdown)
        )
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task
def resend_unsent_emails() -> int:
    services.emails_purge_expired_secrets()
    services.emails_flag_uncertain()
    return services.emails_resend_unsent()
