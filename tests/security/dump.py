"""Every row of every table as text, to search the whole database for a secret or a person."""

from django.contrib.sessions.backends.db import SessionStore
from django.db import connection


def database_rows() -> list[tuple[str, str]]:
    """(table, row as text) for every row in the database, Django's and the libraries' tables
    included (sessions, django-axes, allauth, the admin log…)."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows += [(table, " | ".join(map(_text, row))) for row in cursor.fetchall()]
        # Sessions are signed and compressed: read them decoded too.
        cursor.execute("SELECT session_data FROM django_session")
        rows += [("django_session", str(SessionStore().decode(d))) for (d,) in cursor.fetchall()]
    return rows


def _text(value) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def tables_holding(*needles: str) -> dict[str, list[str]]:
    """The tables (and the needles found there) whose rows hold any of `needles`, ignoring case."""
    found: dict[str, set[str]] = {}
    lowered = [(n, n.lower()) for n in needles if n]
    for table, text in database_rows():
        text = text.lower()
        for needle, low in lowered:
            if low in text:
                found.setdefault(table, set()).add(needle)
    return {table: sorted(hits) for table, hits in found.items()}
