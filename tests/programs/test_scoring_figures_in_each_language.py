"""The call page's scoring grid writes its pass mark and weights the reader's way: "62,5 %"
and "1,5" in French and German, "62.5%" and "1.5" in English."""

import html
from decimal import Decimal

import pytest

from tests.factories import CallFactory, ScoringCriterionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "mark", "weights"),
    [
        ("fr", "62,5\u00a0%", ["3", "1,5"]),
        ("en", "62.5%", ["3", "1.5"]),
        ("de", "62,5\u00a0%", ["3", "1,5"]),
    ],
)
def test_the_call_page_writes_its_pass_mark_and_weights_the_readers_way(
    client, language, mark, weights
):
    call = CallFactory(pass_mark=Decimal("62.5"))
    ScoringCriterionFactory(call=call, label_fr="Pertinence", weight=Decimal("3.00"), position=1)
    ScoringCriterionFactory(call=call, label_fr="Emploi", weight=Decimal("1.50"), position=2)
    client.cookies["adn_language"] = language

    response = client.get(call.get_absolute_url())

    assert response.status_code == 200
    grid = html.unescape(response.content.decode()).split("<caption>", 1)[1].split("</table>")[0]
    caption, rows = grid.split("</caption>", 1)
    assert mark in caption  # the rest of the sentence is translated
    assert [cell.split("</td>")[0] for cell in rows.split('<td class="text-end">')[1:]] == weights
