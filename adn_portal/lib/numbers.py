"""Whole numbers read from a URL or a form (page numbers, ids, years, versions)."""

import re

# ASCII digits only: str.isdigit() also says yes to "²" (which int() then refuses) and int()
# reads Arabic-Indic or full-width digits. 18 digits at most: every such number fits a 64-bit
# column, and int() never meets a string long enough to refuse it (4,300 digits).
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
BIGINT_MAX = 2**63 - 1


def whole_number(value, *, minimum: int = 0, maximum: int = BIGINT_MAX) -> int | None:
    """`value` as an int when it is written 0-9 and lies within [minimum, maximum], else None."""
    if not isinstance(value, str) or not _WHOLE_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None
