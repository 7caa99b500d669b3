import warnings
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

from adn_portal.lib.decimals import LocalizedDecimalField
from adn_portal.lib.names import validate_not_reserved, validate_plain_name
from programs.models import Programme

from . import sme
from .identifiers import normalise_enterprise_number, place_for_postcode
from .lifecycle import STARTS_PERIOD
from .models import (
    EnterpriseRelation,
    Expert,
    ExpertFacet,
    Language,
    MemberRole,
    Organisation,
    PublicBodyException,
    RelatedEnterprise,
    Sector,
    Speciality,
)
from .selectors import FACET_CHOICES, SORTS, DirectoryQuery
from .services import CompanyError, recognition_period


class EnterpriseNumberField(forms.CharField):
    """Accepts 0202.239.951, BE0202239951, 202 239 951…; cleans to the 10 digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Enterprise number (BCE/KBO)"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("For example 0202.239.951."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalise_enterprise_number(value) if value else value


class OrganisationForm(forms.ModelForm):
    enterprise_number = EnterpriseNumberField()
    nace_codes = forms.CharField(
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The number identifies the organisation: it is not edited after registration.
            self.fields["enterprise_number"].disabled = True
            self.initial["enterprise_number"] = self.instance.enterprise_number_display
        if isinstance(self.initial.get("nace_codes"), list):
            self.initial["nace_codes"] = ", ".join(self.initial["nace_codes"])

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
        return place_for_postcode(self.cleaned_data["postcode"]).postcode

    def clean_nace_codes(self) -> list[str]:
        raw = self.cleaned_data["nace_codes"]
        codes = [c.strip() for c in raw.replace(";", ",").split(",") if c.strip()]
        invalid = [c for c in codes if not _is_nace(c)]
        if invalid:
            raise ValidationError(
                _("Not a NACE code: %(codes)s (expected e.g. 62.010)."),
                params={"codes": ", ".join(invalid)},
            )
        return codes


def _is_nace(code: str) -> bool:
    digits = code.replace(".", "")
    return digits.isascii() and digits.isdigit() and 2 <= len(digits) <= 5  # not "²²"


# ---------------------------------------------------------------------------------------------
# The SME definition: public bodies' share, partner and linked enterprises (companies/sme.py)


def _percent_field(**kwargs) -> LocalizedDecimalField:
    return LocalizedDecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), **kwargs
    )


def _staff_field(**kwargs) -> LocalizedDecimalField:
    return LocalizedDecimalField(max_digits=8, decimal_places=2, min_value=Decimal(0), **kwargs)


def _amount_field(**kwargs) -> LocalizedDecimalField:
    return LocalizedDecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), **kwargs)


class PublicControlForm(forms.Form):
    public_body_share = _percent_field(
        label=_("Share held by public bodies (%)"),
        required=False,
        help_text=_(
            "The part of your enterprise's capital or voting rights held by public bodies (the "
            "State, a region, a province, a municipality, a public company…), all together. "
            "Leave 0 if there is none. From 25 %, your enterprise is not an SME, except in "
            "the cases below."
        ),
    )
    public_body_exception = forms.ChoiceField(
        label=_("Are these public bodies one of the following investors?"),
        choices=[("", _("No, none of these")), *PublicBodyException.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Only if they hold 25 % to 50 %: then your enterprise can still be an SME."),
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
        help_text=_("Partner: a holding of 25 % to 50 %, either way. Linked: more than 50 %."),
    )
    share = _percent_field(
        label=_("Share held (%)"),
        help_text=_(
            "The share of capital or voting rights one of you holds in the other, whichever "
            "way. If each holds a share of the other, give the larger."
        ),
    )
    headcount = _staff_field(
        label=_("Its staff (full-time equivalents)"),
        help_text=_("For example 18.5."),
    )
    turnover = _amount_field(label=_("Its annual turnover (EUR)"), required=False)
    balance_sheet = _amount_field(label=_("Its balance sheet total (EUR)"), required=False)

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


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    side = settings.EXPERT_LOGO_MAX_SIDE
    if width is None:
        message = _("The logo has far too many pixels; the maximum is %(side)s x %(side)s.")
    else:
        message = _(
            "The logo is %(width)s x %(height)s pixels; the maximum is %(side)s x %(side)s."
        )
    return ValidationError(
        message, params={"width": width, "height": height, "side": side}, code="too_many_pixels"
    )


def check_logo_header(upload) -> None:
    """Read the width and height from the header only (no pixel is decoded): a small file can
    hold an image that takes gigabytes once decoded (a decompression bomb)."""
    source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its two thresholds: refuse those as well.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception:  # not an image at all: the image field says so in its own words
        return
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)
    if max(width, height) > settings.EXPERT_LOGO_MAX_SIDE:
        raise _too_many_pixels(width, height)


class LogoField(forms.ImageField):
    """An image field that checks the pixel dimensions before Pillow decodes anything."""

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "read"):  # never a path to open
            check_logo_header(data)
        return super().to_python(data)


def validate_logo(image) -> None:
    if image.size > settings.EXPERT_LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large (%(size)s); the maximum is %(max)s."),
            params={
                "size": filesizeformat(image.size),
                "max": filesizeformat(settings.EXPERT_LOGO_MAX_BYTES),
            },
            code="too_large",
        )
    # LogoField has already opened it with Pillow: a non-image never gets here.
    opened = getattr(image, "image", None)
    if getattr(opened, "format", None) not in {"PNG", "JPEG", "WEBP"}:
        raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."), code="format")
    width, height = opened.size
    if max(width, height) > settings.EXPERT_LOGO_MAX_SIDE:
        raise _too_many_pixels(width, height)


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
        from .selectors import pending_profile_change
        from .services import REVIEWED_FIELDS

        pending = pending_profile_change(expert)
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
        action = self.data.get("action", "")
        if action in STARTS_PERIOD and not self.errors:
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


class DirectoryForm(forms.Form):
    """The directory's query string: shareable, and tolerant (unknown values are dropped)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("recent", _("Most recently recognised")),
            ("files", _("Files delivered")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, choices in FACET_CHOICES.items():
            self.fields[kind] = forms.MultipleChoiceField(choices=choices, required=False)

    def to_query(self) -> DirectoryQuery:
        data = self.cleaned_data if self.is_valid() else self._valid_part()
        return DirectoryQuery(
            search=data.get("q") or "",
            selected={kind: data.get(kind) or [] for kind in FACET_CHOICES},
            sort=data.get("sort") if data.get("sort") in SORTS else "name",
        )

    def _valid_part(self) -> dict:
        # Keep the filters that make sense, drop the rest (an old shared link still works).
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


FACET_LABELS = {
    ExpertFacet.Kind.SPECIALITY: _("Speciality"),
    ExpertFacet.Kind.SECTOR: _("Sector"),
    ExpertFacet.Kind.PROVINCE: _("Province"),
    ExpertFacet.Kind.LANGUAGE: _("Language"),
    ExpertFacet.Kind.PROGRAMME: _("Programme"),
}
