"""The agreement of a selected file and its versions (docs/domain.md, After selection), and the
documents exchanged after a selection (drafted agreements, signed copies, invoices, reports)."""

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from programs.models import Programme

from ..workflow import AgreementStatus
from .files import Application, private_storage


class FollowUpDocument(models.Model):
    """A document of the life after selection: stored under a generated name in the private
    storage, served only by views that check who asks (the original name is only shown)."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement (as drafted)")
        SIGNED_BY_BENEFICIARY = "signed_beneficiary", _("Agreement signed by the beneficiary")
        SIGNED_BY_ADN = "signed_adn", _("Agreement countersigned by the AdN")
        INVOICE = "invoice", _("Invoice or expense statement")
        DIAGNOSTIC_REPORT = "diagnostic_report", _("Diagnostic report")
        ACTION_PLAN = "action_plan", _("Action plan")
        INTERIM_REPORT = "interim_report", _("Interim report")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="follow_up_documents"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    file = models.FileField(storage=private_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # None: made by the portal (a drafted agreement).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class AgreementTemplate(models.Model):
    """The agreement's text in three languages, edited by staff like the decisions' message
    templates. Django template text: {{ reference }}, {{ organisation }},
    {{ enterprise_number }}, {{ title }}, {{ amount }}, {{ funding_rate }}, {{ ceiling }},
    {{ starts_on }}, {{ ends_on }}, {{ programme }}, {{ call }}; the amounts and the rate come
    with their unit, written the reader's way ("40 000 €", "€40,000", "50 %"). The parties,
    amounts, dates and the payment schedule are also set out in a table by the portal itself."""

    programme = models.ForeignKey(
        Programme,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: every programme without its own template."),
    )
    title_fr = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    title_de = models.CharField(max_length=200)
    body_fr = models.TextField()
    body_en = models.TextField()
    body_de = models.TextField()

    class Meta:
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")
        constraints = [
            # One per programme and one for every programme (NULLs would not clash).
            models.UniqueConstraint(
                Coalesce("programme", Value(0)), name="agreement_template_one_per_programme"
            )
        ]

    def __str__(self) -> str:
        return str(self.programme or _("Every programme"))


class Agreement(models.Model):
    """One version of a file's agreement: the first drafted on selection, then one per
    amendment (new amount or dates), the earlier ones kept as "superseded"."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="agreements"
    )
    number = models.PositiveSmallIntegerField()  # 1: the agreement; 2 and on: amendments
    status = models.CharField(
        max_length=24, choices=AgreementStatus.choices, default=AgreementStatus.AWAITING
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    # What was agreed, as drafted into the document.
    granted_amount = models.DecimalField(max_digits=12, decimal_places=2)
    funding_rate = models.DecimalField(max_digits=5, decimal_places=2)
    ceiling = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    # [{"instalment": "advance", "share": "30.00", "amount": "1500.00"}, ...]
    schedule = models.JSONField(default=list)
    reason = models.TextField(blank=True)  # why an amendment was made
    document = models.ForeignKey(
        FollowUpDocument, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    beneficiary_copy = models.ForeignKey(
        FollowUpDocument, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    beneficiary_signed_at = models.DateTimeField(null=True, blank=True)
    adn_copy = models.ForeignKey(
        FollowUpDocument, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    adn_signed_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)  # when both signatures were there
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="agreement_number"),
            # One version in force (or awaiting signatures) per file: the rest is history.
            models.UniqueConstraint(
                fields=["application"],
                condition=~Q(status=AgreementStatus.SUPERSEDED),
                name="agreement_one_current",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="agreement_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(granted_amount__gte=0), name="agreement_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status=AgreementStatus.SIGNED)
                | Q(beneficiary_signed_at__isnull=False, adn_signed_at__isnull=False),
                name="agreement_signed_by_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · v{self.number}"

    @property
    def is_amendment(self) -> bool:
        return self.number > 1
