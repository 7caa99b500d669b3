"""Content written by staff in French, English and German (docs/domain.md, Programmes and
calls)."""

from django.utils import translation

CONTENT_LANGUAGES = ("fr", "en", "de")


def localized(base: str) -> property:
    """A read-only attribute returning `<base>_<active language>`, falling back to French
    (the language every text must exist in) when the translation is empty."""

    def getter(obj) -> str:
        language = (translation.get_language() or "fr")[:2]
        if language in CONTENT_LANGUAGES:
            value = getattr(obj, f"{base}_{language}")
            if value:
                return value
        return getattr(obj, f"{base}_fr")

    getter.__name__ = base
    return property(getter)
