from django.db.models import TextChoices
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from adn_portal.accounts.api import Idempotent
from adn_portal.lib.api import CappedCursorPagination
from adn_portal.lib.form_api import FormBody, with_defaults
from programs.models import Programme

from . import selectors, services
from .forms import DirectoryForm, ExpertProfileForm
from .models import Expert, Language, Organisation, Sector, Speciality, known_codes


class KnownCodes(serializers.ListField):
    """A stored list of codes as the public reads it: only the codes that are choices today."""

    def __init__(self, choices: type[TextChoices], **kwargs):
        self.choices_class = choices
        kwargs.setdefault("help_text", "Codes: " + ", ".join(choices.values))
        super().__init__(child=serializers.CharField(), **kwargs)

    def to_representation(self, data):
        return known_codes(data, self.choices_class)


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
    specialities = KnownCodes(Speciality, read_only=True)
    sectors = KnownCodes(Sector, read_only=True)
    languages = KnownCodes(Language, read_only=True)
    programmes = KnownCodes(Programme.Code, read_only=True)

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
        try:
            change = services.expert_update_profile(
                expert=expert, data=serializer.validated_data, by=request.user
            )
        except services.CompanyError as exc:
            from adn_portal.lib.api import error

            return error(str(exc), code="refused")
        expert.refresh_from_db()
        return Response(
            {**ExpertProfileSerializer(expert).data, "pending_review": change is not None}
        )
