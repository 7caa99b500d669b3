"""Amounts and rates as the reader's language writes them: {{ call.ceiling_per_file|euros }}
gives "100 000 €", "€100,000" or "100.000 €"; {{ call.funding_rate|percent }} "50 %"."""

from decimal import Decimal, InvalidOperation

from django import template

from adn_portal.lib.decimals import format_amount, format_percent

register = template.Library()


def _number(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@register.filter
def euros(value) -> str:
    number = _number(value)
    return "" if number is None else format_amount(number)


@register.filter
def percent(value, places=2) -> str:
    """{{ share|percent:0 }}: rounded to whole percents ("89 %"); two decimals at most by
    default."""
    number = _number(value)
    return "" if number is None else format_percent(number, places=int(places))
