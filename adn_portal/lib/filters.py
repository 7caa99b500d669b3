"""What the API's list filters share (django-filter's FilterSets, read by its DRF backend): a
value a filter does not know is a 400 naming the parameter, never a silently unfiltered list."""

import copy

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


class CopiedCheaply:
    """A FilterSet mix-in: each FilterSet's filters, and each of its forms' fields, are shallow
    copies of the declared ones. django-filter deep-copies every filter for each FilterSet and
    Django every field for each form: each choice's lazy label rebuilt one by one, each model
    filter's queryset copied with its whole Query, ~1.5 ms for the staff queue's ten filters
    (issue 23). A filter keeps nothing of a request but what its FilterSet sets on it (model,
    parent), a field nothing but its widget's attributes, and no one changes a choice list in
    place: their copies can share the rest."""

    @classmethod
    def get_filters(cls):
        return _FiltersCopiedShallowly(super().get_filters())

    @classmethod
    def form_copying_cheaply(cls, form_class: type[forms.Form]) -> type[forms.Form]:
        """`form_class`, its forms' fields copied as `_FieldsCopiedCheaply` copies them."""
        form_class.base_fields = _FieldsCopiedCheaply(form_class.base_fields)
        return form_class


class _FiltersCopiedShallowly(dict):
    def __deepcopy__(self, memo):
        return {name: _shallow_copy(declared) for name, declared in self.items()}


def _shallow_copy(declared: django_filters.Filter) -> django_filters.Filter:
    copied = copy.copy(declared)
    if declared.method is not None:
        # Setting it binds the copy's `filter` to the copy (its parent's method), not to the
        # declared filter, which has no parent.
        copied.method = declared.method
    return copied


class _FieldsCopiedCheaply(dict):
    """Each field copied as Django copies it, but a choice field's list of choices, shared
    (Django's ChoiceField deep-copies it; a model choice field still gets its own queryset)."""

    def __deepcopy__(self, memo):
        return {
            name: forms.Field.__deepcopy__(field, memo)
            if isinstance(field, forms.ChoiceField)
            and not isinstance(field, forms.ModelChoiceField)
            else copy.deepcopy(field, memo)
            for name, field in self.items()
        }


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
