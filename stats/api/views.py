from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from adn_portal.accounts.api import NotFoundUnless
from adn_portal.accounts.permissions import STAFF, has_role

from .. import dashboards, selectors
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


class IndicatorsView(APIView):
    """Every value of the latest snapshot, for staff (filter with ?indicator=&dimension=)."""

    permission_classes = [IsStaff]
    serializer_class = IndicatorValueSerializer

    @extend_schema(responses=IndicatorValueSerializer(many=True))
    def get(self, request):
        rows = selectors.latest_values(
            indicator=request.query_params.get("indicator"),
            dimension=request.query_params.get("dimension"),
        )
        return Response(IndicatorValueSerializer(rows, many=True).data)
