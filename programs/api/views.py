"""/api/v1/programmes/ and /api/v1/calls/: public and read-only."""

from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from programs import selectors

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
