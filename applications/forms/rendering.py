"""The step forms' plain widgets written in Python: the HTML of Django's own widget templates
(text, e-mail, number and date boxes, text areas, check boxes, lists, the documents' file box),
character for character.
Django renders each widget through two or three templates (the widget's, `input.html`,
`attrs.html`; a list, one more per option), about 0.15 ms a box: a step page draws up to a
dozen, bound to the person's answers, so their HTML cannot be kept (issue 23). Any other
template (the picker, the tables, crispy's) is rendered as before.
tests/applications/test_step_widgets_in_python.py compares both on every kind of question,
empty, filled in and with errors."""

import contextlib
from html import escape

from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist, engines
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData


def formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" of the value, escaped unless it is safe HTML."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 — the template filter's own formatting
    except (ValueError, TypeError):
        text = ""
    return text if isinstance(value, SafeData) else escape(text)


def shown(value) -> str:
    """`{{ value }}`: localised, then escaped unless it is safe HTML."""
    if type(value) is str:  # most of them: Django's escape without its lazy wrapper
        return escape(value)
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {shown(name)}" if value is True else f' {shown(name)}="{formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget: dict) -> str:
    """django/forms/widgets/input.html (text, e-mail, number, date, check box…)."""
    value = f' value="{formatted(widget["value"])}"' if widget["value"] is not None else ""
    return (
        f'<input type="{shown(widget["type"])}" name="{shown(widget["name"])}"'
        f"{value}{attrs_html(widget['attrs'])}>"
    )


def textarea_html(widget: dict) -> str:
    """django/forms/widgets/textarea.html."""
    value = shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{shown(widget["name"])}"{attrs_html(widget["attrs"])}>\n{value}</textarea>'


def option_html(option: dict) -> str:
    """django/forms/widgets/select_option.html."""
    return (
        f'<option value="{formatted(option["value"])}"{attrs_html(option["attrs"])}>'
        f"{shown(option['label'])}</option>"
    )


def select_html(widget: dict) -> str:
    """django/forms/widgets/select.html (its options written here, not included)."""
    parts = [f'<select name="{shown(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != SELECT_OPTION:
                return ""  # not Django's option: the template draws the list (below)
            # The option's template ends with a line break, kept by the include.
            parts.append(f"\n  {option_html(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


SELECT_OPTION = "django/forms/widgets/select_option.html"
_WRITERS = {
    "django/forms/widgets/text.html": input_html,
    "django/forms/widgets/email.html": input_html,
    "django/forms/widgets/number.html": input_html,
    "django/forms/widgets/date.html": input_html,
    "django/forms/widgets/url.html": input_html,
    "django/forms/widgets/checkbox.html": input_html,
    "django/forms/widgets/file.html": input_html,
    "django/forms/widgets/input.html": input_html,
    "django/forms/widgets/textarea.html": textarea_html,
    "django/forms/widgets/select.html": select_html,
    SELECT_OPTION: option_html,
}


class PythonWidgets(DjangoTemplates):
    """Django's form renderer, Django's plain widget templates written in Python."""

    def render(self, template_name, context, request=None):
        write = _WRITERS.get(template_name)
        html = write(context["widget"]) if write is not None else ""
        # The template itself for anything else (and for a list whose options are not Django's).
        return html or super().render(template_name, context, request)

    def get_template(self, template_name):
        # The apps' templates (the picker's, the tables') from the site's engine, made when the
        # site starts: the renderer's own engine is made on its first use in a process, ~7 ms
        # (it looks through every app's template tags), and is left to Django's own widget
        # templates. Both engines find an app's template in the same order, and neither runs
        # the context processors for a widget (no request).
        if not template_name.startswith("django/forms/"):
            with contextlib.suppress(TemplateDoesNotExist):
                return engines["django"].get_template(template_name)
        return super().get_template(template_name)


# One renderer for every step form: its template engine is made once.
python_widgets = PythonWidgets()
