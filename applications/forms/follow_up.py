"""The forms of the life after selection (docs/domain.md, After selection), for the beneficiary,
the expert company and the AdN staff. The API validates its bodies with these same forms."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.banking import iban_compact
from adn_portal.lib.decimals import format_amount
from programs.models import Instalment

from ..uploads import ALLOWED_LABEL

AMOUNT_MAX = Decimal("9999999999.99")  # what the amount columns hold (12 digits, 2 decimals)


def amount_field(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=AMOUNT_MAX,
        **kwargs,
    )


def document_field(label) -> forms.FileField:
    return forms.FileField(label=label, help_text=_("%(types)s.") % {"types": ALLOWED_LABEL})


class UploadRefusal:
    """A form with a file that the size-limit handler may have stopped before it was read
    (adn_portal.lib.uploads.upload_refusal): the refusal is the file field's error."""

    file_fields: tuple[str, ...] = ("file",)

    def __init__(self, *args, refusal: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = refusal
        if refusal:
            for name in self.file_fields:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        if self.refusal:
            for name in self.file_fields:
                self.add_error(name, ValidationError(self.refusal, code="too_large"))
        return cleaned


class SignedCopyForm(UploadRefusal, forms.Form):
    file = document_field(_("The agreement, signed"))


class RecordSignaturesForm(forms.Form):
    comment = forms.CharField(
        label=_("Where and how both parties signed"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AmendmentForm(forms.Form):
    granted_amount = amount_field(_("Granted amount (EUR)"))
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Why the agreement is amended"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("The agreement must end after it starts."))
        return cleaned


class PaymentRequestForm(forms.Form):
    instalment = forms.ChoiceField(label=_("Instalment"))
    payee_name = forms.CharField(label=_("Account holder"), max_length=200)
    iban = forms.CharField(
        label=_("IBAN"), max_length=50, help_text=_("For example BE68 5390 0754 7034.")
    )

    def __init__(self, *args, instalments: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instalment"].choices = [(i, Instalment(i).label) for i in instalments]

    def clean_iban(self) -> str:
        return iban_compact(self.cleaned_data["iban"])


class PaymentLineForm(UploadRefusal, forms.Form):
    description = forms.CharField(label=_("Invoice or expense statement"), max_length=200)
    amount = amount_field(_("Amount claimed (EUR)"))
    file = document_field(_("The invoice or statement"))

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError(_("An amount claimed is more than 0."), code="min_value")
        return amount


class EligibleAmountsForm(forms.Form):
    """One field per line of the request: the part of its amount that is eligible."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {line.pk: line for line in lines}
        for line in lines:
            self.fields[f"line_{line.pk}"] = amount_field(
                f"{line.description} ({line.amount} EUR)", initial=line.eligible_amount
            )

    def clean(self):
        cleaned = super().clean()
        for pk, line in self.lines.items():
            amount = cleaned.get(f"line_{pk}")
            if amount is not None and amount > line.amount:
                self.add_error(
                    f"line_{pk}",
                    ValidationError(
                        _("At most the amount claimed (%(amount)s).")
                        % {"amount": format_amount(line.amount)},
                        code="max_value",
                    ),
                )
        return cleaned

    def eligible(self) -> dict[int, Decimal]:
        return {pk: self.cleaned_data[f"line_{pk}"] for pk in self.lines}


class DecisionCommentForm(forms.Form):
    """Approve (the comment is optional) or reject (the reason is required)."""

    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Reject"))],
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("approve") is False and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say why."))
        return cleaned


class PaymentRecordForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise ValidationError(_("A payment cannot be recorded in the future."), code="future")
        return paid_on


class DiagnosticForm(UploadRefusal, forms.Form):
    file_fields = ("report", "action_plan")

    days = forms.DecimalField(
        label=_("Days of diagnostic"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal("100"),
    )
    report = document_field(_("Diagnostic report"))
    action_plan = document_field(_("Action plan"))

    def __init__(self, *args, diagnostic=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Documents already there need not be sent again.
        if diagnostic is not None:
            self.fields["report"].required = diagnostic.report_id is None
            self.fields["action_plan"].required = diagnostic.action_plan_id is None
            self.initial.setdefault("days", diagnostic.days)


class MilestoneReportForm(UploadRefusal, forms.Form):
    file = document_field(_("Interim report"))


class PeriodForm(forms.Form):
    """The accounting list's period, from one date to another (included): the payments made
    then, or the requests approved then and not yet paid (the transfers to make)."""

    PAID, TO_PAY = "paid", "to_pay"
    what = forms.ChoiceField(
        label=_("Show"),
        choices=[(PAID, _("Payments made")), (TO_PAY, _("Approved, to pay"))],
        required=False,
    )

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX")], required=False
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return cleaned


class FollowUpSurveyForm(forms.Form):
    investment_after = amount_field(
        _("Your AI/digital investment in the 12 months since the end of the project (EUR)")
    )
    in_production = forms.TypedChoiceField(
        label=_("Is the solution in production?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    jobs_created = forms.IntegerField(
        label=_("Jobs created since the project"), min_value=0, max_value=100000
    )
