"""Belgian banking formats (docs/domain.md, After selection): the structured communication a
payment carries, and IBANs checked by schwifty (the maintained library that knows every
country's length, format and check digits, and Belgium's bank codes)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

# +++ddd/dddd/ddddd+++: ten digits, then two check digits.
_STRUCTURED = re.compile(r"\+\+\+(\d{3})/(\d{4})/(\d{3})(\d{2})\+\+\+", re.ASCII)
BASE_MAX = 10**10 - 1


def check_digits(base: int) -> int:
    """The last two digits: the first ten modulo 97, and 97 when that is 0."""
    return base % 97 or 97


def structured_communication(base: int) -> str:
    """`+++ddd/dddd/ddddd+++` for a number of at most ten digits (zero-padded on the left)."""
    if not 0 < base <= BASE_MAX:
        raise ValueError(f"A structured communication holds 1 to {BASE_MAX}, not {base}.")
    digits = f"{base:010d}{check_digits(base):02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def is_structured_communication(text: str) -> bool:
    match = _STRUCTURED.fullmatch(text)
    if match is None:
        return False
    base = int("".join(match.groups()[:3]))
    return base > 0 and check_digits(base) == int(match.group(4))


# Spaces people type in groups of four, and nothing else: ASCII letters and digits only (a
# full-width or Arabic-Indic digit is refused rather than read as another number).
_IBAN_TYPED = re.compile(r"[A-Za-z0-9 ]{1,50}", re.ASCII)


def iban_compact(value: str) -> str:
    """The IBAN as stored (`BE68539007547034`), or a ValidationError in plain words."""
    value = (value or "").strip()
    if not _IBAN_TYPED.fullmatch(value):
        raise ValidationError(
            _("An IBAN holds letters and digits only, such as BE68 5390 0754 7034."),
            code="iban_characters",
        )
    try:
        return IBAN(value).compact
    except SchwiftyException:
        raise ValidationError(
            _("This IBAN is not valid: check it against your bank statement."), code="iban"
        ) from None


def iban_display(compact: str) -> str:
    """`BE68 5390 0754 7034`: groups of four, as on a bank statement."""
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
