"""A step form's plain widgets are written in Python (applications/forms/rendering.py) and the
expert picker's options too (fields.picker_options_html): character for character the HTML
Django's widget templates and the picker's option template give, on every kind of question,
empty, filled in, with the errors of an empty submission, and with text to escape."""

import pytest
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.utils import translation

from applications.forms.fields import Picker, picker_options_html
from applications.forms.rendering import python_widgets
from applications.services import application_start
from applications.steps import steps_for
from tests.applications.test_forms_as_data import ABOUT_PAGE, custom_call  # noqa: F401
from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db

TEMPLATES = DjangoTemplates()

# The picker's options as its template wrote them before they were written in Python.
PICKER_OPTIONS = Template(
    """{% for group, options, index in widget.optgroups %}{% for option in options %}<div class="picker-option form-check"{% if option.search_text %} data-search="{{ option.search_text }}"{% endif %}>
        <input type="{{ option.type }}" name="{{ option.name }}" class="form-check-input"{% if option.value != None %} value="{{ option.value|stringformat:'s' }}"{% endif %}{% for name, value in option.attrs.items %}{% if value is not False %} {{ name }}{% if value is not True %}="{{ value|stringformat:'s' }}"{% endif %}{% endif %}{% endfor %}>
        <label class="form-check-label" for="{{ option.attrs.id }}"><span class="fw-semibold">{{ option.label }}</span>
          {% for line in option.details %}{% if line %}<span class="d-block small text-body-secondary">{{ line }}</span>{% endif %}{% endfor %}
        </label>
      </div>{% endfor %}{% endfor %}"""
)


def _compare(application, answers) -> int:
    compared = 0
    for step in steps_for(application):
        if step.is_documents:
            continue
        for data in (None, {}, answers.get(step.slug, {})):
            ours = step.form_class(data, application=application, initial={})
            django = step.form_class(data, application=application, initial={}, renderer=TEMPLATES)
            assert ours.renderer is python_widgets
            for name in ours.fields:
                if isinstance(ours.fields[name].widget, Picker):
                    continue  # its template is the page's own (its options below)
                assert str(ours[name]) == str(django[name]), (step.slug, name, data)
                compared += 1
    return compared


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_plain_widgets_are_written_as_djangos_templates_write_them(
    applicant,
    custom_call,  # noqa: F811
    language,
):
    draft = application_start(call=custom_call, organisation=applicant.organisation, by=applicant)
    # Text to escape, in a box and in a text area.
    answers = {"about": {**ABOUT_PAGE, "name": 'R&D "<b>"', "summary": "<script>x</script>"}}
    with translation.override(language):
        assert _compare(draft, answers) >= 3 * len(ABOUT_PAGE)


def test_the_programmes_own_form_is_written_as_djangos_templates_write_it(
    applicant, start_call, expert
):
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    with translation.override("fr"):
        assert _compare(draft, {}) >= 9


def test_the_pickers_options_are_written_as_its_template_wrote_them(applicant, start_call, expert):
    ExpertFactory(organisation__name='Data & "Co" <SA>', programmes=["START"])
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    step = next(s for s in steps_for(draft) if s.expert_name)
    name = step.expert_name
    for data in (None, {name: str(expert.pk)}):
        for query in ("", "vision"):
            form = step.form_class(data, application=draft, initial={})
            field = form[name]
            field.field.widget.search(query)
            with translation.override("fr"):
                widget = field.field.widget.get_context(
                    field.html_name, field.value(), {"id": field.auto_id}
                )["widget"]
                expected = PICKER_OPTIONS.render(Context({"widget": widget}))
            assert expected.count("picker-option") >= 1
            assert picker_options_html(widget["optgroups"]) == expected
            assert widget["options_html"] == expected


def test_lists_are_written_as_djangos_template_writes_them_with_their_groups():
    """A list (the earlier files, the documents' kinds), in groups or not, a choice made or
    not, its labels escaped: the option template's own line break after each option."""
    from django import forms

    class Lists(forms.Form):
        plain = forms.ChoiceField(choices=[("a", "A"), ("b", 'B "<b>"')])
        grouped = forms.ChoiceField(
            choices=[("", "---"), ("G1", [("a", "A"), ("b", "B")]), ("G <2>", [("c", "C")])],
        )

    for data in (None, {"plain": "b", "grouped": "c"}):
        ours, django = Lists(data, renderer=python_widgets), Lists(data, renderer=TEMPLATES)
        for name in ours.fields:
            assert str(ours[name]) == str(django[name])
