"""What the API's list filters share (django-filter's FilterSets, read by its DRF backend): a
value a filter does not know is a 400 naming the parameter, never a silently unfiltered list."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is refused. Django's NullBooleanField reads an
    unknown word as "no answer", which would list everything."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}
    default_error_messages = {"invalid": _("Enter true or false.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object's id (a whole number; the schema says integer, not number)."""


class Strict:
    """A FilterSet mix-in for the API (the DRF backend answers 400 when its form is invalid):
    an empty value is refused too, but in a text search (`?status=` is no status; a form would
    read it as "any", the schema's enumeration does not have it)."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, declared in self.filters.items():
            if (
                isinstance(declared, django_filters.CharFilter)
                or name not in self.data
                or name in self.form.errors  # already refused ("" is no choice of a list)
            ):
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
            if "" in values:
                self.form.add_error(
                    name, forms.ValidationError(_("This field cannot be blank."), code="blank")
                )
                valid = False
        return valid

    def cursor_ordering(self) -> tuple[str, ...] | None:
        """The order the list's cursor pagination follows, or None for the pagination's own."""
        return None


class StrictFilterSet(Strict, django_filters.FilterSet):
    pass


class FilterBackend(DjangoFilterBackend):
    """django-filter's DRF backend (400 on an invalid filter), keeping the FilterSet on the
    view so that the cursor pagination follows the sort it checked (`cursor_ordering`)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise translate_validation(filterset.errors)
        view.filterset = filterset
        return filterset.qs
