from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from adn_portal.accounts.api import NotFoundUnless
from adn_portal.accounts.permissions import STAFF, has_role

from .. import dashboards, selectors
from ..filters import IndicatorFilter
from ..models import IndicatorValue
from .serializers import IndicatorValueSerializer, KeyFigureSerializer, KeyFiguresSerializer


class KeyFiguresView(APIView):
    """The public headline figures of the latest snapshot."""

    permission_classes = [AllowAny]
    serializer_class = KeyFiguresSerializer

    def get(self, request):
        snapshot = selectors.latest_snapshot(public=True)  # small cells hidden
        return Response(
            {
                "as_of": snapshot.as_of,
                "figures": KeyFigureSerializer(dashboards.headline(snapshot), many=True).data,
            }
        )


class IsStaff(NotFoundUnless):
    def check(self, request) -> bool:
        return has_role(request.user, *STAFF)


class IndicatorsView(ListAPIView):
    """Every value of the latest snapshot, for staff (filter with ?indicator=&dimension=)."""

    permission_classes = [IsStaff]
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorFilter
    pagination_class = None  # one snapshot: a few hundred rows
    queryset = IndicatorValue.objects.none()  # for the schema; the real one is the latest

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IndicatorValue.objects.none()
        return selectors.latest_values()
