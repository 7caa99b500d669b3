"""Statements compiled once per process: what a hot page reads by id, its SQL written by the
ORM the first time and run through `Model.objects.raw()` afterwards (which still converts
each column as its field does). Compiling a queryset was most of a small statement's Python
cost (0.6-0.9 ms, 5 ms for the staff file page's file, against 0.1 ms to run it); only the
ids change from one request to the next, so nothing read is kept, only the SQL (issue 23)."""

from datetime import date

from django.core.exceptions import EmptyResultSet

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
