"""The picker written in Python (applications/forms/fields.picker_html) is the HTML its
template (applications/widgets/picker.html) renders, character for character: every choice
listed, or a page of the matches (first, middle, last, alone, none), with or without a search
(text to escape included), in every language."""

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from applications.forms.fields import picker_html


def widget(*, count=None, number=1, query="", shown=3, complete=None, attrs=None):
    page = None
    if count is not None:
        page = Paginator(range(count), 20).get_page(number)
    return {
        "attrs": {"id": "id_expert"} if attrs is None else attrs,
        "name": "expert",
        "search_form": "expert-search",
        "page": page,
        "complete": (page is None or (not query and not page.has_other_pages()))
        if complete is None
        else complete,
        "shown": shown,
        "query": query,
        "options_html": mark_safe('<div class="picker-option form-check">…</div>'),
    }


@pytest.mark.parametrize("language", ["fr", "en", "de"])
@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"shown": 1},
        {"shown": 0, "query": "robot"},
        {"count": 5},
        {"count": 45},
        {"count": 45, "number": 2, "query": "vision"},
        {"count": 45, "number": 3},
        {"count": 0, "query": "x\"<b>'&", "shown": 0},
        {"count": 1, "query": "data", "shown": 1},
        {"count": 10_000, "number": 250},
        {"count": 45, "attrs": {}},
    ],
)
def test_the_picker_in_python_is_its_template(fields, language):
    data = widget(**fields)

    with translation.override(language):
        expected = render_to_string("applications/widgets/picker.html", {"widget": data})
        assert picker_html(data) == expected
