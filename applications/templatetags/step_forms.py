"""{{ form|step_form }}: the HTML `|crispy` (Bootstrap 5 pack) gives a step's form, written in
Python for the fields that are a label, a widget, their errors and help, and for the boxes to
tick: crispy's field template weighs each field through some thirty template conditions and
four includes, and a step's form is bound to the person's answers, so its rendering cannot be
kept (issue 23: about a sixth of a step page's CPU). Radio lists and lists of boxes are
written as crispy's radio_checkbox_select.html writes them; files go through crispy's field
template unchanged, as do the non-field errors.
tests/applications/test_step_form_rendering.py compares both renderings on every kind of
question, empty, with errors and filled in."""

from crispy_forms.templatetags.crispy_forms_filters import optgroups
from crispy_forms.templatetags.crispy_forms_utils import remove_spaces
from django import forms, template
from django.conf import settings
from django.template.loader import get_template
from django.templatetags.l10n import unlocalize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from ..forms.rendering import attrs_html, shown

register = template.Library()

# What crispy's `as_crispy_form` puts in the context of its templates.
CRISPY_CONTEXT = {
    "field_class": "",
    "field_template": "bootstrap5/field.html",
    "form_show_errors": True,
    "form_show_labels": True,
    "label_class": "",
}


def _drawn_by_crispy(field: forms.BoundField) -> bool:
    """Fields whose wrapper crispy's template shapes its own way (files)."""
    return isinstance(field.field.widget, forms.FileInput)


def _widget_html(field: forms.BoundField, classes: str) -> str:
    """crispy's `{% crispy_field field 'class' classes %}`: each widget's class name, then the
    Bootstrap classes, added to its class attribute (once), and the field rendered."""
    widget = field.field.widget
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    for each in getattr(widget, "widgets", [getattr(widget, "widget", widget)]):
        name = type(each).__name__.lower()
        name = converters.get(name, name)
        css = each.attrs.get("class", "")
        if not css:
            css = name
        elif css.find(name) == -1:
            css += f" {name}"
        present = css.split()
        css += "".join(f" {token}" for token in classes.split() if token not in present)
        each.attrs["class"] = css
    return str(field)


def _errors(field: forms.BoundField) -> str:
    """crispy's field_errors_block.html."""
    if not field.errors:
        return ""
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>',
        field.errors.field_id,
        format_html_join(
            "",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((number, field.auto_id, error) for number, error in enumerate(field.errors, 1)),
        ),
    )


def _help(field: forms.BoundField) -> str:
    """crispy's help_text.html."""
    if not field.help_text:
        return ""
    helped = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
    # crispy marks the help safe: the form's own text, as on every other form.
    help_text = mark_safe(field.help_text)  # noqa: S308
    return format_html('<div {}class="form-text">{}</div>', helped, help_text)


def _errors_and_help(field: forms.BoundField) -> str:
    """crispy's help_text_and_errors.html: the errors under the box, then the help."""
    return mark_safe(_errors(field) + _help(field))  # noqa: S308 — each part escaped


def _choices_html(field: forms.BoundField) -> str:
    """crispy's radio_checkbox_select.html (radio lists, lists of boxes to tick): each option
    in its form-check, the errors under the last one, then the help."""
    invalid = " is-invalid" if field.errors else ""
    name = shown(field.html_name)
    groups = optgroups(field)
    parts = []
    for number, (group, options, _index) in enumerate(groups, 1):
        if group:
            parts.append(format_html("<strong>{}</strong>", group))
        for count, option in enumerate(options, 1):
            last = number == len(groups) and count == len(options)
            parts.append(
                f'<div class="form-check"><input type="{shown(option["type"])}"'
                f' class="form-check-input{invalid}" name="{name}"'
                f' value="{shown(unlocalize(option["value"]))}"{attrs_html(option["attrs"])}> '
                f'<label for="{shown(option["attrs"].get("id", ""))}" class="form-check-label">'
                f"{shown(unlocalize(option['label']))}</label>"
                f"{_errors(field) if last else ''}</div>"
            )
    # Each part escaped above.
    return mark_safe(f"<div >{''.join(parts)}</div>{_help(field)}")  # noqa: S308


def _checkbox_html(field: forms.BoundField) -> str:
    """crispy's field template for a box to tick: the box, its label after it, in a
    form-check wrapped in a margin."""
    required = field.field.required
    label = format_html(
        '<label for="{}" class="form-check-label{}">{}{}</label>',
        field.id_for_label,
        " requiredField" if required else "",
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
    )
    classes = "form-check-input is-invalid" if field.errors else "form-check-input"
    css = field.css_classes()
    return format_html(
        # A space between the box and its label, as crispy's template leaves (both inline).
        '<div class="mb-3"><div id="div_{}" class="form-check{}">{} {}{}</div></div>',
        field.auto_id,
        f" {conditional_escape(css)}" if css else "",
        mark_safe(_widget_html(field, classes)),  # noqa: S308 — the widget's own HTML
        label,
        _errors_and_help(field),
    )


def _field_html(field: forms.BoundField) -> str:
    if field.is_hidden:
        return str(field)
    required = field.field.required
    fieldset = field.use_fieldset
    parts = []
    label = ""
    if field.label:
        tag = "legend" if fieldset else "label"
        if fieldset:
            described = field.aria_describedby
            parts.append(
                format_html('<fieldset aria-describedby="{}">', described)
                if described
                else "<fieldset>"
            )
        label = format_html(
            '<{}{} class="form-label{}{}">{}{}</{}>',
            tag,
            format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
            " requiredField" if required else "",
            " fs-6" if fieldset else "",
            field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",
            tag,
        )
        parts.append(label)
    if isinstance(field.field.widget, forms.RadioSelect):  # and lists of boxes to tick
        parts.append(_choices_html(field))
    else:
        widget = field.field.widget
        bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
        parts.append(_widget_html(field, f"{bootstrap} is-invalid" if field.errors else bootstrap))
        parts.append(_errors_and_help(field))
    if fieldset and field.label:
        parts.append("</fieldset>")
    css = field.css_classes()
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}</div>',
        field.auto_id,
        f" {conditional_escape(css)}" if css else "",
        mark_safe("".join(parts)),  # noqa: S308 — each part escaped above
    )


@register.filter
def step_form(form: forms.Form) -> str:
    context = {**CRISPY_CONTEXT, "form": form}
    parts = []
    if form.non_field_errors():
        parts.append(get_template("bootstrap5/errors.html").render(context))
    crispy_field = get_template(CRISPY_CONTEXT["field_template"])
    for field in form:
        if field.is_hidden:
            parts.append(str(field))
        elif isinstance(field.field.widget, forms.CheckboxInput):
            parts.append(_checkbox_html(field))
        elif _drawn_by_crispy(field):
            parts.append(crispy_field.render({**context, "field": field}))
        else:
            parts.append(_field_html(field))
    return mark_safe(remove_spaces("".join(parts).strip()))  # noqa: S308 — escaped above
