from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from adn_portal.accounts.api import NotFoundUnless
from adn_portal.accounts.permissions import STAFF, has_role

from . import dashboards, selectors
from .models import IndicatorValue


class KeyFigureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.DecimalField(
        max_digits=16,
        decimal_places=4,
        allow_null=True,
        help_text="null when there is no figure, or when it is hidden (see `hidden`).",
    )
    hidden = serializers.BooleanField(
        help_text="The figure describes fewer than 5 organisations: it is not published "
        "(the pages show “< 5”)."
    )
    unit = serializers.CharField()
    definition = serializers.CharField()


class KeyFiguresSerializer(serializers.Serializer):
    as_of = serializers.DateField(allow_null=True)
    figures = KeyFigureSerializer(many=True)


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


class IndicatorValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorValue
        fields = [
            "as_of",
            "indicator",
            "dimension",
            "key",
            "value",
            "numerator",
            "denominator",
            "organisations",
        ]


class IndicatorsView(APIView):
    """Every value of the latest snapshot, for staff (filter with ?indicator=&dimension=)."""

    permission_classes = [IsStaff]
    serializer_class = IndicatorValueSerializer

    @extend_schema(responses=IndicatorValueSerializer(many=True))
    def get(self, request):
        snapshot = selectors.latest_snapshot()
        rows = (
            IndicatorValue.objects.filter(as_of=snapshot.as_of)
            if snapshot.as_of
            else IndicatorValue.objects.none()
        )
        for name in ("indicator", "dimension"):
            if request.query_params.get(name):
                rows = rows.filter(**{name: request.query_params[name]})
        return Response(
            IndicatorValueSerializer(rows.order_by("indicator", "dimension", "key"), many=True).data
        )
