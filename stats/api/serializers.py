from rest_framework import serializers

from ..models import IndicatorValue


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
