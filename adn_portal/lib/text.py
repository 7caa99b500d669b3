import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .decimals import format_decimal


def fold(text: str) -> str:
    """Lower case without accents, so that "liege" finds "Liège" on every database."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class LongTextField(forms.CharField):
    """A long answer, with the limit of its kind (settings.TEXT_LIMITS: "long", "brief").

    The limit is counted as the page's counter counts (static/js/application-form.js): a line
    break is one character, whatever the browser sends ("\\r\\n"). No `maxlength` attribute:
    a browser would silently cut a pasted text at the limit; the counter says how much is
    over, and the form refuses it with the same words on the page and through the API."""

    def __init__(self, *, kind: str = "long", rows: int = 4, **kwargs):
        self.kind = kind
        self.limit = settings.TEXT_LIMITS[kind]
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(**kwargs)
        self.validators.append(self._within_limit)

    def to_python(self, value):
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "data-limit": str(self.limit)}

    def _within_limit(self, value: str) -> None:
        if len(value) > self.limit:
            raise ValidationError(
                _("This text has %(count)s characters: shorten it to %(limit)s at most."),
                code="max_length",
                params={
                    "count": format_decimal(len(value), language=get_language()),
                    "limit": format_decimal(self.limit, language=get_language()),
                },
            )
