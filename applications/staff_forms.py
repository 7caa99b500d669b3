from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Export
from .workflow import Status


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note (staff only)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class InformationRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What do you need from the applicant?"), widget=forms.Textarea(attrs={"rows": 4})
    )
    due_date = forms.DateField(
        label=_("Answer by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (s.value, s.label)
            for s in (Status.SELECTED, Status.WAITLISTED, Status.REJECTED, Status.INELIGIBLE)
        ],
    )
    comment = forms.CharField(
        label=_("Message to the applicant (added to the template)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_status = forms.CharField(widget=forms.HiddenInput)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expected_status = forms.CharField(widget=forms.HiddenInput)


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=Export.Format.choices)


def score_form_class(criteria, existing: dict):
    """A form with one 0-5 field and a comment per criterion of the call's grid."""
    fields = {}
    for criterion in criteria:
        value, comment = existing.get(criterion.pk, (None, ""))
        fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
            label=f"{criterion.label} (×{criterion.weight.normalize()})",  # noqa: RUF001 — the times sign
            choices=[("", "—")] + [(str(n), str(n)) for n in range(6)],
            coerce=int,
            initial=value,
        )
        fields[f"comment_{criterion.pk}"] = forms.CharField(
            label=_("Comment"),
            required=False,
            initial=comment,
            widget=forms.Textarea(attrs={"rows": 1}),
        )
    return type("ScoreForm", (forms.Form,), fields)
