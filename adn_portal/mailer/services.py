import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


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


@transaction.atomic
def email_send(*, email_id: int) -> bool:
    """Send one outbox e-mail exactly once. Returns False when it was already sent.

    The row lock makes a second worker given the same id wait, then find it sent."""
    email = OutgoingEmail.objects.select_for_update().unsent().filter(pk=email_id).first()
    if email is None:
        return False
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    message.send()
    email.sent_at = timezone.now()
    email.attempts += 1
    fields = ["sent_at", "attempts"]
    if email.sensitive:
        # The link has reached its reader: a copy kept here would let whoever reads the
        # database reset the password or accept the invitation.
        email.body, email.html, email.purged_at = OutgoingEmail.PURGED, "", email.sent_at
        fields += ["body", "html", "purged_at"]
    email.save(update_fields=fields)
    return True


def email_record_failure(*, email_id: int, error: str) -> None:
    OutgoingEmail.objects.filter(pk=email_id).update(
        attempts=F("attempts") + 1, last_error=error[:2000]
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


def emails_resend_unsent(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Re-dispatch e-mails that no worker has sent (broker was down, worker crashed)."""
    cutoff = timezone.now() - older_than
    ids = list(
        OutgoingEmail.objects.unsent()
        .filter(created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS)
        .values_list("pk", flat=True)[:500]
    )
    return sum(email_dispatch(email_id=pk) for pk in ids)


def email_template_queue(
    *, to: str, template: str, context: dict, language: str, sensitive: bool = False
) -> OutgoingEmail:
    """Render `emails/<template>_subject.txt` and `_body.txt` in the recipient's language,
    then queue the message in the outbox."""
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(language):
        context = {"site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        body = render_to_string(f"emails/{template}_body.txt", context)
    return email_queue(to=to, subject=subject, body=body, sensitive=sensitive)
