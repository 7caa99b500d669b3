"""Form fields the portal's organisation and expert forms share with the admin: they check
what the services derive from (the enterprise number, the NACE codes) and what a logo may be."""

import warnings
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

from adn_portal.lib.decimals import LocalizedDecimalField

from ..identifiers import normalise_enterprise_number


class EnterpriseNumberField(forms.CharField):
    """Accepts 0202.239.951, BE0202239951, 202 239 951…; cleans to the 10 digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Enterprise number (BCE/KBO)"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("For example 0202.239.951."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalise_enterprise_number(value) if value else value


class NaceCodesField(forms.CharField):
    """NACE codes typed on one line, separated by commas; cleans to the list of codes."""

    def prepare_value(self, value):
        return ", ".join(map(str, value)) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        raw = super().to_python(value)
        ProhibitNullCharactersValidator()(raw)  # the list would hide a NUL from the validator
        return [c.strip() for c in raw.replace(";", ",").split(",") if c.strip()]

    def validate(self, value) -> None:
        super().validate(value)
        invalid = [c for c in value if not _is_nace(c)]
        if invalid:
            raise ValidationError(
                _("Not a NACE code: %(codes)s (expected e.g. 62.010)."),
                params={"codes": ", ".join(invalid)},
            )


def _is_nace(code: str) -> bool:
    digits = code.replace(".", "")
    return digits.isascii() and digits.isdigit() and 2 <= len(digits) <= 5  # not "²²"


def percent_field(**kwargs) -> LocalizedDecimalField:
    return LocalizedDecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), **kwargs
    )


def staff_field(**kwargs) -> LocalizedDecimalField:
    return LocalizedDecimalField(max_digits=8, decimal_places=2, min_value=Decimal(0), **kwargs)


def amount_field(**kwargs) -> LocalizedDecimalField:
    return LocalizedDecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), **kwargs)


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    side = settings.EXPERT_LOGO_MAX_SIDE
    if width is None:
        message = _("The logo has far too many pixels; the maximum is %(side)s x %(side)s.")
    else:
        message = _(
            "The logo is %(width)s x %(height)s pixels; the maximum is %(side)s x %(side)s."
        )
    return ValidationError(
        message, params={"width": width, "height": height, "side": side}, code="too_many_pixels"
    )


def check_logo_header(upload) -> None:
    """Read the width and height from the header only (no pixel is decoded): a small file can
    hold an image that takes gigabytes once decoded (a decompression bomb)."""
    source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its two thresholds: refuse those as well.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception:  # not an image at all: the image field says so in its own words
        return
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)
    if max(width, height) > settings.EXPERT_LOGO_MAX_SIDE:
        raise _too_many_pixels(width, height)


class LogoField(forms.ImageField):
    """An image field that checks the pixel dimensions before Pillow decodes anything."""

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "read"):  # never a path to open
            check_logo_header(data)
        return super().to_python(data)


def validate_logo(image) -> None:
    if image.size > settings.EXPERT_LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large (%(size)s); the maximum is %(max)s."),
            params={
                "size": filesizeformat(image.size),
                "max": filesizeformat(settings.EXPERT_LOGO_MAX_BYTES),
            },
            code="too_large",
        )
    # LogoField has already opened it with Pillow: a non-image never gets here.
    opened = getattr(image, "image", None)
    if getattr(opened, "format", None) not in {"PNG", "JPEG", "WEBP"}:
        raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."), code="format")
    width, height = opened.size
    if max(width, height) > settings.EXPERT_LOGO_MAX_SIDE:
        raise _too_many_pixels(width, height)
