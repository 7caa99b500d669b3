"""The API's bodies: the public directory's experts, the caller's organisations, the expert
profile (checked by the page's form), and the SME declaration (checked by companies/sme.py,
the pages' rules: GET and PUT /api/v1/me/organisations/{id}/sme/ take the same declaration as
the pages, its numbers as JSON numbers)."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from adn_portal.lib.api import reject_unknown_fields
from adn_portal.lib.decimals import PlainDecimalField
from adn_portal.lib.form_api import FormBody, with_defaults
from adn_portal.lib.names import validate_plain_name
from programs.models import Programme

from .. import sme
from ..forms.owner import ExpertProfileForm
from ..identifiers import format_enterprise_number
from ..models import (
    EnterpriseRelation,
    Expert,
    Language,
    Organisation,
    PublicBodyException,
    Sector,
    SizeClass,
    Speciality,
    known_codes,
)


class KnownCodes(serializers.ListField):
    """A stored list of codes as the public reads it: only the codes that are choices today."""

    def __init__(self, choices: type[TextChoices], **kwargs):
        self.choices_class = choices
        super().__init__(child=serializers.ChoiceField(choices=choices.choices), **kwargs)

    def to_representation(self, data):
        return known_codes(data, self.choices_class)


class ExpertPublicSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        read_only=True, help_text="What an application's expert step takes (`expert`)."
    )
    name = serializers.CharField(source="organisation.name", read_only=True)
    enterprise_number = serializers.CharField(
        source="organisation.enterprise_number_display", read_only=True
    )
    municipality = serializers.CharField(source="organisation.municipality", read_only=True)
    postcode = serializers.CharField(source="organisation.postcode", read_only=True)
    province = serializers.CharField(source="organisation.province", read_only=True)
    website = serializers.URLField(source="organisation.website", read_only=True)
    description = serializers.CharField(read_only=True)
    specialities = KnownCodes(Speciality, read_only=True)
    sectors = KnownCodes(Sector, read_only=True)
    languages = KnownCodes(Language, read_only=True)
    programmes = KnownCodes(Programme.Code, read_only=True)

    class Meta:
        model = Expert
        fields = [
            "id",
            "slug",
            "name",
            "enterprise_number",
            "municipality",
            "postcode",
            "province",
            "description",
            "specialities",
            "sectors",
            "languages",
            "programmes",
            "website",
            "public_email",
            "public_phone",
            "recognised_from",
            "recognised_until",
            "files_delivered",
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    enterprise_number = serializers.CharField(source="enterprise_number_display", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "enterprise_number",
            "kind",
            "postcode",
            "municipality",
            "province",
            "size_class",
            "sector",
        ]


class ExpertProfileSerializer(FormBody, serializers.ModelSerializer):
    """The profile as the page edits it. The body is checked by the page's form
    (`ExpertProfileForm`): a PATCH keeps the fields it leaves out, and the validated data is
    what changed, as the page sends it to the service."""

    name = serializers.CharField(source="organisation.name", max_length=200)
    website = serializers.URLField(
        source="organisation.website", max_length=200, allow_blank=True, required=False
    )
    logo = serializers.ImageField(
        required=False, write_only=True, help_text="multipart/form-data: PNG, JPEG or WebP."
    )
    specialities = KnownCodes(Speciality)
    sectors = KnownCodes(Sector)
    languages = KnownCodes(Language)
    programmes = KnownCodes(Programme.Code)

    class Meta:
        model = Expert
        fields = [
            "slug",
            "status",
            "recognised_from",
            "recognised_until",
            "name",
            "website",
            "logo",
            "description_fr",
            "description_en",
            "description_de",
            "specialities",
            "sectors",
            "languages",
            "programmes",
            "team_size",
            "public_email",
            "public_phone",
        ]
        read_only_fields = ["slug", "status", "recognised_from", "recognised_until"]

    def get_form(self, data, files) -> ExpertProfileForm:
        current = ExpertProfileForm.for_expert(self.instance).current_values()
        return ExpertProfileForm.for_expert(self.instance, with_defaults(data, current), files)

    def to_internal_value(self, data):
        super().to_internal_value(data)
        return self.form.changes()


class ExpertProfileWithLogoSerializer(ExpertProfileSerializer):
    """The profile's PATCH as multipart/form-data, the only way to send a logo (the schema
    names it apart from the JSON body, so that a generated client can tell them apart)."""


class ExpertProfileChangesSerializer(ExpertProfileSerializer):
    """The profile's PATCH as JSON: every field but the logo."""

    logo = None

    class Meta(ExpertProfileSerializer.Meta):
        fields = [name for name in ExpertProfileSerializer.Meta.fields if name != "logo"]


# ---------------------------------------------------------------------------------------------
# The SME declaration


