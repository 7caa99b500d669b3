"""The API's views: the public directory of experts, the caller's organisations with their SME
declaration, and the caller's expert company profile."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from adn_portal.accounts.api import Idempotent
from adn_portal.lib.api import CappedCursorPagination, JSONParser, error

from .. import register, selectors, services, sme
from ..filters import ExpertFilter
from ..identifiers import normalise_enterprise_number
from ..models import Organisation
from ..selectors import DirectoryQuery
from .serializers import (
    ExpertProfileChangesSerializer,
    ExpertProfileSerializer,
    ExpertProfileWithLogoSerializer,
    ExpertPublicSerializer,
    OrganisationSerializer,
    RegisterEntrySerializer,
    SmeDeclarationSerializer,
    checked,
)


class ExpertPagination(CappedCursorPagination):
    ordering = ("slug",)  # unique, and follows the name


class ExpertViewSet(viewsets.ReadOnlyModelViewSet):
    """Recognised experts (active recognitions only), with the directory's search and filters:
    q, speciality, sector, province, language, programme (repeat a filter for OR; an unknown
    value is a 400), sorted by `ordering`. An expert is named by its `slug` everywhere."""

    permission_classes = [AllowAny]
    serializer_class = ExpertPublicSerializer
    pagination_class = ExpertPagination
    lookup_field = "slug"
    lookup_value_regex = r"[-a-z0-9]+"
    filterset_class = ExpertFilter

    def get_queryset(self):
        return selectors.directory_results(DirectoryQuery(), today=timezone.localdate())


class MyOrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisations the caller belongs to."""

    serializer_class = OrganisationSerializer
    lookup_value_regex = r"\d+"

    queryset = Organisation.objects.none()  # for the schema; the real one is per caller

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organisation.objects.none()
        return selectors.organisations_of(self.request.user).order_by("name")


class MyExpertProfileViewSet(Idempotent, viewsets.ViewSet):
    """The caller's expert company profile. Once the company is public, changes to its name,
    website, logo (multipart/form-data), public e-mail and phone, description or specialities
    wait for staff review, like on the pages: the public keeps the accepted version."""

    parser_classes = [JSONParser, MultiPartParser]  # the logo is an upload

    def _expert(self):
        expert = selectors.expert_of_member(user=self.request.user)
        if expert is None:
            raise NotFound()
        return expert

    @extend_schema(responses=ExpertProfileSerializer)
    def retrieve(self, request):
        return Response(ExpertProfileSerializer(self._expert()).data)

    @extend_schema(
        request={
            "application/json": ExpertProfileChangesSerializer,
            "multipart/form-data": ExpertProfileWithLogoSerializer,
        },
        responses=ExpertProfileSerializer,
    )
    def partial_update(self, request):
        expert = self._expert()
        serializer = ExpertProfileSerializer(expert, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            change = services.expert_update_profile(
                expert=expert, data=serializer.validated_data, by=request.user
            )
        except services.CompanyError as exc:
            return error(str(exc), code="refused")
        expert.refresh_from_db()
        return Response(
            {**ExpertProfileSerializer(expert).data, "pending_review": change is not None}
        )


class MyOrganisationSmeView(Idempotent, APIView):
    """What the EU SME definition counts for one of the caller's organisations: its own staff
    (full-time equivalents) and figures, public bodies' share, and its partner and linked
    enterprises. PUT (owners) replaces the whole declaration and answers the new size class."""

    def _organisation(self, pk: int) -> Organisation:
        organisation = selectors.organisation_for_member(user=self.request.user, pk=pk)
        if organisation is None:
            raise NotFound()
        return organisation

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
            organisation = checked(
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


class EnterpriseRegisterView(APIView):
    """What the enterprise register says of an enterprise number, for the organisation form's
    script (signed-in users; throttled: REGISTER_LOOKUP_RATE). 404 while the register is not
    loaded or when it does not list the number; a stopped enterprise comes with `active` false
    and the form's refusal as `message`."""

    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "register_lookup"

    @extend_schema(responses=RegisterEntrySerializer)
    def get(self, request, number: str):
        try:
            digits = normalise_enterprise_number(number)
        except DjangoValidationError as invalid:
            return error(invalid.messages[0], code=invalid.code or "invalid", field="number")
        extract = register.latest_extract()
        if extract is None:
            return error(
                _("The enterprise register is not loaded on this portal."),
                code="register_not_loaded",
                status_code=404,
            )
        found = register.entry(digits)
        refusal = register.refusal(digits, found, extract)
        if found is None:
            return error(refusal.messages[0], code=refusal.code, field="number", status_code=404)
        return Response(
            RegisterEntrySerializer(
                register.lookup(found, extract, message=refusal.messages[0] if refusal else "")
            ).data
        )
