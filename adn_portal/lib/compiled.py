"""Statements compiled once per process: what a hot page reads by id, its SQL written by the
ORM the first time and run through `Model.objects.raw()` afterwards (which still converts
each column as its field does). Compiling a queryset was most of a small statement's Python
cost (0.6-0.9 ms, 5 ms for the staff file page's file, against 0.1 ms to run it); only the
ids change from one request to the next, so nothing read is kept, only the SQL (issue 23)."""

from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connection

# Stand for the ids a statement compiled once takes (no row has them), in their order.
_ANY_IDS = (-2_000_000_017, -2_000_000_019)
_STATEMENTS: dict[tuple, tuple] = {}


def compiled_rows(name: str, queryset_of, *ids: int, key: tuple = ()) -> list:
    """The rows of `queryset_of(*ids)`, its SQL written by the ORM once per process and per
    `key` (all else it depends on: the ids are the only parameters that change)."""
    found = _STATEMENTS.get((name, *key))
    if found is None:
        if len(_STATEMENTS) >= 1000:  # some are kept per staff member: bounded
            _STATEMENTS.clear()
        stand_ins = _ANY_IDS[: len(ids)]
        queryset = queryset_of(*stand_ins)
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:  # e.g. a reviewer of no programme: no file, nothing to keep
            return []
        # Only the ids may change: a date (today, now) kept in the statement would go stale.
        if not set(stand_ins) <= set(params) or any(isinstance(p, date) for p in params):
            raise RuntimeError(f"{name}: the statement takes {params!r}")
        found = _STATEMENTS[(name, *key)] = (queryset.model, sql, params)
    model, sql, params = found
    value = dict(zip(_ANY_IDS, ids, strict=False))
    return list(model.objects.raw(sql, [value.get(p, p) for p in params]))


def by_id(model):
    """The queryset of one row of `model` by its id, for `compiled_rows`."""
    return lambda pk: model.objects.filter(pk=pk).order_by()


# {models: (SQL, each model with its fields' names and the columns to convert)}: written once
# per process.
_BY_IDS: dict[tuple, tuple] = {}


def _statement_by_ids(models: tuple) -> tuple:
    found = _BY_IDS.get(models)
    if found is None:
        quote = connection.ops.quote_name
        columns, tables, wanted, read = [], [], [], []
        for number, model in enumerate(models):
            alias, fields = f"t{number}", model._meta.concrete_fields
            converted = {}
            for position, field in enumerate(fields):
                column = field.get_col(alias)
                converters = connection.ops.get_db_converters(column)
                converters += column.get_db_converters(connection)
                if converters:
                    converted[position] = (column, converters)
                columns.append(f"{alias}.{quote(field.column)}")
            tables.append(f"{quote(model._meta.db_table)} {alias}")
            wanted.append(f"{alias}.{quote(model._meta.pk.column)} = %s")
            read.append((model, [field.attname for field in fields], converted))
        sql = f"SELECT {', '.join(columns)} FROM {', '.join(tables)} WHERE {' AND '.join(wanted)}"  # noqa: S608 — names from the models
        found = _BY_IDS[models] = (sql, read)
    return found


def rows_by_ids(*wanted: tuple) -> list:
    """One row of each model by its id (`(model, id)` pairs), every field loaded and converted
    as the ORM converts it, in one statement: each table is read by its primary key, so there
    is no join for PostgreSQL to plan, and one round trip instead of one a row (the four rows
    a step page reads beside its file took 0.9 ms of process and 0.4 ms of PostgreSQL in four
    statements, 0.25 and 0.25 in one: issue 23). For models whose default manager adds
    nothing to a plain read. LookupError when a row is missing."""
    sql, read = _statement_by_ids(tuple(model for model, _pk in wanted))
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk for _model, pk in wanted])
        row = cursor.fetchone()
    if row is None:
        raise LookupError(f"no row for {wanted!r}")
    found, start = [], 0
    for model, names, converted in read:
        values = list(row[start : start + len(names)])
        start += len(names)
        for position, (column, converters) in converted.items():
            for convert in converters:
                values[position] = convert(values[position], column, connection)
        found.append(model.from_db(connection.alias, names, values))
    return found
