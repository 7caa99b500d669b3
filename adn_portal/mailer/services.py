import logging
import smtplib
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A message whose last dispatch is older than this and that no worker claimed is handed out
# again by the sweeper.
RESEND_AFTER = timedelta(seconds=30)
# Longer than any SMTP exchange (10 s timeout per step): a claim this old belongs to a worker
# that died or lost the relay.
CLAIM_TIMEOUT = timedelta(minutes=5)
# Seconds between tries to record a message the relay took while the database was away.
MARK_SENT_WAITS = (0.5, 1, 2, 4, 8, None)


def email_queue(
    *, to: str, subject: str, body: str, html: str = "", sensitive: bool = False
) -> OutgoingEmail:
    """Store an e-mail in the outbox and ask a worker to send it once the caller's transaction
    commits. If the broker is unreachable the row stays unsent for the sweeper.

    `sensitive`: the message carries a secret link; its content is removed once it is sent."""
    email = OutgoingEmail.objects.create(
        to=to, subject=subject, body=body, html=html, sensitive=sensitive
    )
    transaction.on_commit(lambda: email_dispatch(email_id=email.pk))
    return email


def email_dispatch(*, email_id: int) -> bool:
    """Hand one e-mail to Celery. Never raises: the outbox row is the source of truth."""
    from .tasks import send_outgoing_email

    try:
        send_outgoing_email.delay(email_id)
    except Exception:  # broker down (kombu/redis errors), or an eager run that failed
        logger.warning(
            "E-mail %s not dispatched now; the sweeper will retry.", email_id, exc_info=True
        )
        return False
    return True


# At most once, not at least once. A message to an applicant (acknowledgement, decision,
# reminder) is also shown on their file page; the same message twice, or a reset link
# twice, reads as a fault and cannot be taken back. So a worker claims a row (commits
# `claimed_at`) before the relay sees it and marks it sent after: a worker killed between the
# two leaves a claimed, unsent row that is never sent again automatically. It is flagged
# `delivery_uncertain` for staff (emails_flag_uncertain), who can see whether it arrived.
# The connection is opened (connect, TLS, log-in) before the claim, so a failure or a kill
# there leaves the message to the sweeper: only the SMTP exchange itself is uncertain.
# A relay that answers with a refusal (4xx/5xx) has not taken the message: the claim is
# released and the message is tried again later.
RELAY_REFUSALS = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    return message


def email_send(*, email_id: int) -> bool:
    """Send one outbox e-mail, at most once (see above). Returns False when it was sent or
    claimed by another worker. Runs outside any transaction: its claim must be committed
    before the relay sees the message."""
    email = OutgoingEmail.objects.deliverable().filter(pk=email_id).first()
    if email is None:
        return False
    message = _message(email)
    with mailers.default as connection:
        # Durable: inside a caller's transaction the claim would not be committed before the
        # relay sees the message, and a crash would forget it.
        with transaction.atomic(durable=True):
            claimed = (
                OutgoingEmail.objects.deliverable()
                .filter(pk=email.pk)
                .update(claimed_at=timezone.now(), attempts=F("attempts") + 1)
            )
        if not claimed:
            return False  # another worker took it since the read above
        try:
            connection.send_messages([message])
        except RELAY_REFUSALS:
            OutgoingEmail.objects.filter(pk=email.pk).update(claimed_at=None)
            raise
        _mark_sent(email)
    return True


def _mark_sent(email: OutgoingEmail) -> None:
    now = timezone.now()
    changes = {"sent_at": now, "delivery_uncertain": False}
    if email.sensitive:
        # The link has reached its reader: a copy kept here would let whoever reads the
        # database reset the password or accept the invitation.
        changes |= {"body": OutgoingEmail.PURGED, "html": "", "purged_at": now}
    # The relay has the message: if PostgreSQL is restarting, wait for it rather than leave
    # a delivered message looking uncertain.
    for wait in MARK_SENT_WAITS:
        try:
            OutgoingEmail.objects.filter(pk=email.pk).update(**changes)
            return
        except (OperationalError, InterfaceError):
            if wait is None:
                raise
            connections[DEFAULT_DB_ALIAS].close()  # the next query connects again
            time.sleep(wait)


def email_record_failure(*, email_id: int, error: str, retry_in: timedelta) -> None:
    """A failed try, retried by Celery after `retry_in`: until then the sweeper leaves it."""
    OutgoingEmail.objects.filter(pk=email_id).update(
        last_error=error[:2000], dispatched_at=timezone.now() + retry_in
    )


def emails_purge_expired_secrets() -> int:
    """Remove the content of secret-bearing messages that could not be sent while their link
    was alive: they are given up (a dead link is no use to the reader) and no longer readable."""
    cutoff = timezone.now() - timedelta(days=settings.MAILER_SECRET_LIFETIME_DAYS)
    return (
        OutgoingEmail.objects.unsent()
        .filter(sensitive=True, created_at__lt=cutoff)
        .update(body=OutgoingEmail.PURGED, html="", purged_at=timezone.now())
    )


def emails_resend_unsent(*, older_than: timedelta = RESEND_AFTER) -> int:
    """Hand out again the e-mails no worker has sent nor claimed since their last dispatch,
    `older_than` ago (broker down, task lost with its worker). With the sweep every 30 s
    (MAILER_SWEEP_SECONDS), a lost message leaves at most about a minute late. A message
    still queued behind others may be dispatched twice: its claim sends it once."""
    now = timezone.now()
    ids = list(
        OutgoingEmail.objects.deliverable()
        .filter(dispatched_at__lt=now - older_than, attempts__lt=MAX_ATTEMPTS)
        .order_by("dispatched_at")
        .values_list("pk", flat=True)[:500]
    )
    OutgoingEmail.objects.filter(pk__in=ids).update(dispatched_at=now)
    return sum(email_dispatch(email_id=pk) for pk in ids)


def emails_flag_uncertain(*, older_than: timedelta = CLAIM_TIMEOUT) -> int:
    """Flag for staff the messages claimed `older_than` ago and never marked sent: their
    worker died or lost the relay during the SMTP exchange, so nobody knows whether they
    left. They are not sent again automatically (at most once, see email_send)."""
    flagged = list(
        OutgoingEmail.objects.unsent()
        .filter(claimed_at__lt=timezone.now() - older_than, delivery_uncertain=False)
        .values_list("pk", flat=True)
    )
    if flagged:
        OutgoingEmail.objects.filter(pk__in=flagged).update(delivery_uncertain=True)
        logger.warning(
            "Outbox: delivery of e-mails %s is uncertain (claimed, never marked sent); "
            "they are not sent again automatically. Check them in the admin.",
            flagged,
        )
    return len(flagged)


def email_template_render(*, template: str, context: dict, language: str) -> tuple[str, str]:
    """`emails/<template>_subject.txt` and `_body.txt` rendered in `language`: (subject, body)."""
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(language):
        context = {"site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        body = render_to_string(f"emails/{template}_body.txt", context)
    return subject, body


def email_template_queue(
    *, to: str, template: str, context: dict, language: str, sensitive: bool = False
) -> OutgoingEmail:
    """Render `emails/<template>_subject.txt` and `_body.txt` in the recipient's language,
    then queue the message in the outbox."""
    subject, body = email_template_render(template=template, context=context, language=language)
    return email_queue(to=to, subject=subject, body=body, sensitive=sensitive)
