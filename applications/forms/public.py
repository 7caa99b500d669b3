"""The public's form: the programme finder's questions (applications/finder.py)."""

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.decimals import LocalizedDecimalField
from companies.identifiers import place_for_postcode
from companies.models import OrganisationKind
from programs.models import Programme

from ..finder import Answers, Stage

SIZE_HELP = _("Partner and linked enterprises included. Leave empty if you do not know.")


class ProgrammeFinderForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Your organisation is"), choices=OrganisationKind.choices, widget=forms.RadioSelect
    )
    postcode = forms.CharField(
        label=_("Postcode of its registered seat"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    headcount = LocalizedDecimalField(
        label=_("Staff (full-time equivalents)"),
        required=False,
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=SIZE_HELP,
    )
    turnover = LocalizedDecimalField(
        label=_("Annual turnover (EUR)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=SIZE_HELP,
    )
    balance_sheet = LocalizedDecimalField(
        label=_("Balance sheet total (EUR)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=SIZE_HELP,
    )
    public_control = forms.TypedChoiceField(
        label=_("Do public bodies hold 25% or more of it?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
        initial="no",
        widget=forms.RadioSelect,
    )
    stage = forms.ChoiceField(
        label=_("Where do you stand with AI?"), choices=Stage.CHOICES, widget=forms.RadioSelect
    )
    programmes_done = forms.MultipleChoiceField(
        label=_("AdN programmes your organisation already went through"),
        choices=[
            (Programme.Code.START_IA, "Start IA"),
            (Programme.Code.TREMPLIN_IA, "Tremplin IA"),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_postcode(self) -> str:
        return place_for_postcode(self.cleaned_data["postcode"]).postcode

    def answers(self) -> Answers:
        data = self.cleaned_data
        return Answers(
            kind=data["kind"],
            postcode=data["postcode"],
            headcount=data["headcount"],
            turnover=data["turnover"],
            balance_sheet=data["balance_sheet"],
            public_control=data["public_control"],
            stage=data["stage"],
            programmes_done=set(data["programmes_done"]),
        )
