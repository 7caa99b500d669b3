"""The staff indicators' filters in the API: one indicator, one dimension (their codes: an
unknown one is a 400)."""

from adn_portal.lib.filters import StrictFilterSet

from .models import IndicatorValue


class IndicatorFilter(StrictFilterSet):
    class Meta:
        model = IndicatorValue
        fields = ["indicator", "dimension"]  # choice filters, from the model's choices
