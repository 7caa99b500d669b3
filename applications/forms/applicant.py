from django import forms
from django.utils.translation import gettext_lazy as _

from companies.models import Organisation

from ..models import Attachment, OutcomeReport
from ..uploads import ALLOWED_LABEL
from .fields import long_text
from .rendering import python_widgets


class AttachmentForm(forms.Form):
    # Its list of kinds written in Python (the HTML of Django's template): the step forms'
    # renderer, whose engine is the site's, not one more made on a documents page.
    default_renderer = python_widgets

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
    answer = long_text(_("Your answer"), rows=5)


class ChooseOrganisationForm(forms.Form):
    """For whom a person acting for several organisations applies."""

    organisation = forms.ModelChoiceField(
        label=_("For which organisation?"),
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        ).order_by("name")


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
