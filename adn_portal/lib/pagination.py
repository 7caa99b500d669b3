"""Pagination that stays fast on deep pages.

OFFSET over a query that joins and annotates makes the database build every skipped row. Here
the page's primary keys are found first (a narrow, index-friendly query), then only those rows
are fetched with their joins and annotations: a "deferred join"."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class _KnownCountPaginator(Paginator):
    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached property: already known


def paginate(queryset: QuerySet, number, per_page: int, *, count: int | None = None) -> Page:
    """`count`, when the caller already knows how many rows the query gives, saves the COUNT."""
    keys = queryset.values_list("pk", flat=True)
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
