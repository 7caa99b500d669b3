"""The directory's expert card written in Python (companies/views/public.py:expert_card_html)
is the HTML its template (companies/partials/expert_card.html) renders, character for
character: with and without a logo, with text that must be escaped, a long description cut
at forty words, codes no longer known, in every language."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from companies.views.public import expert_card_html
from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db

LONG = " ".join(f"mot{n}" for n in range(60))


@pytest.mark.parametrize("language", ["fr", "en", "de"])
@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"logo": "experts/logos/logo.png"},
        {
            "organisation__name": 'L\'<b>Atelier</b> & "Fils" SRL',
            "organisation__municipality": "Braine-l'Alleud <i>",
            "description_fr": "Données & <script>alert('x')</script> " + LONG,
            "description_en": "Data & <b>more</b>",
        },
        {
            "specialities": ["computer_vision", "gone", 7, "nlp_genai"],
            "languages": ["de", "xx", None],
            "description_de": "",
        },
        {"specialities": [], "languages": "fr", "description_fr": "Court."},
    ],
)
def test_the_card_in_python_is_the_templates(fields, language):
    expert = ExpertFactory(organisation__postcode="4700", **fields)

    with translation.override(language):
        expected = render_to_string("companies/partials/expert_card.html", {"expert": expert})
        assert expert_card_html(expert) == expected
