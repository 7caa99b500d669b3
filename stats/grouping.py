"""Every breakdown of a set of rows in one statement: GROUPING SETS on PostgreSQL; on SQLite,
which lacks them, the same sets as a UNION ALL.

The rows are an ORM queryset (joins, time zones and vendor quirks stay Django's business) or SQL
written in the stats app; only the grouping around them is written here."""

from collections.abc import Iterator

from django.db import connection
from django.db.models import QuerySet

from .models import Dimension as D

# The columns a breakdown may group on, and the grouping set behind each dimension.
COLUMNS = ("programme_code", "year", "province", "sector", "kind", "call_id")
SETS = {
    D.ALL: (),
    D.PROGRAMME: ("programme_code",),
    D.YEAR: ("year",),
    D.PROGRAMME_YEAR: ("programme_code", "year"),
    D.PROVINCE: ("province",),
    D.SECTOR: ("sector",),
    D.KIND: ("kind",),
    D.CALL: ("programme_code", "call_id"),
}


def _mask(group: tuple[str, ...], columns: list[str]) -> int:
    """PostgreSQL's GROUPING(programme_code, year, …): one bit per column, set when rolled up."""
    return sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if c not in group)


def grouped(
    rows: QuerySet | tuple[str, tuple], aggregates: dict[str, str], dimensions
) -> Iterator[tuple[str, dict]]:
    """Aggregate `rows` (a `.values()` queryset, or SQL and its parameters, with the COLUMNS the
    dimensions use) by every dimension given, in one statement; yield (dimension, aggregates
    with the group's key under "key").

    `aggregates` are SQL expressions over the rows' columns, written in this module."""
    inner, params = sql_of(rows)
    select = ", ".join(f"{sql} AS {name}" for name, sql in aggregates.items())
    sets = {dimension: SETS[dimension] for dimension in dimensions}
    columns = [c for c in COLUMNS if any(c in group for group in sets.values())]
    if connection.vendor == "postgresql":
        grouping_sets = ", ".join(f"({', '.join(group)})" for group in sets.values())
        sql = (
            f"SELECT GROUPING({', '.join(columns)}), {', '.join(columns)}, {select} "
            f"FROM ({inner}) AS f GROUP BY GROUPING SETS ({grouping_sets})"
        )
    else:
        parts = []
        for group in sets.values():
            keys = ", ".join(c if c in group else f"NULL AS {c}" for c in columns)
            group_by = f" GROUP BY {', '.join(group)}" if group else ""
            parts.append(
                f"SELECT {_mask(group, columns)}, {keys}, {select} FROM ({inner}) AS f{group_by}"
            )
        sql, params = " UNION ALL ".join(parts), tuple(params) * len(parts)
    dimension_of = {_mask(group, columns): dimension for dimension, group in sets.items()}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            dimension = dimension_of[values[0]]
            # An empty value (an organisation without a sector) keeps its empty key: "all"
            # names the whole, never a group.
            group = SETS[dimension]
            row["key"] = "|".join(_text(row[c]) for c in group) if group else "all"
            yield dimension, row


def sql_of(rows: QuerySet | tuple[str, tuple]) -> tuple[str, tuple]:
    if isinstance(rows, QuerySet):
        return rows.order_by().query.sql_with_params()
    return rows


def _text(value) -> str:
    return "" if value is None else str(value)
