"""Pagination that stays fast on deep pages and filtered lists.

OFFSET over a query that joins and annotates makes the database build every skipped row. Here
the page's primary keys are found first (a narrow, index-friendly query), then only those rows
are fetched with their joins and annotations: a "deferred join". When the total is not known,
it comes with the page's rows (COUNT(*) OVER ()): a filtered list is scanned once, not twice."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from .numbers import whole_number


class KnownCountPaginator(Paginator):
    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached property: already known


# Far past any list's end, and small enough that the row offset fits a 64-bit integer.
MAX_PAGE_NUMBER = 2**31


def _page_number(number) -> int | None:
    """A plain page number (None, "" and "1" are page 1); None for anything else, which
    Paginator.get_page then interprets (a huge number as past the end: the last page)."""
    return whole_number(number or "1", minimum=1, maximum=MAX_PAGE_NUMBER)


def _with_total(queryset: QuerySet, number: int, per_page: int) -> QuerySet:
    start = (number - 1) * per_page
    return queryset.annotate(total_rows=Window(Count("*")))[start : start + per_page]


def page_with_total(queryset: QuerySet, number, per_page: int) -> Page:
    """A page of a short list and the list's length, in one query."""
    plain = _page_number(number)
    rows = list(_with_total(queryset, plain, per_page)) if plain else []
    if not rows:  # past the end, or not a page number: Django's paginator decides
        return Paginator(queryset, per_page).get_page(number)
    page = KnownCountPaginator(queryset, per_page, count=rows[0].total_rows).page(plain)
    page.object_list = rows
    return page


def paginate(queryset: QuerySet, number, per_page: int, *, count: int | None = None) -> Page:
    """A page of a long list, by deferred join. `count`, when the caller already knows how many
    rows the query gives, saves counting them."""
    keys = queryset.values_list("pk", flat=True)
    plain = _page_number(number) if count is None else None
    found = (
        list(_with_total(queryset, plain, per_page).values_list("pk", "total_rows"))
        if plain
        else []
    )
    if found:
        ids = [pk for pk, _total in found]
        page = KnownCountPaginator(keys, per_page, count=found[0][1]).page(plain)
    elif count is None:
        page = Paginator(keys, per_page).get_page(number)
        ids = list(page.object_list)
    else:
        page = KnownCountPaginator(keys, per_page, count=count).get_page(number)
        ids = list(page.object_list)
    rows = (
        queryset.model._default_manager.none()
        if not ids
        else queryset.order_by().filter(pk__in=ids)
    )
    by_id = {row.pk: row for row in rows}
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    return page
