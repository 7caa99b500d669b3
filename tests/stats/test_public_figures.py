"""Every public output of the indicators (the key figures page's headline, charts and tables,
in every language, for visitors and staff; the key-figures API) obeys docs/domain.md, Outcomes
and indicators: a figure computed from fewer than 5 organisations is shown as "< 5", never as
its number."""

import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from applications.workflow import Status
from stats import dashboards, services
from stats.models import IndicatorValue, SnapshotRun
from stats.selectors import latest_snapshot
from tests.auth import login_staff
from tests.factories import ExpertFactory, OrganisationFactory
from tests.fixtures.staff import staff

from .dataset import add_file, build, counted_by_hand

pytestmark = pytest.mark.django_db

# Written over every stored figure computed from fewer than 5 organisations: an output that
# shows one shows these digits (as a count, a percentage, a multiplier, in any locale).
CANARY = Decimal("987654.3210")
CANARY_DIGITS = "987654"
LANGUAGES = ("fr", "en", "de")


@pytest.fixture
def small_history(db):
    """The hand-made dataset (its cells hold 1 to 3 organisations), and five more Liège
    organisations with a completed Start IA file of 2024: some figures reach 5."""
    files = build()
    reviewer = files[0].created_by
    survey = (1000, 2000, True, True, True)
    for n in range(5):
        organisation = OrganisationFactory(postcode="4000", kind="sme", sector="C")
        files.append(
            add_file(organisation, "START", 2024, Status.COMPLETED, survey, reviewer, f"p{n}", n)
        )
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    return files


def organisations_by_hand(files) -> dict:
    """(indicator, dimension, key) → distinct organisations, counted file by file, for every
    figure the snapshot holds (None: not a figure about organisations)."""
    counted = {key: figures[3] for key, figures in counted_by_hand(files).items()}
    years = {}
    for f in files:
        year = timezone.localtime(f.submitted_at).year
        years.setdefault(year, set()).add(f.organisation_id)
    for year, organisations in years.items():
        if year - 1 in years:
            counted["request_growth", "year", str(year)] = min(
                len(organisations), len(years[year - 1])
            )
    counted["recognised_experts", "all", "all"] = 3  # the dataset's active experts
    return counted


def public_outputs() -> dict[str, str]:
    """Every public output, rendered afresh: the key figures page for a visitor and for staff,
    in each language, and the API's key figures."""
    caches["default"].clear()
    caches["pages"].clear()
    outputs = {}
    for language in LANGUAGES:
        visitor = Client()
        visitor.cookies["adn_language"] = language
        page = visitor.get(reverse("stats:key_figures"))
        assert page.status_code == 200
        outputs[f"page {language}"] = page.content.decode()
        api = visitor.get("/api/v1/key-figures/", HTTP_ACCEPT_LANGUAGE=language)
        assert api.status_code == 200
        outputs[f"api {language}"] = api.content.decode()
    member = Client()
    login_staff(member, staff("programme manager", "START"))
    page = member.get(reverse("stats:key_figures"))
    assert page.status_code == 200
    outputs["page for staff"] = page.content.decode()
    return outputs


def digits(text: str) -> str:
    """The text without its tokens and with numbers' separators removed ("987 654,3" and
    "987,654.3" both read "9876543")."""
    text = re.sub(r'value="[^"]{20,}"', "", text)  # the CSRF token
    return re.sub("[\\s\u00a0\u202f.,'\u2019]", "", text)


