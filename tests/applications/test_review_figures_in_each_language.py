"""The staff's review summaries (docs/domain.md, Scoring) write their shares, pass mark and
weights the reader's way: "68 %" and "1,5" in French and German, "68%" and "1.5" in English."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.workflow import Status
from programs.models import ScoringCriterion
from tests.auth import login_staff
from tests.factories import CallFactory, ScoringCriterionFactory
from tests.fixtures.staff import review, scored_call, staff, submitted_file

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "written"),
    [
        (
            "fr",
            [
                "(\u00d71,5, 0\u201310)",
                "<strong>10,5</strong> / 30",
                f"(100{NBSP}%)",
                f"(35{NBSP}%)",
                f"<strong>68{NBSP}%</strong>",
                f"62,5{NBSP}%",
            ],
        ),
        (
            "en",
            [
                "(\u00d71.5, 0\u201310)",
                "<strong>10.5</strong> / 30",
                "(100%)",
                "(35%)",
                "<strong>68%</strong>",
                "62.5%",
            ],
        ),
        (
            "de",
            [
                "(\u00d71,5, 0\u201310)",
                "<strong>10,5</strong> / 30",
                f"(100{NBSP}%)",
                f"(35{NBSP}%)",
                f"<strong>68{NBSP}%</strong>",
                f"62,5{NBSP}%",
            ],
        ),
    ],
)
def test_the_review_summaries_write_shares_and_weights_the_readers_way(client, language, written):
    call = CallFactory(programme=scored_call().programme, pass_mark=Decimal("62.5"))
    ScoringCriterionFactory(call=call, label_fr="Pertinence", weight=3, position=1)
    ScoringCriterionFactory(
        call=call, label_fr="Emploi", scale_min=0, scale_max=10, weight=Decimal("1.5"), position=2
    )
    relevance, jobs = ScoringCriterion.objects.filter(call=call).order_by("position")
    application = submitted_file(call, status=Status.UNDER_REVIEW)
    # The mean is rounded to whole percents, the pass mark is not.
    # 5 * 3 + 10 * 1.5 = 30 of 30 (100 %); 2 * 3 + 3 * 1.5 = 10.5 of 30 (35 %); mean 67.5 %.
    review(
        application, staff("reviewer", "START"), scores={relevance.pk: (5, ""), jobs.pk: (10, "")}
    )
    review(
        application, staff("reviewer", "START"), scores={relevance.pk: (2, ""), jobs.pk: (3, "")}
    )
    login_staff(client, staff("programme manager", "START", language=language))

    for name in ("staff_application_reviews", "staff_application"):
        page = client.get(reverse(f"applications:{name}", args=[application.pk]))

        assert page.status_code == 200, name
        text = html.unescape(page.content.decode())
        for figure in written:
            assert figure in text, (name, figure)
