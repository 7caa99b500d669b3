"""Decimal numbers typed by people (staff in FTE, amounts in euros) and sent by programs.

Pages read the number the way the active language writes it: French 1 100 000,50 or
1.100.000,50; German 1.100.000,50; English 1,100,000.50; a space groups thousands in all three.
Anything that could be read two ways, or that a person would not type, is refused with a field
error rather than guessed: "18.5" in French is not silently 185. The API takes JSON numbers, or
strings that are plain numbers ("18.5"), never a localised or scientific form."""

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Longer than any figure the portal stores (14 digits and their separators): refused before
# any work, whatever was pasted.
MAX_INPUT_LENGTH = 32
_SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space (French grouping)
# ASCII digits only: Decimal() also reads Arabic-Indic or full-width digits.
_DIGITS = re.compile(r"[0-9]+")
_TYPED = re.compile(rf"-?[0-9.,{_SPACES}]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:(?P<mark>[ .,])[0-9]{3})(?:(?P=mark)[0-9]{3})*")


@dataclass(frozen=True)
class _Style:
    decimal: str  # the decimal mark; the other of "." and "," groups thousands, as a space does
    example: str
    hint: str


def _styles() -> dict[str, _Style]:
    return {
        "fr": _Style(",", "1 100 000,50", _("Use a comma for the decimals, e.g. 18,5.")),
        "de": _Style(",", "1.100.000,50", _("Use a comma for the decimals, e.g. 18,5.")),
        "en": _Style(".", "1,100,000.50", _("Use a point for the decimals, e.g. 18.5.")),
    }


def _style(language: str | None) -> _Style:
    styles = _styles()
    return styles.get((language or "fr")[:2], styles["fr"])


def parse_decimal(text: str, *, language: str | None) -> Decimal:
    """`text` as a Decimal, read in `language`'s way; ValidationError saying how to write it."""
    style = _style(language)
    unreadable = ValidationError(
        _("We cannot read this number: write it like %(example)s."),
        code="invalid",
        params={"example": style.example},
    )
    text = text.strip(_SPACES + "\t\r\n")
    if len(text) > MAX_INPUT_LENGTH:
        raise ValidationError(_("This number is too long."), code="too_long")
    if not _TYPED.fullmatch(text):
        raise ValidationError(
            _("Write the number with the digits 0 to 9, e.g. %(example)s."),
            code="odd_characters",
            params={"example": style.example},
        )
    negative = text.startswith("-")
    body = re.sub(f"[{_SPACES}]", " ", text.removeprefix("-"))
    integer, mark, fraction = body.partition(style.decimal)
    if mark and not _DIGITS.fullmatch(fraction):
        raise unreadable  # "18,", "1,5,0", "1,000 5"
    if _DIGITS.fullmatch(integer):
        digits = integer
    elif _GROUPED.fullmatch(integer):
        digits = re.sub("[ .,]", "", integer)
    else:
        other = "," if style.decimal == "." else "."
        head, _other, tail = integer.rpartition(other)
        if not mark and _DIGITS.fullmatch(head) and _DIGITS.fullmatch(tail):
            raise ValidationError(style.hint, code="decimal_mark")  # "18.5" in French
        raise unreadable
    return Decimal(("-" if negative else "") + digits + ("." + fraction if mark else ""))


def format_decimal(value: Decimal | int, *, language: str | None) -> str:
    """`value` written so that `parse_decimal` reads it back in `language`: thousands grouped
    by a space, no trailing zeros (18,5 ; 1 100 000)."""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    integer, _mark, fraction = text.partition(".")
    sign = "-" if integer.startswith("-") else ""
    integer = integer.removeprefix("-")
    grouped = f"{int(integer):,}".replace(",", " ")
    return sign + grouped + (_style(language).decimal + fraction if fraction else "")


def _displayed(value: Decimal | int, places: int, language: str | None) -> str:
    with translation.override(language or translation.get_language() or "fr"):
        return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _language(language: str | None) -> str:
    return (language or translation.get_language() or "fr")[:2]


def format_amount(value: Decimal | int, *, language: str | None = None) -> str:
    """An amount in euros as a reader of `language` expects it: 100 000 € (fr), 100.000 € (de),
    €100,000 (en); cents only when there are some. For reading, not for an input box."""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    number = _displayed(value, places, language)
    return f"€{number}" if _language(language) == "en" else f"{number}\u00a0€"


def format_percent(value: Decimal | int, *, language: str | None = None, places: int = 2) -> str:
    """A rate as `language` writes it: 50 % (fr, de), 50% (en); rounded to at most `places`
    decimals (half up), without trailing zeros (37,5 %)."""
    value = Decimal(value)
    exponent = value.as_tuple().exponent
    # Only what has more decimals is rounded: 1E+30 would not fit the context's 28 digits.
    if isinstance(exponent, int) and exponent < -places:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    exponent = value.normalize().as_tuple().exponent
    places = min(-exponent, places) if isinstance(exponent, int) and exponent < 0 else 0
    number = _displayed(value, places, language)
    return f"{number}%" if _language(language) == "en" else f"{number}\u00a0%"


class LocalizedDecimalField(forms.DecimalField):
    """A form field that reads numbers as the active language writes them (a text box: the
    browsers' number box knows only one way). A number that is not text (a JSON number sent
    to the API through the same form) is taken as it is: there is nothing to guess."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            return Decimal(repr(value))
        if isinstance(value, (int, Decimal)):
            return Decimal(value)
        return parse_decimal(str(value), language=translation.get_language())

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return format_decimal(value, language=translation.get_language())
        return value


_PLAIN = re.compile(r"-?[0-9]{1,20}(?:\.[0-9]{1,20})?")


class PlainDecimalField(serializers.DecimalField):
    """A JSON number, or a string that is a plain number ("18.5"); answered as a JSON number.
    Localised ("18,5", "1.100.000") or scientific ("1e6") strings are refused, not guessed."""

    default_error_messages = {
        "not_plain": _(
            "Send a JSON number, e.g. 18.5 (or a string of digits with a point for the decimals)."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("not_plain")
        if isinstance(data, float):
            if not math.isfinite(data):
                self.fail("not_plain")
            # The shortest text that reads back as this float (18.5, not 18.5000000000000001),
            # written out in full (JSON's 1e16 is 10000000000000000).
            data = f"{Decimal(repr(data)):f}"
        elif isinstance(data, int):
            data = str(data)
        elif not isinstance(data, str) or not _PLAIN.fullmatch(data):
            self.fail("not_plain")
        return super().to_internal_value(data)
