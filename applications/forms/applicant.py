from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Attachment, OutcomeReport
from ..uploads import ALLOWED_LABEL


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Document"), help_text=_("%(types)s.") % {"types": ALLOWED_LABEL}
    )
    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=Attachment.Kind.choices[:2],
        initial=Attachment.Kind.ANNEX,
        required=False,
    )

    def __init__(self, *args, refusal: str | None = None, **kwargs):
        """`refusal`: why the upload was stopped before it was read (a file too large)."""
        super().__init__(*args, **kwargs)
        self.refusal = refusal
        if refusal:
            self.fields["file"].required = False  # the refusal is the error, not "required"

    def clean_file(self):
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="too_large")
        return self.cleaned_data["file"]

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or Attachment.Kind.ANNEX


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 5}))


def yes_no(label) -> forms.TypedChoiceField:
    """An explicit yes/no (an unticked box would silently mean "no" in the indicators)."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class OutcomeReportForm(forms.ModelForm):
    improved_competitiveness = yes_no(_("Did the project improve your competitiveness?"))
    improved_quality = yes_no(_("Did it improve the quality of your products or services?"))
    in_production = yes_no(_("Is the solution in production?"))
    would_recommend = yes_no(_("Would you recommend the programme?"))

    class Meta:
        model = OutcomeReport
        fields = [
            "summary",
            "investment_before",
            "investment_after",
            "improved_competitiveness",
            "improved_quality",
            "in_production",
            "jobs_created",
            "would_recommend",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}
