import unicodedata


def fold(text: str) -> str:
    """Lower case without accents, so that "liege" finds "Liège" on every database."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def without_nul(value):
    """Text as any column holds it: PostgreSQL refuses NUL in text and JSON (a 500), which a
    form refuses but a value stored as typed (a partial draft) may carry. Lists and objects
    are cleaned throughout; other values are returned as they are."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value
