"""Seek (keyset) pagination for long lists: a page starts just after (or ends just before) a
row's sort values, which the next and previous links carry in a `cursor`. A page reached
through them is an index range from that row on, so page 20,000 costs what page 1 costs;
OFFSET, which a page typed by its number still needs (`numbered_page`), walks every row before
it. The list's size is counted no further than `COUNT_CAP` (a filter matching a million files
is "more than 10,000", not a count of the million).

Order: descending keys put NULL first and ascending ones last (PostgreSQL's own defaults, so
that its indexes serve the order; SQLite is told the same); the primary key comes last, so the
order is total and a position names one row."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import BooleanField, F, IntegerField, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query
from django.utils import timezone

from .numbers import BIGINT_MAX, whole_number

COUNT_CAP = 10_000
# Far past any list's end (a page label, carried by the cursor).
MAX_PAGE_NUMBER = 2**31


@dataclass(frozen=True)
class Key:
    """A sort key: a field (a path through relations, e.g. "organisation__name") and a way."""

    name: str
    descending: bool

    def expression(self, *, reverse: bool = False):
        descending = self.descending != reverse
        return (
            F(self.name).desc(nulls_first=True) if descending else F(self.name).asc(nulls_last=True)
        )


def keys_of(ordering: list[str] | tuple[str, ...]) -> tuple[Key, ...]:
    """Keys from Django's ordering strings ("-submitted_at"), the primary key added last in the
    first key's way when it is not there."""
    keys = [Key(o.lstrip("-"), o.startswith("-")) for o in ordering]
    if not keys or keys[-1].name not in ("pk", "id"):
        keys.append(Key("pk", keys[0].descending if keys else True))
    return tuple(keys)


class CappedCount(Subquery):
    """How many rows `queryset` gives, counted up to `cap` + 1 (one more says "more than `cap`"):
    a scalar subquery in the page's own statement, which PostgreSQL and SQLite run once."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) capped_count)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, cap: int):
        super().__init__(queryset.order_by().values("pk")[: cap + 1])


class _WithFound(Query):
    """A statement said after a common table expression (`found`: "WITH … AS (…)" and its
    parameters), which its own SQL reads."""

    found: tuple[str, tuple] = ("", ())

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        as_sql, (found, found_params) = compiler.as_sql, self.found

        def with_found(*args, **kwargs):
            sql, params = as_sql(*args, **kwargs)
            return f"{found} {sql}", (*found_params, *params)

        compiler.as_sql = with_found
        return compiler


def _first_of_found(queryset: QuerySet, listed: QuerySet, keys, cap: int, size: int, order):
    """`queryset`'s rows among the first `size` of `listed` in the order of `keys`, each with
    `seek_total`: how many rows `listed` gives, counted up to `cap` + 1. `listed` is read once
    up to the cap + 1, with the rows' sort values (`seek_found`): when that is all of it, the
    count is theirs and the page their first `size` in order (one reading where a page and its
    count read the list twice); when there are more, the page is read from `listed` in its
    order, as without (the one-time condition spares the other branch). The sort keys are
    the list's own columns (no relation joined for 10,001 rows)."""
    found_sql, found_params = (
        listed.order_by()
        .annotate(**{f"seek_k{i}": F(key.name) for i, key in enumerate(keys)})
        .values_list("pk", *(f"seek_k{i}" for i in range(len(keys))))[: cap + 1]
        .query.sql_with_params()
    )
    columns = ", ".join(f"k{i}" for i in range(len(keys)))
    by_keys = ", ".join(
        f"k{i} DESC NULLS FIRST" if key.descending else f"k{i} ASC NULLS LAST"
        for i, key in enumerate(keys)
    )
    beyond = RawSQL("(SELECT COUNT(*) FROM seek_found) > %s", (cap,), output_field=BooleanField())
    chosen_sql, chosen_params = (
        listed.filter(beyond).order_by(*order).values("pk")[:size].query.sql_with_params()
    )
    # The first rows of seek_found when it holds the whole list, else those of the list.
    first = (
        f"SELECT id FROM (SELECT id FROM seek_found WHERE (SELECT COUNT(*) FROM seek_found) <= %s"  # noqa: S608 — the ORM's SQL, values as parameters
        f" ORDER BY {by_keys} LIMIT %s) seek_first UNION ALL SELECT * FROM ({chosen_sql}) seek_chosen"
    )
    rows = (
        queryset.filter(
            pk__in=RawSQL(first, (cap, size, *chosen_params))  # noqa: S611 — the ORM's SQL
        )
        .annotate(
            seek_total=RawSQL("SELECT COUNT(*) FROM seek_found", (), output_field=IntegerField())
        )
        .order_by(*order)
    )
    query = rows.query.clone()
    query.__class__ = _WithFound
    query.found = (f"WITH seek_found (id, {columns}) AS ({found_sql})", found_params)
    rows.query = query
    return rows


