from django import forms

from .models import Audience, Call, EligibilityRule, FormSection


class CallAdminForm(forms.ModelForm):
    """The call's list settings as checkboxes rather than raw JSON."""

    audiences = forms.MultipleChoiceField(
        choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )
    eligibility_rules = forms.MultipleChoiceField(
        choices=EligibilityRule.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    form_sections = forms.MultipleChoiceField(
        choices=FormSection.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Call
        exclude: list[str] = []  # every setting of the call is edited here
