"""The expert directory's filters as the API reads them: the page's facets and sorts
(selectors.FACET_CHOICES, forms.public.SORT_CHOICES), refused when a value is unknown (the page
drops it so that an old shared link still works; an API caller is told)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.filters import StrictFilterSet

from .forms.public import FACET_LABELS, SORT_CHOICES
from .models import Expert
from .selectors import FACET_CHOICES, DirectoryQuery, directory_results

# The cursor's order for each sort: a column of the expert's row first (DRF's cursor reads the
# position from it), the slug (unique, follows the name) to break ties.
CURSOR_ORDERINGS = {
    "name": ("slug",),
    "recent": ("-recognised_from", "slug"),
    "files": ("-files_delivered", "slug"),
}


def _facet_filter(kind: str) -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        label=FACET_LABELS[kind],
        choices=FACET_CHOICES[kind],
        method="in_directory",  # all facets are applied together, by the directory's selector
        help_text=_("Repeat for several values (any of them)."),
    )


class ExpertFilter(StrictFilterSet):
    q = django_filters.CharFilter(label=_("Search"), max_length=200, method="in_directory")
    speciality = _facet_filter("speciality")
    sector = _facet_filter("sector")
    province = _facet_filter("province")
    language = _facet_filter("language")
    programme = _facet_filter("programme")
    ordering = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORT_CHOICES, method="in_directory"
    )

    class Meta:
        model = Expert
        fields: list[str] = []

    def in_directory(self, queryset, name, value):
        return queryset  # filter_queryset applies them all at once

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        query = DirectoryQuery(
            search=data.get("q") or "",
            selected={kind: data.get(kind) or [] for kind in FACET_CHOICES},
            sort=data.get("ordering") or "name",
        )
        return directory_results(query, today=timezone.localdate())

    def cursor_ordering(self) -> tuple[str, ...]:
        return CURSOR_ORDERINGS[self.form.cleaned_data.get("ordering") or "name"]
