"""The public directory's query string."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ExpertFacet
from ..selectors import FACET_CHOICES, SORTS, DirectoryQuery

# The directory's sorts (the selectors' SORTS), as the page and the API offer them.
SORT_CHOICES = [
    ("name", _("Name")),
    ("recent", _("Most recently recognised")),
    ("files", _("Files delivered")),
]


class DirectoryForm(forms.Form):
    """The directory's query string: shareable, and tolerant (unknown values are dropped).
    The API refuses them instead (companies/filters.py, the same choices)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, choices in FACET_CHOICES.items():
            self.fields[kind] = forms.MultipleChoiceField(choices=choices, required=False)

    def to_query(self) -> DirectoryQuery:
        data = self.cleaned_data if self.is_valid() else self._valid_part()
        return DirectoryQuery(
            search=data.get("q") or "",
            selected={kind: data.get(kind) or [] for kind in FACET_CHOICES},
            sort=data.get("sort") if data.get("sort") in SORTS else "name",
        )

    def _valid_part(self) -> dict:
        # Keep the filters that make sense, drop the rest (an old shared link still works).
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


FACET_LABELS = {
    ExpertFacet.Kind.SPECIALITY: _("Speciality"),
    ExpertFacet.Kind.SECTOR: _("Sector"),
    ExpertFacet.Kind.PROVINCE: _("Province"),
    ExpertFacet.Kind.LANGUAGE: _("Language"),
    ExpertFacet.Kind.PROGRAMME: _("Programme"),
}
