import unicodedata


def fold(text: str) -> str:
    """Lower case without accents, so that "liege" finds "Liège" on every database."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
