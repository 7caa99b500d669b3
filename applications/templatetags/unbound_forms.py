"""{{ form|crispy_unbound }}: what `|crispy` renders, made once per process for an empty form
and kept under what decides it (its class, the language, each field's label, help, choices,
initial value and widget attributes). The staff's file page rendered the same empty forms
(note, information request, decision, declaration) on every request (issue 23). A bound form
(its errors to show), a form with a crispy helper, or one whose choices come from the
database is rendered as `|crispy` does, every time."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms, template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Forms are few and their states fewer (a decision form per status): the bound is a safety.
LIMIT = 256
_rendered: dict[tuple, str] = {}


def _field_state(form: forms.Form, name: str, field: forms.Field) -> tuple:
    return (
        name,
        type(field),
        str(field.label),
        str(field.help_text),
        field.required,
        field.disabled,
        repr(sorted(field.widget.attrs.items())),
        tuple((str(value), str(label)) for value, label in getattr(field, "choices", ())),
        repr(form.get_initial_for_field(field, name)),
    )


def _state(form: forms.Form) -> tuple | None:
    """What the rendering of `form` depends on; None when it must be rendered afresh."""
    if form.is_bound or getattr(form, "helper", None) is not None:
        return None
    if any(isinstance(field, forms.ModelChoiceField) for field in form.fields.values()):
        return None
    return (
        type(form),
        get_language(),
        form.prefix,
        form.auto_id,
        form.label_suffix,
        tuple(_field_state(form, name, field) for name, field in form.fields.items()),
    )


@register.filter
def crispy_unbound(form: forms.Form):
    key = _state(form)
    if key is None:
        return as_crispy_form(form)
    html = _rendered.get(key)
    if html is None:
        if len(_rendered) >= LIMIT:
            _rendered.clear()
        html = _rendered[key] = str(as_crispy_form(form))
    return mark_safe(html)  # noqa: S308 — crispy's own output, kept as it was rendered
