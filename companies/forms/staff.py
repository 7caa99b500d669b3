"""The forms of AdN staff: decisions on recognitions and on ownership claims."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import workflow
from ..models import Expert
from ..services import CompanyError, recognition_period


class ExpertDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the company"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    valid_from = forms.DateField(
        label=_("Recognised from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    years = forms.IntegerField(
        label=_("Validity (years)"), required=False, min_value=1, max_value=10
    )

    def __init__(self, *args, expert: Expert, **kwargs):
        super().__init__(*args, **kwargs)
        self.expert = expert

    def clean(self):
        """The service's own rule for the period's start, shown on the start date field."""
        cleaned = super().clean()
        action = workflow.action_of(self.expert.status, self.data.get("to", ""))
        if action in workflow.STARTS_PERIOD and not self.errors:
            try:
                recognition_period(
                    expert=self.expert,
                    action=action,
                    valid_from=cleaned.get("valid_from"),
                    years=cleaned.get("years"),
                )
            except CompanyError as error:
                self.add_error("valid_from", str(error))
        return cleaned


class OwnershipClaimDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the claimant"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to refuse: the claimant reads it."),
    )
    keep_previous_owners = forms.BooleanField(
        label=_("Keep the previous owners as plain members"),
        required=False,
        help_text=_("Unticked, they leave the organisation."),
    )
