"""What the portal's admin classes share."""

from django.core.exceptions import ValidationError


class CheckedPrefill:
    """An add form prefilled from the query string (?programme=3, as the admin's own links do)
    keeps only the values its fields accept. Django hands the raw text to the widgets: the
    autocomplete one looks "abc" up as an id, the date-time one calls a method on the text
    (both a 500)."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        fields = self.get_form(request).base_fields
        kept = {}
        for name, value in initial.items():
            if name not in fields:
                continue
            try:
                kept[name] = fields[name].clean(value)
            except ValidationError:
                continue  # an empty field rather than a wrong one
        return kept


class ReadOnly:
    """Shown, never added, changed or deleted here: what the services write (audited, with the
    rules they hold), for a model admin or an inline."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
