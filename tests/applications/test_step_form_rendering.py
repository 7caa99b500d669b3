"""A step's form written by `|step_form` (applications/templatetags/step_forms.py) is the HTML
crispy writes: labels, required marks, help, errors next to their field with their ids, the
aria attributes, the counters' data attributes. Compared on every kind of question, on the
form of a call made of data and on the programme's own form (the expert picker, the earlier
file), empty, filled in, and with the errors of an empty submission."""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.utils import translation

from applications.services import application_start
from applications.steps import steps_for
from applications.templatetags.step_forms import step_form
from programs.models import FormVersion
from tests.applications.test_forms_as_data import ABOUT_PAGE, DEFINITION, custom_call  # noqa: F401

pytestmark = pytest.mark.django_db


def _same_html(html: str) -> str:
    """Whitespace is the only difference allowed: inside tags, and around them."""
    return re.sub(r"\s*(<|>)\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


def _forms(application, step, data):
    """Two forms alike (crispy adds its classes to the widgets it renders: one each)."""
    return [step.form_class(data, application=application, initial={}) for _ in range(2)]


def _compare(application):
    compared = 0
    for step in steps_for(application):
        if step.is_documents:
            continue
        for data in (None, {}, ABOUT_PAGE):
            crispy, ours = _forms(application, step, data)
            expected = _same_html(as_crispy_form(crispy))
            assert _same_html(step_form(ours)) == expected, (step.slug, data)
            compared += 1
    return compared


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_kind_of_question_is_written_as_crispy_writes_it(applicant, custom_call, language):  # noqa: F811
    assert FormVersion.objects.filter(call=custom_call).exists()
    draft = application_start(call=custom_call, organisation=applicant.organisation, by=applicant)
    with translation.override(language):
        assert _compare(draft) == 3 * len(DEFINITION["steps"])


def test_the_programmes_own_form_is_written_as_crispy_writes_it(applicant, start_call, expert):
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    with translation.override("fr"):
        assert _compare(draft) >= 9


def test_errors_and_help_are_next_to_their_field(applicant, custom_call):  # noqa: F811
    draft = application_start(call=custom_call, organisation=applicant.organisation, by=applicant)
    step = next(s for s in steps_for(draft) if s.slug == "about")
    form = step.form_class({"name": "x" * 30}, application=draft, initial={})
    with translation.override("fr"):
        html = str(step_form(form))
    assert 'id="id_name_error" class="invalid-feedback"' in html
    assert 'aria-invalid="true"' in html
    assert "requiredField" in html
