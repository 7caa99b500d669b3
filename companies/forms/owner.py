"""The forms of the people who act for an organisation: its details and SME declaration, its
members, requests to join and ownership claims, and its expert company's profile."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.decimals import LocalizedDecimalField
from adn_portal.lib.names import validate_not_reserved, validate_plain_name
from programs.models import Programme

from .. import register, selectors, sme
from ..identifiers import place_for_postcode
from ..models import (
    REVIEWED_FIELDS,
    EnterpriseRelation,
    Expert,
    Language,
    MemberRole,
    Organisation,
    PublicBodyException,
    RelatedEnterprise,
    Sector,
    Speciality,
)
from .fields import (
    EnterpriseNumberField,
    LogoField,
    NaceCodesField,
    amount_field,
    percent_field,
    staff_field,
    validate_logo,
)


class OrganisationForm(forms.ModelForm):
    enterprise_number = EnterpriseNumberField()
    nace_codes = NaceCodesField(
        label=_("NACE codes"),
        required=False,
        help_text=_("Your activity codes, separated by commas, e.g. 62.010, 70.220."),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "enterprise_number",
            "kind",
            "street",
            "postcode",
            "headcount",
            "turnover",
            "balance_sheet",
            "estimated_figures",
            "nace_codes",
            "website",
            "phone",
        ]
        field_classes = {
            "headcount": LocalizedDecimalField,
            "turnover": LocalizedDecimalField,
            "balance_sheet": LocalizedDecimalField,
        }
        help_texts = {
            "headcount": _(
                "Your organisation's own staff over the last closed year, in full-time "
                "equivalents: 18.5 for eighteen full-time people and one half-time. Partner "
                "and linked enterprises are declared on their own page."
            ),
            "turnover": _("Last closed financial year, in euros, e.g. 1,100,000."),
            "balance_sheet": _("Last closed financial year, in euros, e.g. 1,100,000."),
            "estimated_figures": _(
                "Tick if your enterprise has not closed a financial year yet: then give "
                "good-faith estimates for the current year."
            ),
        }

    # Filled in from the enterprise register, when it is loaded and knows the number.
    FROM_REGISTER = ("name", "street", "postcode", "nace_codes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register = None  # the register's last extract, when it fills this form in
        self.entry = None  # what it says of the number typed
        if self.instance.pk:
            # The number identifies the organisation: it is not edited after registration.
            self.fields["enterprise_number"].disabled = True
            self.initial["enterprise_number"] = self.instance.enterprise_number_display
            return
        self.register = register.latest_extract()
        if self.register is not None:
            self.order_fields(["enterprise_number"])  # typed first: it fills in the rest
            for name in self.FROM_REGISTER:
                self.fields[name].required = False
                self.fields[name].help_text = _(
                    "Filled in from the Crossroads Bank for Enterprises (BCE) when you leave it "
                    "empty or give your enterprise number."
                )

    def clean_name(self):
        # The model field keeps it to one plain line; a new name may not pass for the AdN's
        # (a name staff set in the admin stays).
        name = self.cleaned_data["name"]
        if "name" in self.changed_data:
            validate_not_reserved(name)
        return name

    def clean_enterprise_number(self):
        number = self.cleaned_data["enterprise_number"]
        if self.instance.pk:
            return self.instance.enterprise_number
        if Organisation.objects.filter(enterprise_number=number).exists():
            raise ValidationError(
                _(
                    "This organisation is already registered on the portal. Ask its owners "
                    "to let you join it, or, if it is yours, ask the AdN to give it to you."
                ),
                code="duplicate",
            )
        return number

    def clean_postcode(self):
        if not self.cleaned_data["postcode"] and self.register is not None:
            return ""  # the register's, in clean()
        return place_for_postcode(self.cleaned_data["postcode"]).postcode

    def clean(self):
        """With the register loaded, a new organisation is one the register lists as active;
        its official name, registered office and NACE codes are the register's
        (docs/domain.md, The enterprise register)."""
        cleaned = super().clean()
        number = cleaned.get("enterprise_number")
        if self.register is None or not number or self.has_error("enterprise_number"):
            return cleaned
        self.entry = register.entry(number)
        refusal = register.refusal(number, self.entry, self.register)
        if refusal is not None:
            self.add_error("enterprise_number", refusal)
            return cleaned
        given = register.form_values(self.entry)
        for name in self.FROM_REGISTER:
            if given.get(name):
                self.errors.pop(name, None)  # the typed value, replaced, no longer counts
                cleaned[name] = given[name]
            elif not cleaned.get(name) and name not in self.errors and name != "nace_codes":
                # The register does not give it (a natural person's seat, an office abroad).
                self.add_error(name, self.fields[name].error_messages["required"])
        return cleaned


# ---------------------------------------------------------------------------------------------
# The SME definition: public bodies' share, partner and linked enterprises (companies/sme.py)


class PublicControlForm(forms.Form):
    public_body_share = percent_field(
        label=_("Share held by public bodies (%)"),
        required=False,
        help_text=_(
            "The part of your enterprise's capital or voting rights held by public bodies (the "
            "State, a region, a province, a municipality, a public company…), all together. "
            "Leave 0 if there is none. From 25%, your enterprise is not an SME, except in "
            "the cases below."
        ),
    )
    public_body_exception = forms.ChoiceField(
        label=_("Are these public bodies one of the following investors?"),
        choices=[("", _("No, none of these")), *PublicBodyException.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Only if they hold 25% to 50%: then your enterprise can still be an SME."),
    )

    def clean_public_body_share(self) -> Decimal:
        return self.cleaned_data["public_body_share"] or Decimal(0)


class RelatedEnterpriseForm(forms.Form):
    """One partner or linked enterprise; its rules are sme.clean_related_enterprise's (the
    API runs them too)."""

    name = forms.CharField(label=_("Its name"), max_length=200, validators=[validate_plain_name])
    enterprise_number = forms.CharField(
        label=_("Its enterprise number (BCE/KBO)"),
        max_length=20,
        required=False,
        help_text=_("For example 0202.239.951. Leave empty for an enterprise registered abroad."),
    )
    foreign = forms.BooleanField(label=_("Registered outside Belgium"), required=False)
    relation = forms.ChoiceField(
        label=_("Relation"),
        # A blank first choice: a row left untouched stays empty and is ignored.
        choices=[("", _("Choose…")), *EnterpriseRelation.choices],
        help_text=_("Partner: a holding of 25% to 50%, either way. Linked: more than 50%."),
    )
    share = percent_field(
        label=_("Share held (%)"),
        help_text=_(
            "The share of capital or voting rights one of you holds in the other, whichever "
            "way. If each holds a share of the other, give the larger."
        ),
    )
    headcount = staff_field(
        label=_("Its staff (full-time equivalents)"),
        help_text=_("For example 18.5."),
    )
    turnover = amount_field(label=_("Its annual turnover (EUR)"), required=False)
    balance_sheet = amount_field(label=_("Its balance sheet total (EUR)"), required=False)

    def clean(self):
        cleaned = super().clean()
        try:
            return sme.clean_related_enterprise(cleaned)
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                if field not in self.errors:  # one problem a field at a time
                    self.add_error(field, errors)
            return cleaned


class BaseRelatedEnterpriseFormSet(forms.BaseFormSet):
    def declared_rows(self) -> list[dict]:
        """The rows to keep: filled in and not marked for removal."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