def checked(rule, *args, **kwargs):
    """Run a rule of companies/sme.py (or a service running them): its refusals as the API's
    field errors."""
    try:
        return rule(*args, **kwargs)
    except DjangoValidationError as refusal:
        raise exceptions.ValidationError(
            {
                field: [
                    exceptions.ErrorDetail(message, code=error.code or "invalid")
                    for error in errors
                    for message in error.messages
                ]
                for field, errors in refusal.error_dict.items()
            }
        ) from None


def _percent(**kwargs) -> PlainDecimalField:
    return PlainDecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), **kwargs
    )


def _staff(**kwargs) -> PlainDecimalField:
    return PlainDecimalField(max_digits=8, decimal_places=2, min_value=Decimal(0), **kwargs)


def _amount(**kwargs) -> PlainDecimalField:
    return PlainDecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), **kwargs)


class RelatedEnterpriseList(serializers.ListSerializer):
    def to_internal_value(self, data):
        # Checked before any row is read; the refusal names the list itself (DRF's own would
        # name no field).
        if not isinstance(data, list):
            message = self.error_messages["not_a_list"].format(input_type=type(data).__name__)
            raise exceptions.ValidationError([exceptions.ErrorDetail(message, code="not_a_list")])
        if len(data) > sme.MAX_RELATED_ENTERPRISES:
            raise exceptions.ValidationError(
                [
                    exceptions.ErrorDetail(
                        _("Declare %(count)s enterprises at most.")
                        % {"count": sme.MAX_RELATED_ENTERPRISES},
                        code="too_many",
                    )
                ]
            )
        return super().to_internal_value(data)


@reject_unknown_fields
class RelatedEnterpriseSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, validators=[validate_plain_name])
    enterprise_number = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="BCE/KBO number, e.g. 0202.239.951; may be empty when `foreign` is true.",
    )
    foreign = serializers.BooleanField(required=False, default=False)
    relation = serializers.ChoiceField(choices=EnterpriseRelation.choices)
    share = _percent(help_text="Share of capital or voting rights held, either way (%).")
    headcount = _staff(help_text="Staff in full-time equivalents, e.g. 18.5.")
    turnover = _amount(required=False, allow_null=True, default=None)
    balance_sheet = _amount(required=False, allow_null=True, default=None)

    class Meta:
        list_serializer_class = RelatedEnterpriseList

    def validate(self, attrs):
        return checked(sme.clean_related_enterprise, attrs)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["enterprise_number"] = format_enterprise_number(data["enterprise_number"])
        return data


class CountedSerializer(serializers.Serializer):
    """What the size class is computed from: own figures, partner shares, linked in full."""

    # Sums of many enterprises may pass the digits one row holds.
    headcount = PlainDecimalField(max_digits=None, decimal_places=2, allow_null=True)
    turnover = PlainDecimalField(max_digits=None, decimal_places=2, allow_null=True)
    balance_sheet = PlainDecimalField(max_digits=None, decimal_places=2, allow_null=True)


@reject_unknown_fields
class SmeDeclarationSerializer(serializers.Serializer):
    headcount = _staff(allow_null=True, help_text="Own staff in full-time equivalents.")
    turnover = _amount(allow_null=True)
    balance_sheet = _amount(allow_null=True)
    estimated_figures = serializers.BooleanField(
        required=False,
        default=False,
        help_text="No closed accounts yet: the figures are good-faith estimates.",
    )
    public_body_share = _percent(required=False, default=Decimal(0))
    public_body_exception = serializers.ChoiceField(
        choices=PublicBodyException.choices, required=False, allow_blank=True, default=""
    )
    related_enterprises = RelatedEnterpriseSerializer(many=True, required=False, default=list)
    size_class = serializers.ChoiceField(
        choices=SizeClass.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty while the figures needed are missing.",
    )
    counted = serializers.SerializerMethodField()

    @extend_schema_field(CountedSerializer)
    def get_counted(self, organisation: Organisation) -> dict:
        rows = organisation.related_enterprises.all()
        counted = sme.counted_figures(
            sme.own_figures(organisation), [sme.as_related(row) for row in rows]
        )
        return CountedSerializer(counted).data


class RegisterEntrySerializer(serializers.Serializer):
    """What the enterprise register says of an enterprise number (companies/register.py), as
    the organisation form's script fills the form in with it."""

    number = serializers.CharField()
    active = serializers.BooleanField()
    message = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    legal_form = serializers.CharField()
    legal_form_label = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    street = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField(allow_blank=True)
    municipality = serializers.CharField(allow_blank=True)
    province = serializers.CharField(allow_blank=True)
    nace_codes = serializers.ListField(child=serializers.CharField())
    sector = serializers.CharField(allow_blank=True)
    sector_label = serializers.CharField(allow_blank=True)
    register_date = serializers.DateField()