@dataclass
class Cursor:
    """A position in the list: after (next) or before (previous) the row whose sort values are
    `values`; `number` is the page it opens, for the page's label only."""

    values: tuple
    forward: bool
    number: int

    def encode(self, keys: tuple[Key, ...]) -> str:
        data = {
            "k": _names(keys),
            "v": [_plain(v) for v in self.values],
            "d": "n" if self.forward else "p",
            "n": self.number,
        }
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text, keys: tuple[Key, ...], model) -> "Cursor | None":
        """The cursor `text` holds for this order, or None when it is not one (tampered, cut,
        or made for another sort): the caller shows the first page, as for a junk page number."""
        if not isinstance(text, str) or not text or len(text) > 2000:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (binascii.Error, ValueError):
            return None
        if not isinstance(data, dict) or data.get("k") != _names(keys):
            return None
        raw, number = data.get("v"), whole_number(str(data.get("n")), minimum=1)
        if not isinstance(raw, list) or len(raw) != len(keys) or data.get("d") not in ("n", "p"):
            return None
        if number is None or number > MAX_PAGE_NUMBER:
            return None
        values = []
        for key, value in zip(keys, raw, strict=True):
            ok, value = _read(model, key.name, value)
            if not ok:
                return None
            values.append(value)
        return cls(tuple(values), data["d"] == "n", number)


def _names(keys: tuple[Key, ...]) -> list[str]:
    return [f"{'-' if k.descending else ''}{k.name}" for k in keys]


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _field(model, path: str):
    meta = model._meta
    field = None
    for part in path.split("__"):
        field = meta.pk if part == "pk" else meta.get_field(part)
        if field.is_relation and field.related_model is not None:
            meta = field.related_model._meta
    return field


def _read(model, path: str, value) -> tuple[bool, object]:
    """(readable, value): a cursor's value checked as its column would hold it."""
    if value is None:
        return _field(model, path).null, None
    if not isinstance(value, str | int) or isinstance(value, bool):
        return False, None
    text = str(value)
    if "\x00" in text or len(text) > 500:
        return False, None
    try:
        field = _field(model, path)
    except FieldDoesNotExist:
        return False, None
    if field.primary_key or isinstance(field, IntegerField):
        number = whole_number(text, minimum=0, maximum=BIGINT_MAX)
        return number is not None, number
    try:
        cleaned = field.to_python(text)
    except ValidationError:
        return False, None
    if isinstance(cleaned, datetime) and timezone.is_naive(cleaned):
        return False, None
    return True, cleaned


def _nullable(model, path: str) -> bool:
    return _field(model, path).null


def _beyond(keys: tuple[Key, ...], values: tuple, model, *, reverse: bool) -> tuple[Q, bool]:
    """(condition, tail): the rows past `values` in the order of `keys` (read backwards when
    `reverse`), without the first key's NULL group when it lies past them (`tail`: the caller
    reads it apart, as an index range cannot hold it)."""
    parts, equal = [], Q()
    tail = False
    for i, (key, value) in enumerate(zip(keys, values, strict=True)):
        descending = key.descending != reverse
        nullable = _nullable(model, key.name)
        if value is None:
            past = Q(**{f"{key.name}__isnull": False}) if descending else None
            same = Q(**{f"{key.name}__isnull": True})
        else:
            past = Q(**{f"{key.name}__{'lt' if descending else 'gt'}": value})
            if nullable and not descending:  # NULLs come last, after every value
                if i == 0:
                    tail = True
                else:
                    past |= Q(**{f"{key.name}__isnull": True})
            same = Q(**{key.name: value})
        if past is not None:
            parts.append(equal & past)
        equal &= same
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    first, value = keys[0], values[0]
    if value is not None:
        # The same range said as the first key's bound alone: an index condition PostgreSQL
        # starts its scan at (it does not derive one from the OR above).
        bound = "lte" if first.descending != reverse else "gte"
        condition = Q(**{f"{first.name}__{bound}": value}) & condition
    return condition, tail


