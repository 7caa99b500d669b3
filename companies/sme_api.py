"""The SME declaration through the API: GET and PUT /api/v1/me/organisations/{id}/sme/.

The same declaration as the pages (the organisation's figures and "estimates" flag on its
details, public bodies' share and partner and linked enterprises on their own page), checked
by the same rules (companies/sme.py, run again by the service). Numbers are JSON numbers."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from adn_portal.accounts.api import Idempotent
from adn_portal.lib.api import error, reject_unknown_fields
from adn_portal.lib.decimals import PlainDecimalField
from adn_portal.lib.names import validate_plain_name

from . import selectors, services, sme
from .identifiers import format_enterprise_number
from .models import EnterpriseRelation, Organisation, PublicBodyException, SizeClass


def _checked(rule, *args, **kwargs):
    """A rule of companies/sme.py, its refusals as the API's field errors."""
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
        return _checked(sme.clean_related_enterprise, attrs)

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
    size_class = serializers.ChoiceField(choices=SizeClass.choices, read_only=True)
    counted = serializers.SerializerMethodField()

    @extend_schema_field(CountedSerializer)
    def get_counted(self, organisation: Organisation) -> dict:
        rows = organisation.related_enterprises.all()
        counted = sme.counted_figures(
            sme.own_figures(organisation), [sme.as_related(row) for row in rows]
        )
        return CountedSerializer(counted).data


class MyOrganisationSmeView(Idempotent, APIView):
    """What the EU SME definition counts for one of the caller's organisations: its own staff
    (full-time equivalents) and figures, public bodies' share, and its partner and linked
    enterprises. PUT (owners) replaces the whole declaration and answers the new size class."""

    def _organisation(self, pk: int) -> Organisation:
        return selectors.organisation_for_member(user=self.request.user, pk=pk)

    @extend_schema(responses=SmeDeclarationSerializer)
    def get(self, request, pk: int):
        return Response(SmeDeclarationSerializer(self._organisation(pk)).data)

    @extend_schema(request=SmeDeclarationSerializer, responses=SmeDeclarationSerializer)
    def put(self, request, pk: int):
        organisation = self._organisation(pk)
        serializer = SmeDeclarationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            organisation = _checked(
                services.organisation_declare_structure,
                organisation=organisation,
                public_body_share=data["public_body_share"],
                public_body_exception=data["public_body_exception"],
                related=data["related_enterprises"],
                figures=sme.Figures(data["headcount"], data["turnover"], data["balance_sheet"]),
                estimated_figures=data["estimated_figures"],
                by=request.user,
            )
        except services.CompanyError as refusal:
            return error(str(refusal), code="not_owner", status_code=403)
        return Response(SmeDeclarationSerializer(organisation).data)