def test_no_public_output_shows_a_figure_from_fewer_than_five_organisations(small_history):
    counted = organisations_by_hand(small_history)
    kept = [
        v.pk
        for v in IndicatorValue.objects.all()
        if (counted.get((v.indicator, v.dimension, v.key)) or 0) >= 5
    ]
    assert len(kept) > 10  # some figures are published, the walk shows them below
    IndicatorValue.objects.exclude(pk__in=kept).update(
        value=CANARY, numerator=CANARY, denominator=CANARY
    )

    outputs = public_outputs()  # each page's status is checked there
    for name, output in outputs.items():
        assert CANARY_DIGITS not in digits(output), name

    # What the pages publish: the figures of 5 organisations or more, "< 5" for the others,
    # written the reader's way (a rate: "89 %" in French and German, "89%" in English).
    for language, (multiplier, rate) in {
        "fr": ("\u00d72,6", "89\u00a0%"),
        "en": ("\u00d72.6", "89%"),
        "de": ("\u00d72,6", "89\u00a0%"),
    }.items():
        headline = re.findall(r'<p class="display-6[^>]*>([^<]*)</p>', outputs[f"page {language}"])
        # Requests, completed, supported, experts, multiplier, growth 2025/2024, improved,
        # recommend
        assert headline == ["17", "9", "9", "&lt; 5", multiplier, "&lt; 5", rate, rate], language
    page = outputs["page en"]
    # Namur's one project is hidden: Liège's is hidden too, or the published total less
    # Liège's would give it.
    provinces = page.split("Projects carried out per province", 1)[1].split("</table>")[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", provinces) == [
        # Brabant wallon, Hainaut, Liège, Luxembourg, Namur
        *["0", "0", "&lt; 5", "0", "&lt; 5"],
    ]
    requests_table = page.split("Requests received per year and programme")[1].split("</table>")[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", requests_table) == [
        # 2023, 2024 and 2025 x Start IA, Tremplin IA, Cap IA
        *["&lt; 5", "0", "0"],
        *["8", "&lt; 5", "&lt; 5"],
        *["&lt; 5", "0", "0"],
    ]


def test_the_key_figures_api_says_which_figures_are_hidden(small_history, client):
    response = client.get("/api/v1/key-figures/")
    assert response.status_code == 200
    figures = {f["code"]: f for f in response.json()["figures"]}
    assert figures["recognised_experts"] | {"label": ""} == {
        "code": "recognised_experts",
        "label": "",
        "value": None,
        "hidden": True,
        "unit": "",
        "definition": figures["recognised_experts"]["definition"],
    }
    assert (figures["requests"]["value"], figures["requests"]["hidden"]) == ("17.0000", False)


def test_five_recognised_experts_are_published(small_history, client):
    ExpertFactory.create_batch(2)
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    figures = {f["code"]: f for f in client.get("/api/v1/key-figures/").json()["figures"]}
    assert (figures["recognised_experts"]["value"], figures["recognised_experts"]["hidden"]) == (
        "5.0000",
        False,
    )


def test_the_request_growth_is_the_latest_complete_year_over_the_year_before(small_history):
    snapshot = latest_snapshot()
    year = timezone.localdate().year - 1
    requests = {
        y: sum(timezone.localtime(f.submitted_at).year == y for f in small_history)
        for y in (year, year - 1)
    }
    with translation.override("en"):
        growth = {i["code"]: i for i in dashboards.headline(snapshot)}["request_growth"]
    assert growth["label"] == f"Request growth {year} / {year - 1}"
    assert growth["definition"] == (
        f"Requests received in {year}, the latest complete year, ÷ requests received in {year - 1}."
    )
    if requests[year - 1]:
        expected = Decimal(requests[year] / requests[year - 1]).quantize(Decimal("0.0001"))
        assert growth["value"] == expected
    else:
        assert growth["value"] is None


def test_organisations_without_a_sector_are_labelled_not_provided(client, small_history):
    reviewer = small_history[0].created_by
    add_file(
        OrganisationFactory(postcode="5000", sector="", nace_codes=[]),
        "START",
        2024,
        Status.SUBMITTED,
        None,
        reviewer,
        "s1",
        9,
    )
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    sectors = latest_snapshot().series("requests", "sector")
    assert sectors[""].value == 1 and "all" not in sectors
    login_staff(client, staff("programme manager", "START", language="en"))
    response = client.get(reverse("stats:dashboard"))
    assert response.status_code == 200
    table = response.content.decode().split("Requests by sector (NACE section)")[1]
    table = table.split("</table>")[0]
    assert '<th scope="row">Not provided</th><td class="text-end">1</td>' in table
    assert ">all<" not in table


def test_the_charts_write_their_figures_the_readers_way(small_history):
    outputs = public_outputs()  # each page's status is checked there
    for language, (share, pattern) in {
        "fr": ("88,9\u00a0%", "[0-9]+(,[0-9])?\u00a0%"),
        "en": ("88.9%", "[0-9]+(\\.[0-9])?%"),
        "de": ("88,9\u00a0%", "[0-9]+(,[0-9])?\u00a0%"),
    }.items():
        values = re.findall(r'<span class="bar-value">([^<]*)</span>', outputs[f"page {language}"])
        rates = [v for v in values if "%" in v]
        # The outcome survey's shares: 88.9 % (the headline rounds it to 89 %).
        assert share in rates, language
        assert all(re.fullmatch(pattern, v) for v in rates), (language, rates)
