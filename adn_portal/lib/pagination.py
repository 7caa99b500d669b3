"""Pagination that stays fast on deep pages and filtered lists.

OFFSET over a query that joins and annotates makes the database build every skipped row. Here
the page's primary keys are found first (a narrow, index-friendly query), then only those rows
are fetched with their joins and annotations: a "deferred join". When the total is not known,
the keys come with it (COUNT(*) OVER ()): a filtered list is scanned once, not twice."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


class _KnownCountPaginator(Paginator):
    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached property: already known


def _keys_and_total(queryset: QuerySet, number, per_page: int) -> tuple[list, int] | None:
    """The keys of page `number` and the number of rows, in one query; None when `number` is
    not a plain page number or lies past the end (Paginator then decides what to show)."""
    text = str(number or "1")
    if not text.isdigit() or int(text) < 1:
        return None
    start = (int(text) - 1) * per_page
    rows = list(
        queryset.annotate(total_rows=Window(Count("*"))).values_list("pk", "total_rows")[
            start : start + per_page
        ]
    )
    if not rows:
        return None
    return [pk for pk, _total in rows], rows[0][1]


def paginate(queryset: QuerySet, number, per_page: int, *, count: int | None = None) -> Page:
    """`count`, when the caller already knows how many rows the query gives, saves the COUNT."""
    keys = queryset.values_list("pk", flat=True)
    found = _keys_and_total(queryset, number, per_page) if count is None else None
    if found:
        ids, count = found
        page = _KnownCountPaginator(keys, per_page, count=count).page(number or 1)
    else:
        if count is None:
            page = Paginator(keys, per_page).get_page(number)
        else:
            page = _KnownCountPaginator(keys, per_page, count=count).get_page(number)
        ids = list(page.object_list)
    rows = (
        queryset.model._default_manager.none()
        if not ids
        else queryset.order_by().filter(pk__in=ids)
    )
    by_id = {row.pk: row for row in rows}
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    return page
