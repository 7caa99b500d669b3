"""The staff dashboard's filters (a programme, a range of years) narrow every widget: the
headline cards, the charts, the tables by province, kind and sector, the decisions and the
backlog. What cannot follow them says so."""

from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from applications.workflow import OPEN_STATUSES, Status
from companies.identifiers import Province
from stats import dashboards, services
from stats.models import SnapshotRun
from stats.selectors import latest_snapshot
from tests.auth import login_staff
from tests.fixtures.staff import staff

from .dataset import reached

pytestmark = pytest.mark.django_db
SCOPE = dashboards.Scope("START", 2024, 2025)


def year(f) -> int:
    return timezone.localtime(f.submitted_at).year


def in_scope(files, scope=SCOPE):
    return [f for f in files if scope.covers(f.programme.code, str(year(f)))]


def ratio(numerator, denominator) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


@pytest.fixture
def staff_snapshot(crowded):
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    return latest_snapshot()


def test_the_headline_follows_the_programme_and_the_years(crowded, staff_snapshot):
    chosen = in_scope(crowded)
    surveys = [f.outcome for f in chosen if reached(f, Status.COMPLETED) and f.outcome]
    headline = {i["code"]: i for i in dashboards.headline(staff_snapshot, SCOPE)}

    assert headline["requests"]["value"] == len(chosen) == 7
    assert headline["completed"]["value"] == sum(reached(f, Status.COMPLETED) for f in chosen)
    assert headline["organisations_supported"]["value"] == len(
        {f.organisation_id for f in chosen if reached(f, Status.SELECTED)}
    )
    assert headline["investment_multiplier"]["value"] == ratio(
        sum(s.investment_after for s in surveys), sum(s.investment_before for s in surveys)
    )
    assert headline["recommendation"]["value"] == (
        ratio(sum(s.would_recommend for s in surveys), len(surveys)) * 100
    ).quantize(Decimal("0.1"))
    # The latest complete year in the range, over the year before, in the programme.
    latest = timezone.localdate().year - 1
    start = Counter(year(f) for f in crowded if f.programme.code == "START")
    assert headline["request_growth"]["value"] == ratio(start[latest], start[latest - 1])
    # Recognitions are today's: the card says it does not follow the filters.
    assert headline["recognised_experts"]["note"]
    assert not headline["requests"]["note"]


def test_organisations_supported_follow_any_range_of_years(crowded, staff_snapshot):
    for scope in (
        dashboards.Scope(None, 2023, 2023),
        dashboards.Scope(None, 2024, None),
        dashboards.Scope("CAP", None, 2024),
        dashboards.Scope("TREMPLIN", 2025, 2025),
    ):
        expected = {
            f.organisation_id for f in in_scope(crowded, scope) if reached(f, Status.SELECTED)
        }
        figure = dashboards.total(staff_snapshot, "organisations_supported", scope)
        assert (figure.value if figure else 0) == len(expected), scope


def test_the_tables_and_charts_follow_the_programme_and_the_years(crowded, staff_snapshot):
    chosen = in_scope(crowded)
    tables = dashboards.staff_tables(staff_snapshot, SCOPE)

    requests = Counter(f.organisation.province for f in chosen)
    completed = Counter(f.organisation.province for f in chosen if reached(f, Status.COMPLETED))
    assert {str(name): (r or 0, d or 0) for name, r, d, _experts in tables["provinces"]} == {
        str(p.label): (requests[p.value], completed[p.value]) for p in Province
    }
    assert sorted(v for _n, v in tables["kinds"]) == sorted(
        Counter(f.organisation.kind for f in chosen).values()
    )
    assert sorted(v for _n, v in tables["sectors"]) == sorted(
        Counter(f.organisation.sector for f in chosen).values()
    )
    decided = [f for f in chosen if f.decided_at]
    assert tables["acceptance"] == ratio(sum(bool(f.selected_at) for f in decided), len(decided))
    # The backlog is today's: by programme, whatever the years.
    open_start = [f for f in crowded if f.programme.code == "START" and f.status in OPEN_STATUSES]
    assert sum(n for _s, _a, n in tables["backlog"]) == len(open_start)

    chart = dashboards.by_province(staff_snapshot, "requests", "Requests", SCOPE)
    assert sum(v for v in chart.data.values()) == len(chosen)
    with translation.override("en"):
        survey = dashboards.shares(staff_snapshot, SCOPE)
    answered = [f.outcome for f in chosen if f.completed_at and f.outcome]
    assert (
        survey.data[("Would recommend", "%")]
        == ratio(sum(s.would_recommend for s in answered), len(answered)) * 100
    )


def test_the_filtered_page_shows_the_filtered_figures_and_says_what_does_not_follow(
    client, crowded, staff_snapshot
):
    login_staff(client, staff("programme manager", "START", language="en"))
    response = client.get(reverse("stats:dashboard"), {"programme": "START", "from": "2024"})
    assert response.status_code == 200
    page = response.content.decode()
    chosen = in_scope(crowded, dashboards.Scope("START", 2024, None))
    headline = page.split('mb-4 headline">')[1].split("</div>\n\n")[0]
    assert f'<p class="display-6 fw-bold mb-0 text-adn">{len(chosen)}</p>' in headline
    assert "Figures of: Start IA · 2024\u2013…" in page
    assert "Recognitions active today, whatever the filters." in page
    assert "Files open today, whatever the years." in page
    assert "Experts: recognitions active today, whatever the filters." in page
    assert "The medians are over all years" in page
    assert "All programmes and years, whatever the filters." in page
