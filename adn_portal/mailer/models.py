from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmailQuerySet(models.QuerySet):
    def unsent(self):
        """Waiting to be sent; a message whose secret link expired before it could be sent was
        purged and is given up."""
        return self.filter(sent_at__isnull=True, purged_at__isnull=True)

    def deliverable(self):
        """Unsent and claimed by no worker: a claimed message may already be at the relay."""
        return self.unsent().filter(claimed_at__isnull=True)


class OutgoingEmail(models.Model):
    """The outbox: an e-mail is stored in the transaction that causes it, then sent by a worker.
    A broker or SMTP failure leaves the row unsent, and the beat sweeper tries again.

    A `sensitive` message carries a secret link (password reset, e-mail confirmation,
    invitation): its content is removed once sent, so that no usable link stays readable here.

    Each row goes to the SMTP relay at most once (services.email_send): a worker commits its
    claim (`claimed_at`) before the relay sees the message, and a claimed row is never sent
    again automatically. A claim that never became "sent" (the worker died or lost the relay
    during the exchange) is flagged `delivery_uncertain` for staff."""

    PURGED = "[Content removed: this message held a secret link.]"

    to = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text body"))
    html = models.TextField(_("HTML body"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sensitive = models.BooleanField(_("holds a secret link"), default=False)
    purged_at = models.DateTimeField(_("content removed at"), null=True, blank=True)
    # When a worker was last asked to send it (or when a retry Celery holds is due): the
    # sweeper hands it out again only when that is old and no worker has claimed it.
    dispatched_at = models.DateTimeField(_("last handed to a worker at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("handed to the SMTP relay at"), null=True, blank=True)
    delivery_uncertain = models.BooleanField(_("delivery uncertain"), default=False)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["dispatched_at"],
                condition=models.Q(sent_at__isnull=True, claimed_at__isnull=True),
                name="mailer_deliverable_idx",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(sent_at__isnull=True, claimed_at__isnull=False),
                name="mailer_claimed_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
