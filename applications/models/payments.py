"""Payment requests and payments (docs/domain.md, After selection). The sum of what is approved
never exceeds the file's grant nor the call's envelope: services/payments.py checks it with the
file's and the call's rows locked."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.banking import structured_communication
from programs.models import Instalment, PaidTo

from ..workflow import PAYMENTS_ALIVE, PaymentStatus
from .agreements import FollowUpDocument
from .files import Application


class PaymentRequest(models.Model):
    """An instalment claimed by the beneficiary (or, for Start IA, the expert company), with
    its invoices and expense statements (the lines)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="payment_requests"
    )
    instalment = models.CharField(_("instalment"), max_length=16, choices=Instalment.choices)
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.DRAFT
    )
    paid_to = models.CharField(max_length=16, choices=PaidTo.choices)
    payee_name = models.CharField(_("account holder"), max_length=200)
    iban = models.CharField(_("IBAN"), max_length=34)  # compact: BE68539007547034
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The staff's decision: the amount approved is what the payment will be.
    approved_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["application", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "instalment"],
                condition=Q(status__in=sorted(PAYMENTS_ALIVE)),
                name="payment_request_one_per_instalment",
                violation_error_message=_("This instalment is already requested."),
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__gte=0),
                name="payment_request_amount_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["status", "decided_at"], name="payment_request_idx")]

    def __str__(self) -> str:
        return f"{self.application} · {self.get_instalment_display()}"

    def get_absolute_url(self) -> str:
        return reverse(
            "applications:payment_request",
            kwargs={"pk": self.application_id, "request_pk": self.pk},
        )

    @property
    def communication(self) -> str:
        """The structured communication its payment carries (+++ddd/dddd/ddddd+++, from the
        request's number): known once approved, so that the transfer can be made with it."""
        return structured_communication(self.pk)


class PaymentLine(models.Model):
    """One invoice or expense statement of a request: the amount claimed, and the part staff
    found eligible."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.PROTECT, related_name="lines")
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount claimed (EUR)"), max_digits=12, decimal_places=2)
    eligible_amount = models.DecimalField(
        _("eligible amount (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    document = models.ForeignKey(FollowUpDocument, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["request", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_line_amount_positive"),
            models.CheckConstraint(
                condition=Q(eligible_amount__isnull=True)
                | Q(eligible_amount__gte=0, eligible_amount__lte=models.F("amount")),
                name="payment_line_eligible_within_claim",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """A payment made: its date, amount and structured communication (+++ddd/dddd/ddddd+++)."""

    request = models.OneToOneField(PaymentRequest, on_delete=models.PROTECT, related_name="payment")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    communication = models.CharField(max_length=20, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]
        indexes = [models.Index(fields=["paid_on"], name="payment_paid_on_idx")]

    def __str__(self) -> str:
        return self.communication
