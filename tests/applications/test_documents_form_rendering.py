"""The documents step's upload form is written by `|step_form` with its list of kinds in Python
(applications/forms/rendering.py): the HTML `|crispy` wrote with Django's templates, empty,
refused with its errors, and filled in; whitespace between tags is the only difference allowed,
as for the step forms (test_step_form_rendering.py)."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import DjangoTemplates
from django.utils import translation

from applications.forms.applicant import AttachmentForm
from applications.templatetags.step_forms import step_form
from tests.applications.test_step_form_rendering import _same_html


def _both(*args, **kwargs) -> tuple[str, str]:
    # Two forms alike (crispy adds its classes to the widgets it renders: one each).
    before = AttachmentForm(*args, renderer=DjangoTemplates(), **kwargs)
    now = AttachmentForm(*args, **kwargs)
    if args:
        before.is_valid(), now.is_valid()
    return _same_html(as_crispy_form(before)), _same_html(step_form(now))


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((), {}),
        (({}, {}), {}),
        (({"kind": "quote"}, {}), {"refusal": "Too large <b>50 MB</b>"}),
        (
            ({"kind": "annex"}, {"file": SimpleUploadedFile("devis.pdf", b"%PDF-1.4")}),
            {},
        ),
        (({"kind": "<script>"}, {}), {}),
    ],
)
def test_the_upload_form_is_written_as_crispy_wrote_it(args, kwargs, language):
    with translation.override(language):
        before, now = _both(*args, **kwargs)
    assert now == before
    assert 'name="kind"' in now and 'type="file"' in now


@pytest.mark.parametrize(("data", "refusal"), [(None, None), ({"kind": "quote"}, "Too large")])
def test_the_upload_forms_boxes_are_djangos_character_for_character(data, refusal):
    before = AttachmentForm(data, {} if data else None, refusal=refusal, renderer=DjangoTemplates())
    now = AttachmentForm(data, {} if data else None, refusal=refusal)
    if data:
        assert not before.is_valid() and not now.is_valid()
    for name in ("file", "kind"):
        assert str(now[name]) == str(before[name])
