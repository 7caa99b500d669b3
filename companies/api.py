from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from adn_portal.lib.api import CappedCursorPagination, Idempotent, reject_unknown_fields
from adn_portal.lib.names import validate_not_reserved, validate_plain_name

from . import selectors, services
from .forms import DirectoryForm, LogoField, validate_logo
from .models import Expert, Organisation


class ExpertPublicSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name", read_only=True)
    enterprise_number = serializers.CharField(
        source="organisation.enterprise_number_display", read_only=True
    )
    municipality = serializers.CharField(source="organisation.municipality", read_only=True)
    postcode = serializers.CharField(source="organisation.postcode", read_only=True)
    province = serializers.CharField(source="organisation.province", read_only=True)
    website = serializers.URLField(source="organisation.website", read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = Expert
        fields = [
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


class ExpertPagination(CappedCursorPagination):
    ordering = ("slug",)  # unique, and follows the name


class ExpertViewSet(viewsets.ReadOnlyModelViewSet):
    """Recognised experts (active recognitions only), with the directory's search and filters:
    q, speciality, sector, province, language, programme (repeat a filter for OR)."""

    permission_classes = [AllowAny]
    serializer_class = ExpertPublicSerializer
    pagination_class = ExpertPagination
    lookup_field = "slug"
    lookup_value_regex = r"[-a-z0-9]+"
    filter_backends = []

    def get_queryset(self):
        query = DirectoryForm(self.request.query_params).to_query()
        return selectors.directory_results(query, today=timezone.localdate()).order_by("slug")


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


class MyOrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisations the caller belongs to."""

    serializer_class = OrganisationSerializer
    lookup_value_regex = r"\d+"

    queryset = Organisation.objects.none()  # for the schema; the real one is per caller

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organisation.objects.none()
        return selectors.organisations_of(self.request.user).order_by("name")


class LogoUploadField(serializers.ImageField):
    """The pages' logo checks: pixel dimensions read from the header first, then size and
    format (multipart/form-data)."""

    def __init__(self, **kwargs):
        super().__init__(_DjangoImageField=LogoField, validators=[validate_logo], **kwargs)


@reject_unknown_fields
class ExpertProfileSerializer(serializers.ModelSerializer):
    # The public identity: the organisation's name and website, the logo.
    name = serializers.CharField(
        source="organisation.name", max_length=200, validators=[validate_plain_name]
    )
    website = serializers.URLField(
        source="organisation.website", max_length=200, allow_blank=True, required=False
    )
    logo = LogoUploadField(required=False, write_only=True)

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

    def validate_name(self, value: str) -> str:
        # Like the page: a new name may not pass for the AdN's (a name staff set stays).
        if self.instance is None or value != self.instance.organisation.name:
            validate_not_reserved(value)
        return value


class MyExpertProfileViewSet(Idempotent, viewsets.ViewSet):
    """The caller's expert company profile. Once the company is public, changes to its name,
    website, logo (multipart/form-data), public e-mail and phone, description or specialities
    wait for staff review, like on the pages: the public keeps the accepted version."""

    def _expert(self):
        from rest_framework.exceptions import NotFound

        expert = selectors.expert_of_member(user=self.request.user)
        if expert is None:
            raise NotFound()
        return expert

    @extend_schema(responses=ExpertProfileSerializer)
    def retrieve(self, request):
        return Response(ExpertProfileSerializer(self._expert()).data)

    @extend_schema(request=ExpertProfileSerializer, responses=ExpertProfileSerializer)
    def partial_update(self, request):
        expert = self._expert()
        serializer = ExpertProfileSerializer(expert, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.update(data.pop("organisation", {}))  # name and website: flat, as on the page
        try:
            change = services.expert_update_profile(expert=expert, data=data, by=request.user)
        except services.CompanyError as exc:
            from adn_portal.lib.api import error

            return error(str(exc), code="refused")
        expert.refresh_from_db()
        return Response(
            {**ExpertProfileSerializer(expert).data, "pending_review": change is not None}
        )
