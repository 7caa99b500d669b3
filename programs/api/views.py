"""/api/v1/programmes/ and /api/v1/calls/: public and read-only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from programs import selectors
from programs.application_forms.schema import form_schema
from programs.application_forms.versions import call_form_version

from .serializers import CallSerializer, ProgrammeSerializer


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    """The three programmes: public."""

    permission_classes = [AllowAny]
    serializer_class = ProgrammeSerializer
    queryset = selectors.programmes_in_order()
    lookup_field = "slug"
    lookup_value_regex = r"[-a-z0-9]+"
    pagination_class = None


class CallViewSet(viewsets.ReadOnlyModelViewSet):
    """Published calls with their state (open, upcoming, closed), computed from the dates."""

    permission_classes = [AllowAny]
    serializer_class = CallSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-z0-9]+"
    filterset_fields = {"programme__code": ["exact"]}

    def get_queryset(self):
        return selectors.calls_published()

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description=(
            "The call's current application form as a JSON Schema (draft 2020-12): one "
            "property per step (`x-steps` gives their order), one per question in each step, "
            "with display hints as `x-` keywords (`x-kind`, `x-label` in French, English and "
            "German, `x-help`, `x-choices`, `x-columns`, `x-show-if`, `x-role`, `x-unit`, "
            "`x-limit`) and the version (`x-version`). "
            "`PUT /api/v1/applications/{id}/steps/{step}/` checks a step's `data` against "
            "its property here (a draft saved as typed: its types only), then as the page does."
        ),
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def form(self, request, slug=None):
        call = self.get_object()
        version = call_form_version(call=call)
        return Response(form_schema(version.form, title=call.title, version=version.number))
