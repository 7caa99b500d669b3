"""One set of rules for pages and API: an API body is checked by the page's own Django form.

A serializer that inherits `FormBody` declares its fields for the OpenAPI schema only; its
validation is the form's (the same fields, choices, cross-field rules and messages), so that a
value the page refuses is refused by the API with the same field named."""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers

# The API refuses what a page cannot send: a list or an object where one value is expected.
NOT_ONE_VALUE = _("Not a valid string.")  # DRF's own wording (translated in its catalogue)
UNKNOWN_FIELD = _("This field cannot be set.")  # as adn_portal.lib.api.reject_unknown_fields


def split_body(body: Mapping) -> tuple[Mapping, dict]:
    """An API body (a JSON object, or multipart form data holding the uploads) as a form's
    `data` and `files`."""
    files = {name: body[name] for name in body if isinstance(body[name], UploadedFile)}
    return body, files


def with_defaults(body: Mapping, defaults: dict) -> Mapping:
    """A partial body (a PATCH) completed with the current value of each field it leaves out."""
    if not hasattr(body, "getlist"):
        return {**defaults, **body}
    merged = MultiValueDict({name: body.getlist(name) for name in body})  # uploads not copied
    for name, value in defaults.items():
        if name not in merged:
            merged.setlist(name, list(value) if isinstance(value, (list, tuple)) else [value])
    return merged


def _is_multiple(field: forms.Field) -> bool:
    return getattr(field.widget, "allow_multiple_selected", False)


def body_type_errors(form: forms.BaseForm) -> dict[str, ValidationError]:
    """What JSON can say and a form post cannot: one value where a list is expected (a string
    would be read as a list of characters), a list or an object where one value is expected, or
    something other than an upload in a file field. Checked before the form's own rules."""
    errors = {}
    for name, field in form.fields.items():
        if name not in form.data:
            continue
        value = form.data[name]
        if isinstance(field, forms.FileField):
            if not isinstance(value, UploadedFile):
                errors[name] = ValidationError(field.error_messages["invalid"], code="invalid")
        elif _is_multiple(field):
            if not isinstance(value, (list, tuple)) and not hasattr(form.data, "getlist"):
                message = field.error_messages["invalid_list"]  # the multiple choice fields'
                errors[name] = ValidationError(message, code="invalid_list")
        elif isinstance(value, (list, dict)):
            errors[name] = ValidationError(NOT_ONE_VALUE, code="invalid")
    return errors


def _detail(errors: dict[str, list[ValidationError]], rename: dict) -> dict[str, list]:
    detail: dict[str, list] = {}
    for name, field_errors in errors.items():
        key = "non_field_errors" if name == NON_FIELD_ERRORS else rename.get(name, name)
        detail.setdefault(key, []).extend(
            exceptions.ErrorDetail(message, code=error.code or "invalid")
            for error in field_errors
            for message in error.messages
        )
    return detail


def form_errors(form: forms.BaseForm, *, rename=None) -> dict[str, list]:
    """A bound form's errors as DRF's error detail: the API's handler names each field (the
    form's errors on the whole form have none) and keeps each error's code."""
    return _detail(form.errors.as_data(), rename or {})


def check_body(form: forms.BaseForm, *, rename=None) -> None:
    """A 400 for what no page could send: keys the form does not know (the API names them
    instead of ignoring them) and values of the wrong shape (body_type_errors)."""
    errors = {name: [error] for name, error in body_type_errors(form).items()}
    for name in sorted(set(form.data.keys()) - set(form.fields)):
        errors[name] = [ValidationError(UNKNOWN_FIELD, code="read_only")]
    if errors:
        raise exceptions.ValidationError(_detail(errors, rename or {}))


def validated(form: forms.BaseForm, *, rename=None) -> dict:
    """The form's cleaned data, or a 400 naming each refused field (check_body first)."""
    check_body(form, rename=rename)
    if not form.is_valid():
        raise exceptions.ValidationError(form_errors(form, rename=rename))
    return form.cleaned_data


class FormBody:
    """A serializer mix-in: the request body is validated by `get_form()`, the page's form.
    The view passes what the form needs (the file, the actor…) as `context["form_kwargs"]`."""

    form_class: type[forms.BaseForm]

    def get_form(self, data, files) -> forms.BaseForm:
        return self.form_class(data, files, **self.context.get("form_kwargs", {}))

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            message = serializers.Serializer.default_error_messages["invalid"]
            raise exceptions.ValidationError(
                {"non_field_errors": [message.format(datatype=type(data).__name__)]},
                code="invalid",
            )
        self.form = self.get_form(*split_body(data))
        return validated(self.form)


class FormSerializer(FormBody, serializers.Serializer):
    """A request body checked by a page's form (its declared fields document the schema)."""