@dataclass
class SeekPage:
    """A page of a list as the queue shows it. `count` is the list's length when known
    exactly, else None with `more_than` (the cap) set; `next_cursor` and `previous_cursor` are
    None where there is no such page (`previous_is_first`: the previous page is the first,
    linked without a cursor)."""

    object_list: list
    number: int
    count: int | None
    more_than: int | None
    next_cursor: str | None
    previous_cursor: str | None
    previous_is_first: bool
    per_page: int

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_is_first or self.previous_cursor is not None

    @property
    def num_pages(self) -> int | None:
        return None if self.count is None else max(1, -(-self.count // self.per_page))


def _with_keys(queryset: QuerySet, keys: tuple[Key, ...]) -> QuerySet:
    """The rows with their sort values (read into the links' cursors) as columns of their own:
    never a deferred field loaded row by row, nor a relation followed."""
    return queryset.annotate(**{f"seek_{i}": F(key.name) for i, key in enumerate(keys)})


def _values(row, keys: tuple[Key, ...]) -> tuple:
    return tuple(getattr(row, f"seek_{i}") for i in range(len(keys)))


def _count(total: int | None, cap: int, *, known: bool) -> tuple[int | None, int | None]:
    """(exact count, "more than") of a list: a count the caller gave is exact."""
    if total is None or known:
        return total, None
    return (None, cap) if total > cap else (total, None)


def seek_page(
    queryset: QuerySet,
    ordering,
    cursor_text,
    per_page: int,
    *,
    count: int | None = None,
    counted: QuerySet | None = None,
    cap: int | None = None,
    read: QuerySet | None = None,
    once: bool = False,
) -> SeekPage:
    """The page `cursor_text` points at (the first page when it is None or not a cursor of this
    order), in one statement: its rows (one more, to know whether a next page exists) and,
    when `count` is not given, the capped count of `counted` (by default `queryset`; pass the
    list before the row's joins and annotations, which counting and choosing the page's rows
    do not need).

    The page's rows are chosen by their ids first, from `counted` alone, then read with their
    joins and annotations (a "deferred join" in one statement): the ids of a filtered list can
    come from an index that holds the filtered columns (index-only), where reading rows
    checks each candidate's filters in the table. `read`, when given, is how the chosen rows
    are read (their joins and annotations, without the list's filters, which the ids already
    passed: compiled and planned once, not twice); by default `queryset`.

    `once`: the first page's rows and the capped count read from one reading of the list, in
    its order, up to the cap + 1 (`_first_of_found`), where they otherwise read it twice (the
    page's first rows in order, then up to the cap + 1 in any order). For a list read whole
    either way, as a search's (its trigram bitmap built once, not twice); a broad list its
    order's index gives row by row costs more so (10,001 rows in order, not 26)."""
    keys = keys_of(ordering)
    cap = COUNT_CAP if cap is None else cap
    model = queryset.model
    listed = counted if counted is not None else queryset
    reader = read if read is not None else queryset
    cursor = Cursor.decode(cursor_text, keys, model) if cursor_text else None
    forward = cursor is None or cursor.forward
    order = [k.expression(reverse=not forward) for k in keys]
    chosen = listed.order_by(*order)
    tail = False
    if cursor is not None:
        condition, tail = _beyond(keys, cursor.values, model, reverse=not forward)
        chosen = chosen.filter(condition)
    if once and count is None and cursor is None and all("__" not in k.name for k in keys):
        # The first page: its rows and the capped count from one reading of the list (its
        # sort values read with it: the list's own columns, not a relation's to join).
        rows = list(
            _first_of_found(_with_keys(reader, keys), listed, keys, cap, per_page + 1, order)
        )
    else:
        rows_query = (
            _with_keys(reader, keys)
            .filter(pk__in=chosen.values("pk")[: per_page + 1])
            .order_by(*order)
        )
        if count is None:
            rows_query = rows_query.annotate(seek_total=CappedCount(listed, cap))
        rows = list(rows_query[: per_page + 1])
    if tail and len(rows) <= per_page:
        # The first key's NULL group, past every value: read apart (never, for a list whose
        # first key is always set).
        first = keys[0]
        nulls = (
            listed.filter(**{f"{first.name}__isnull": True})
            .order_by(*order[1:])
            .values("pk")[: per_page + 1 - len(rows)]
        )
        nulls_query = _with_keys(reader, keys).filter(pk__in=nulls).order_by(*order)
        if count is None:
            nulls_query = nulls_query.annotate(seek_total=CappedCount(listed, cap))
        rows += list(nulls_query)
    total = count if count is not None else (rows[0].seek_total if rows else None)
    if total is None and cursor is None:
        total = 0  # the first page, empty: nothing matches
    exact, more_than = _count(total, cap, known=count is not None)
    more = len(rows) > per_page
    rows = rows[:per_page]
    if not forward:
        rows.reverse()
    number = cursor.number if cursor else 1
    if cursor is None:
        has_next, has_previous = more, False
    elif forward:
        has_next, has_previous = more, True
    else:
        has_next, has_previous = bool(rows), more
        if not more:
            number = 1  # the top of the list, whatever the link said
    previous_cursor = None
    if has_previous and rows and number > 2:
        previous_cursor = Cursor(_values(rows[0], keys), False, number - 1).encode(keys)
    return SeekPage(
        object_list=rows,
        number=number,
        count=exact,
        more_than=more_than,
        next_cursor=Cursor(_values(rows[-1], keys), True, number + 1).encode(keys)
        if has_next
        else None,
        previous_cursor=previous_cursor,
        previous_is_first=has_previous and previous_cursor is None,
        per_page=per_page,
    )


def _typed_number(text) -> int | None:
    """A page number as typed: a whole number ≥ 1, None for one below 1 (the last page, as
    Django's paginator says), 1 for anything else (not a number)."""
    number = whole_number(text or "1", minimum=1, maximum=MAX_PAGE_NUMBER)
    if number is not None:
        return number
    if isinstance(text, str) and text.lstrip("-").isascii() and text.lstrip("-").isdigit():
        return None if len(text) < 20 and int(text) < 1 else 1
    return 1


def numbered_page(
    queryset: QuerySet,
    ordering,
    number_text,
    per_page: int,
    *,
    count: int | None = None,
    counted: QuerySet | None = None,
    cap: int | None = None,
    read: QuerySet | None = None,
) -> SeekPage:
    """A page typed by its number: OFFSET, which walks every row before it (through the order's
    index: the page's keys first, then its rows, a "deferred join"). Past the end, or below 1,
    the last page when the list's length is known; its links are cursors like any page's.
    `read`: as for `seek_page`."""
    keys = keys_of(ordering)
    cap = COUNT_CAP if cap is None else cap
    counted = counted if counted is not None else queryset
    ordered = queryset.order_by(*(k.expression() for k in keys))
    number = _typed_number(number_text)
    found = []
    if number is not None:
        start = (number - 1) * per_page
        page_keys = ordered.values_list("pk", flat=True)
        if count is None:
            page_keys = ordered.annotate(seek_total=CappedCount(counted, cap)).values_list(
                "pk", "seek_total"
            )
        found = list(page_keys[start : start + per_page + 1])
    if count is None and found:
        total = found[0][1]
        found = [pk for pk, _total in found]
    elif count is None:
        total = capped_count(counted, cap)
    else:
        total = count
    exact, more_than = _count(total, cap, known=count is not None)
    if not found and (number is None or number > 1) and exact:
        number = max(1, -(-exact // per_page))  # the last page
        start = (number - 1) * per_page
        found = list(ordered.values_list("pk", flat=True)[start : start + per_page + 1])
    elif number is None:
        number = 1
        found = list(ordered.values_list("pk", flat=True)[: per_page + 1])
    more = len(found) > per_page
    ids = found[:per_page]
    by_id = (
        {
            row.pk: row
            for row in _with_keys(read if read is not None else queryset, keys)
            .order_by()
            .filter(pk__in=ids)
        }
        if ids
        else {}
    )
    rows = [by_id[pk] for pk in ids if pk in by_id]
    previous_cursor = None
    if number > 2 and rows:
        previous_cursor = Cursor(_values(rows[0], keys), False, number - 1).encode(keys)
    return SeekPage(
        object_list=rows,
        number=number,
        count=exact,
        more_than=more_than,
        next_cursor=Cursor(_values(rows[-1], keys), True, number + 1).encode(keys)
        if more and rows
        else None,
        previous_cursor=previous_cursor,
        previous_is_first=number > 1 and previous_cursor is None,
        per_page=per_page,
    )


def capped_count(queryset: QuerySet, cap: int) -> int:
    """The capped count on its own (a page past the end of a filtered list)."""
    return queryset.order_by().values("pk")[: cap + 1].count()
