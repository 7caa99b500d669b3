"""The staff dashboard writes its rates the reader's way: "28,6 %" in French and German,
"28.6%" in English."""

from decimal import Decimal

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from stats.models import IndicatorValue
from tests.auth import login_staff
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "written"),
    [("fr", "28,6\u00a0% (1/4)"), ("en", "28.6% (1/4)"), ("de", "28,6\u00a0% (1/4)")],
)
def test_the_conversion_along_the_path_is_written_the_readers_way(
    client, snapshot, language, written
):
    # The dataset's one organisation of four going on from Start IA to Tremplin IA, stored as
    # a share with decimals to show the rounding to one decimal (0.2857: 28.6).
    assert snapshot.get("conversion", "all", "START>TREMPLIN").value == Decimal("0.25")
    IndicatorValue.objects.filter(indicator="conversion", key="START>TREMPLIN").update(
        value=Decimal("0.2857")
    )
    caches["default"].clear()
    caches["pages"].clear()
    login_staff(client, staff("programme manager", "START", language=language))

    response = client.get(reverse("stats:dashboard"))

    assert response.status_code == 200
    conversion = response.content.decode().split('<th scope="row">Start IA → Tremplin IA</th>')[1]
    assert conversion.split("</td>", 1)[0] == f'<td class="text-end">{written}'


@pytest.mark.parametrize(
    ("language", "written"), [("fr", "61\u00a0%"), ("en", "61%"), ("de", "61\u00a0%")]
)
def test_the_acceptance_rate_is_written_the_readers_way(client, snapshot, language, written):
    # Stored as a share, shown in whole percents: the English page used to read "61 %".
    IndicatorValue.objects.filter(indicator="acceptance", dimension="all", key="all").update(
        value=Decimal("0.6149")
    )
    caches["default"].clear()
    caches["pages"].clear()
    login_staff(client, staff("programme manager", "START", language=language))

    response = client.get(reverse("stats:dashboard"))

    assert response.status_code == 200
    with translation.override(language):
        label = gettext("Acceptance rate")  # a template literal: not escaped
    after = response.content.decode().split(f"<dt>{label}</dt>", 1)[1]
    assert after.split("</dd>", 1)[0] == f"<dd>{written}"