RelatedEnterpriseFormSet = forms.formset_factory(
    RelatedEnterpriseForm,
    formset=BaseRelatedEnterpriseFormSet,
    extra=1,
    can_delete=True,
    max_num=sme.MAX_RELATED_ENTERPRISES,
    validate_max=True,
    absolute_max=sme.MAX_RELATED_ENTERPRISES,
)


def related_enterprise_initial(row: RelatedEnterprise) -> dict:
    return {
        "name": row.name,
        "enterprise_number": row.enterprise_number_display if row.enterprise_number else "",
        "foreign": row.foreign,
        "relation": row.relation,
        "share": row.share,
        "headcount": row.headcount,
        "turnover": row.turnover,
        "balance_sheet": row.balance_sheet,
    }


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)


class JoinRequestForm(forms.Form):
    enterprise_number = EnterpriseNumberField()
    message = forms.CharField(
        label=_("Message to the owners"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OwnershipClaimForm(forms.Form):
    enterprise_number = EnterpriseNumberField()
    message = forms.CharField(
        label=_("Why is this organisation yours?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Your position in the organisation, and how the AdN can check it "
            "(e.g. your name in the Moniteur belge or the BCE)."
        ),
    )
    document = forms.FileField(
        label=_("Supporting document"),
        required=False,
        help_text=_("Optional: e.g. an extract of the BCE or a mandate. PDF, PNG or JPEG."),
    )


class ExpertProfileForm(forms.ModelForm):
    specialities = forms.MultipleChoiceField(
        label=_("AI specialities"), choices=Speciality.choices, widget=forms.CheckboxSelectMultiple
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors served"), choices=Sector.choices, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    programmes = forms.MultipleChoiceField(
        label=_("Programmes you can deliver"),
        choices=Programme.Code.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    logo = LogoField(
        label=_("Logo"),
        required=False,
        validators=[validate_logo],
        help_text=_("PNG, JPEG or WebP, 1 MB and 2000 x 2000 pixels at most."),
    )
    # The company's public name and website (its organisation's): on the profile, not when
    # applying (they come from the organisation then).
    name = forms.CharField(label=_("Public name"), max_length=200, validators=[validate_plain_name])
    website = forms.URLField(label=_("Website"), max_length=200, required=False)

    class Meta:
        model = Expert
        fields = [
            "description_fr",
            "description_en",
            "description_de",
            "specialities",
            "sectors",
            "languages",
            "programmes",
            "team_size",
            "logo",
            "public_email",
            "public_phone",
        ]
        widgets = {
            f"description_{lang}": forms.Textarea(attrs={"rows": 5}) for lang in ("fr", "en", "de")
        }
        help_texts = {
            "description_fr": _("Required. What you do, for whom, with which results."),
            "description_en": _("Optional."),
            "description_de": _("Optional."),
        }

    field_order = ["name", "website", "logo", "public_email", "public_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["name"], self.fields["website"]
        else:
            organisation = self.instance.organisation
            self.initial.setdefault("name", organisation.name)
            self.initial.setdefault("website", organisation.website)

    @classmethod
    def for_expert(cls, expert: Expert, data=None, files=None) -> "ExpertProfileForm":
        """The profile form of the page and the API: it shows the proposal waiting for review,
        if any (its logo is not sent back to the form)."""
        pending = selectors.pending_profile_change(expert)
        shown = [field for field in REVIEWED_FIELDS if field != "logo"]
        initial = {field: getattr(pending, field) for field in shown} if pending else {}
        return cls(data, files, instance=expert, initial=initial)

    def current_values(self) -> dict:
        """What the form shows for each field but the logo: what a partial change (the API's
        PATCH) keeps for the fields it leaves out."""
        return {
            name: self[name].initial
            for name, field in self.fields.items()
            if not isinstance(field, forms.FileField)
        }

    def changes(self) -> dict:
        """The fields the person changed, as the service takes them."""
        data = {name: self.cleaned_data[name] for name in self.changed_data}
        if "logo" in data and not data["logo"]:
            data.pop("logo")  # an empty upload field keeps the current logo
        return data

    def clean_name(self):
        name = self.cleaned_data["name"]
        if "name" in self.changed_data:
            validate_not_reserved(name)
        return name


class ReferenceForm(forms.Form):
    client = forms.CharField(label=_("Client"), max_length=200, validators=[validate_plain_name])
    summary = forms.CharField(
        label=_("What was delivered"), widget=forms.Textarea(attrs={"rows": 2})
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


ReferenceFormSet = forms.formset_factory(
    ReferenceForm, extra=3, min_num=3, max_num=3, validate_min=True, validate_max=True
)
