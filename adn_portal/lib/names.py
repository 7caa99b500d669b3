"""Names that e-mails and public pages show (organisations, people, expert companies,
references) stay one plain line: no line breaks, no invisible or control characters, no web
address, and nothing that passes for the Agence du Numérique.

Forms, API serializers and model fields use the same validators; templates that write a name
into an e-mail pass it through `one_line`."""

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .text import fold

# Cc: controls (NUL, tab, CR, LF…); Cf: invisible formatting (zero-width, bidi overrides);
# Zl, Zp: the Unicode line and paragraph separators.
_HIDDEN = {"Cc", "Cf", "Zl", "Zp"}
_LINE_BREAKS = set("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_WEB_ADDRESS = re.compile(r"://|\bwww\.", re.IGNORECASE)


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN


def one_line(value) -> str:
    """The text on one line: every control, invisible or line-breaking character becomes a
    space, runs of spaces become one. For names already stored before the rule existed."""
    text = "".join(" " if _hidden(c) else c for c in str(value or ""))
    return " ".join(text.split())


def validate_plain_name(value: str) -> None:
    if any(c in _LINE_BREAKS for c in value):
        raise ValidationError(_("Write the name on one line."), code="newline")
    if any(_hidden(c) for c in value):
        raise ValidationError(
            _("The name contains an invisible or control character: type it again."),
            code="control_character",
        )
    # NFKC: full-width letters and punctuation ("\uff57\uff57\uff57\uff0e") read as plain ones.
    if _WEB_ADDRESS.search(unicodedata.normalize("NFKC", value)):
        raise ValidationError(_("A name cannot contain a web address."), code="web_address")


def _words(text: str) -> str:
    """Lower case, no accents, every run of other characters one space, padded with spaces."""
    folded = fold(unicodedata.normalize("NFKC", text))
    return " " + " ".join(re.findall(r"[^\W_]+", folded)) + " "


def reserved_term_in(value: str) -> str | None:
    """The reserved term (settings.RESERVED_NAME_TERMS) the name uses as whole words, if any."""
    words = _words(value)
    for term in settings.RESERVED_NAME_TERMS:
        if _words(term).strip() and _words(term) in words:
            return term
    return None


def validate_not_reserved(value: str) -> None:
    term = reserved_term_in(value)
    if term is not None:
        raise ValidationError(
            _(
                "“%(term)s” is reserved for the Agence du Numérique and its programmes. "
                "If it really is part of your legal name, write to the AdN: its staff can "
                "register it for you."
            ),
            params={"term": term},
            code="reserved",
        )


# What people and organisations type as their name, on pages and through the API.
PUBLIC_NAME_VALIDATORS = [validate_plain_name, validate_not_reserved]
