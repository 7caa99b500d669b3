"""Each indicator of the snapshot against a second, straightforward count of the same files."""

import statistics
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationEvent, FollowUpSurvey, OutcomeReport
from applications.workflow import OPEN_STATUSES, Status
from stats import organisations, selectors, services
from stats.models import IndicatorValue, SnapshotRun
from stats.selectors import latest_snapshot
from tests.auth import login_staff
from tests.factories import ExpertFactory, OrganisationFactory
from tests.fixtures.staff import staff

from .dataset import (
    add_file,
    build,
    counted_by_hand,
    files_now,
    reached,
    stored_file_and_survey_figures,
)

pytestmark = pytest.mark.django_db
FIGURE_SOURCES = [
    "applications_application",
    "applications_applicationevent",
    "applications_outcomereport",
    "applications_assignment",
    "applications_agreement",
    "applications_paymentrequest",
    "applications_payment",
    "companies_organisation",
    "companies_expert",
]


def test_requests_received_count_submitted_files_by_year_programme_and_province(files, snapshot):
    assert snapshot.value("requests") == len(files)
    by_year = {}
    for f in files:
        year = str(timezone.localtime(f.submitted_at).year)
        by_year[year] = by_year.get(year, 0) + 1
    assert {k: int(v.value) for k, v in snapshot.series("requests", "year").items()} == by_year
    assert snapshot.value("requests", "programme", "TREMPLIN") == sum(
        f.programme.code == "TREMPLIN" for f in files
    )
    assert snapshot.value("requests", "province", "liege") == sum(
        f.organisation.province == "liege" for f in files
    )
    assert snapshot.value("requests", "programme_year", "START|2024") == 3


def test_request_growth_is_this_years_requests_over_last_years(files, snapshot):
    count = {
        y: sum(timezone.localtime(f.submitted_at).year == y for f in files)
        for y in (2023, 2024, 2025)
    }
    assert snapshot.value("request_growth", "year", "2024") == Decimal(
        count[2024] / count[2023]
    ).quantize(Decimal("0.0001"))
    assert snapshot.value("request_growth", "year", "2025") == Decimal(
        count[2025] / count[2024]
    ).quantize(Decimal("0.0001"))


def test_projects_carried_out_are_files_that_reached_completed(files, snapshot):
    assert snapshot.value("completed") == sum(reached(f, Status.COMPLETED) for f in files) == 4


def test_organisations_supported_are_distinct_organisations_with_a_selected_file(files, snapshot):
    expected = {f.organisation_id for f in files if reached(f, Status.SELECTED)}
    assert snapshot.value("organisations_supported") == len(expected) == 4


def test_recognised_experts_are_those_active_on_the_snapshot_date(files, snapshot):
    assert snapshot.value("recognised_experts") == 3


def test_a_recognition_starting_tomorrow_is_not_counted_today(files):
    today = timezone.localdate()
    ExpertFactory(
        organisation__postcode="6600",
        recognised_from=today + timedelta(days=1),
        recognised_until=today + timedelta(days=1000),
    )
    ExpertFactory(organisation__postcode="6600", recognised_from=today)
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    snapshot = latest_snapshot()
    assert snapshot.value("recognised_experts") == 4  # the dataset's 3 and today's
    assert snapshot.value("recognised_experts", "province", "luxembourg") == 1


def test_survey_figures_are_ratios_over_completed_files(files, snapshot):
    reports = [r for r in OutcomeReport.objects.all() if reached(r.application, Status.COMPLETED)]
    before = sum(r.investment_before for r in reports)
    after = sum(r.investment_after for r in reports)
    assert snapshot.value("investment_multiplier") == (after / before).quantize(Decimal("0.0001"))
    assert snapshot.value("improved_competitiveness") == Decimal(
        sum(r.improved_competitiveness for r in reports) / len(reports)
    ).quantize(Decimal("0.0001"))
    assert snapshot.value("improved_either") == Decimal(
        sum(r.improved_competitiveness or r.improved_quality for r in reports) / len(reports)
    ).quantize(Decimal("0.0001"))
    assert snapshot.value("recommendation") == Decimal(
        sum(r.would_recommend for r in reports) / len(reports)
    ).quantize(Decimal("0.0001"))


def test_acceptance_rate_is_selected_over_decided(files, snapshot):
    selected = sum(reached(f, Status.SELECTED) for f in files)
    refused = sum(f.status in (Status.REJECTED, Status.INELIGIBLE) for f in files)
    assert snapshot.value("acceptance") == Decimal(selected / (selected + refused)).quantize(
        Decimal("0.0001")
    )


def test_processing_times_are_medians_in_days(files, snapshot):
    to_decision = [
        (f.decided_at - f.submitted_at).total_seconds() / 86400 for f in files if f.decided_at
    ]
    to_completion = [
        (f.completed_at - f.submitted_at).total_seconds() / 86400 for f in files if f.completed_at
    ]
    assert snapshot.value("days_to_decision") == Decimal(statistics.median(to_decision)).quantize(
        Decimal("0.01")
    )
    assert snapshot.value("days_to_completion") == Decimal(
        statistics.median(to_completion)
    ).quantize(Decimal("0.01"))


def test_processing_times_by_programme_read_only_decided_or_completed_files(files, snapshot):
    """The medians skip the files without the moment (the computation reads only the files
    decided or completed); a programme with files keeps its row without one (None, of 0)."""
    reviewer, organisation = files[0].created_by, files[0].organisation
    files = [*files, add_file(organisation, "CAP", 2025, Status.SUBMITTED, None, reviewer, "w1")]
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    snapshot = latest_snapshot()
    empty = 0
    for code in {f.programme.code for f in files}:
        for indicator, moment in (
            ("days_to_decision", "decided_at"),
            ("days_to_completion", "completed_at"),
        ):
            days = [
                (getattr(f, moment) - f.submitted_at).total_seconds() / 86400
                for f in files
                if f.programme.code == code and getattr(f, moment)
            ]
            figure = snapshot.get(indicator, "programme", code)
            assert figure.denominator == len(days)
            if days:
                assert figure.value == Decimal(statistics.median(days)).quantize(Decimal("0.01"))
            else:
                assert figure.value is None
                empty += 1
    assert empty  # the case is met: a programme whose files have no such moment yet


def test_backlog_counts_open_files_by_status_and_reviewer(files, snapshot):
    open_files = [f for f in files if f.status in OPEN_STATUSES]
    assert snapshot.value("backlog") == len(open_files)
    by_reviewer = {
        k.split(":", 1)[1]: v.value for k, v in snapshot.series("backlog", "reviewer").items()
    }
    assert by_reviewer == {"Rita Revue": 3}
    total_by_status_age = sum(v.value for v in snapshot.series("backlog", "status_age").values())
    assert total_by_status_age == len(open_files)


def test_conversion_counts_organisations_going_on_to_the_next_programme(files, snapshot):
    selected = {f.organisation_id for f in files if f.programme.code == "START" and f.selected_at}
    movers = {
        later.organisation_id
        for later in files
        if later.programme.code == "TREMPLIN"
        and any(
            earlier.organisation_id == later.organisation_id
            and earlier.programme.code == "START"
            and earlier.selected_at
            and later.submitted_at > earlier.selected_at
            for earlier in files
        )
    }
    row = snapshot.get("conversion", "all", "START>TREMPLIN")
    assert (row.numerator, row.denominator) == (len(movers), len(selected)) == (1, 4)


def test_conversion_counts_only_organisations_that_went_on_after_their_selection(files):
    """docs/domain.md, Outcomes and indicators: a later-programme file submitted after the
    earlier file's selection. Here one organisation goes on after its selection, one applied to
    Tremplin IA first, one's Start IA file was never selected, one applied to Tremplin IA while
    its Start IA file was still under review (selected later)."""
    reviewer = files[0].created_by
    went_on, backwards, never_selected, too_early = (
        OrganisationFactory(postcode="4000") for _ in range(4)
    )
    add_file(went_on, "START", 2023, Status.COMPLETED, None, reviewer, "o1", 1)
    add_file(went_on, "TREMPLIN", 2024, Status.SUBMITTED, None, reviewer, "o2", 1)
    add_file(backwards, "TREMPLIN", 2023, Status.REJECTED, None, reviewer, "o3", 1)
    add_file(backwards, "START", 2024, Status.COMPLETED, None, reviewer, "o4", 1)
    add_file(never_selected, "START", 2023, Status.REJECTED, None, reviewer, "o5", 1)
    add_file(never_selected, "TREMPLIN", 2024, Status.SUBMITTED, None, reviewer, "o6", 1)
    # Start IA submitted 1 March, selected 31 March; Tremplin IA submitted 10 March.
    add_file(too_early, "START", 2025, Status.IN_PROGRESS, None, reviewer, "o7", 0)
    add_file(too_early, "TREMPLIN", 2025, Status.SUBMITTED, None, reviewer, "o8", 9)
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)

    row = latest_snapshot().get("conversion", "all", "START>TREMPLIN")
    # Denominator: the dataset's 4 organisations with a selected Start IA file, with went_on,
    # backwards and too_early. Numerator: the dataset's one, and went_on.
    assert (row.numerator, row.denominator) == (2, 7)
    assert row.value == Decimal("0.2857")


@pytest.mark.parametrize("bits", [organisations.BITS, 2], ids=["one mask", "several masks"])
def test_every_breakdown_of_the_file_and_survey_figures_matches_a_count_by_hand(
    crowded, monkeypatch, bits
):
    # With 2 bits a mask, the 9 programme x year cells spread over 5 mask columns.
    monkeypatch.setattr(organisations, "BITS", bits)
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    assert stored_file_and_survey_figures() == counted_by_hand(crowded)


def test_the_next_snapshot_follows_every_kind_of_write_since_the_last(crowded):
    """Whatever wrote since the last snapshot (a service, a queryset update, a delete), the
    next one has the figures of a count by hand of the files as they are."""
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    reviewer, first, moved, gone = crowded[0].created_by, crowded[2], crowded[4], crowded[11]
    add_file(first.organisation, "TREMPLIN", 2024, Status.COMPLETED, (7, 9, True, True, False),
             reviewer, "y1", 30)  # fmt: skip
    Application.objects.filter(pk=moved.pk).update(organisation=first.organisation)
    gone.events.all().delete()
    Application.objects.filter(pk=gone.pk).delete()
    OutcomeReport.objects.filter(application=crowded[0]).update(would_recommend=False)
    services.snapshot_run(trigger=SnapshotRun.Trigger.CHANGE)
    assert stored_file_and_survey_figures() == counted_by_hand(files_now())


def test_a_file_of_a_new_year_is_in_the_next_snapshot(crowded):
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    add_file(crowded[1].organisation, "CAP", 2026, Status.SUBMITTED, None, crowded[0].created_by,
             "y2", 27)  # fmt: skip
    services.snapshot_run(trigger=SnapshotRun.Trigger.CHANGE)
    assert stored_file_and_survey_figures() == counted_by_hand(files_now())


def test_a_database_error_in_a_computation_is_recorded_and_the_next_run_succeeds(
    crowded, monkeypatch
):
    """The error staff read is the one that stopped the computation (on PostgreSQL, not a
    later statement refused in the failed transaction), and it leaves no table behind."""

    def failing(table, tests):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM stats_no_such_table")

    monkeypatch.setattr(organisations, "count_organisations", failing)
    with pytest.raises(Exception, match="stats_no_such_table"):
        services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    failed = SnapshotRun.objects.first()
    assert failed.state == SnapshotRun.State.FAILED and "stats_no_such_table" in failed.error
    monkeypatch.undo()
    run = services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    assert run.state == SnapshotRun.State.SUCCEEDED
    assert stored_file_and_survey_figures() == counted_by_hand(crowded)


def test_two_runs_give_the_same_snapshot_without_duplicates(files):
    services.snapshot_run(trigger=SnapshotRun.Trigger.SCHEDULE)
    first = sorted(IndicatorValue.objects.values_list("indicator", "dimension", "key", "value"))
    services.snapshot_run(trigger=SnapshotRun.Trigger.SCHEDULE)
    assert (
        sorted(IndicatorValue.objects.values_list("indicator", "dimension", "key", "value"))
        == first
    )


def test_a_failed_run_leaves_the_previous_snapshot_and_is_recorded(files):
    services.snapshot_run(trigger=SnapshotRun.Trigger.SCHEDULE)
    before = sorted(IndicatorValue.objects.values_list("indicator", "dimension", "key", "value"))
    Application.objects.filter(status=Status.SUBMITTED).update(status=Status.WITHDRAWN)
    with (
        mock.patch("stats.services.compute", side_effect=RuntimeError("database went away")),
        pytest.raises(RuntimeError),
    ):
        services.snapshot_run(trigger=SnapshotRun.Trigger.SCHEDULE)
    assert (
        sorted(IndicatorValue.objects.values_list("indicator", "dimension", "key", "value"))
        == before
    )
    failed = SnapshotRun.objects.first()
    assert failed.state == SnapshotRun.State.FAILED and "database went away" in failed.error


def test_changes_to_files_trigger_one_debounced_run(files):
    assert selectors.files_changed_since_last_run()
    services.snapshot_run(trigger=SnapshotRun.Trigger.CHANGE)
    assert not selectors.files_changed_since_last_run()
    for application in files[:5]:  # a batch of decisions…
        ApplicationEvent.objects.create(application=application, kind="note")
    from stats.tasks import recompute_if_files_changed

    assert recompute_if_files_changed.delay().get() is True  # …one run
    assert recompute_if_files_changed.delay().get() is False


@pytest.mark.parametrize("url_name", ["stats:key_figures", "stats:dashboard"])
def test_dashboards_read_snapshots_only_with_a_constant_query_count(
    client, files, snapshot, url_name
):
    login_staff(client, staff("programme manager", "START"))
    # The staff menu's count of ownership claims is cached on the first page shown.
    client.get(reverse("stats:key_figures"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    # None of the tables the figures are computed from (the staff menu's count of ownership
    # claims is the page's own).
    for table in FIGURE_SOURCES:
        assert f'"{table}"' not in touched
    # Twice the files: the same number of queries.
    build(batch="b")
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    with CaptureQueriesContext(connection) as again:
        client.get(reverse(url_name))
    assert len(again.captured_queries) == len(queries.captured_queries)


def test_public_figures_hide_cells_describing_fewer_than_five_organisations(
    client, files, snapshot
):
    page = client.get(reverse("stats:key_figures")).content.decode()
    assert "&lt; 5" in page  # every province has fewer than 5 completed projects here
    assert snapshot.value("completed", "province", "liege") is not None  # staff still see them


def test_the_staff_dashboard_offers_each_chart_as_csv(client, files, snapshot):
    login_staff(client, staff("reviewer", "START"))
    response = client.get(reverse("stats:dashboard_csv", args=["requests"]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",Start IA,Tremplin IA,Cap IA"
    assert lines[1].startswith("2023,3,")


def test_recompute_now_is_for_managers_and_shows_the_run(
    client, files, django_capture_on_commit_callbacks
):
    login_staff(client, staff("reviewer", "START"))
    assert client.post(reverse("stats:recompute")).status_code == 404
    login_staff(client, staff("programme manager", "START"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("stats:recompute"))
    run = SnapshotRun.objects.get()
    assert run.trigger == "manual" and run.state == "succeeded" and run.finished_at


def test_the_public_page_comes_from_the_cache_with_each_visitors_own_token_until_the_next_snapshot(
    files, snapshot, django_assert_num_queries
):
    import re

    from django.test import Client

    first, second = Client(), Client(enforce_csrf_checks=True)
    first.get(reverse("stats:key_figures"))
    with django_assert_num_queries(0):  # the whole page from the cache
        page = second.get(reverse("stats:key_figures")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert "placeholder" not in token
    # The switcher's POST works with the token it was given.
    assert (
        second.post(
            reverse("set_language"), {"csrfmiddlewaretoken": token, "language": "en", "next": "/"}
        ).status_code
        == 302
    )

    build(batch="c")
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    assert "24" in first.get(reverse("stats:key_figures")).content.decode()  # 12 + 12 files now


def test_the_dashboard_still_shows_a_snapshot_whose_codes_left_the_choices(client, files, snapshot):
    row = IndicatorValue.objects.filter(indicator="requests", dimension="sector").first()
    IndicatorValue.objects.filter(pk=row.pk).update(key="Z")  # a NACE section that is no more
    login_staff(client, staff("programme manager", "START"))
    response = client.get(reverse("stats:dashboard"))
    assert response.status_code == 200 and ">Z<" in response.content.decode()


def test_the_dashboard_charts_are_rendered_once_per_snapshot_and_filters(
    client, files, snapshot, django_assert_max_num_queries
):
    login_staff(client, staff("programme manager", "START"))
    first = client.get(reverse("stats:dashboard"), {"programme": "START"}).content.decode()
    with django_assert_max_num_queries(5) as again:  # session, user, roles, runs: no snapshot
        assert client.get(reverse("stats:dashboard"), {"programme": "START"}).status_code == 200
    assert "stats_indicatorvalue" not in " ".join(q["sql"] for q in again.captured_queries)
    # Another filter is another rendering; a new snapshot shows at once.
    assert client.get(reverse("stats:dashboard"), {"programme": "CAP"}).content.decode() != first
    build(batch="d")
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    page = client.get(reverse("stats:dashboard"), {"programme": "START"}).content.decode()
    assert page != first and ">16<" in page  # 8 + 8 Start IA requests in the headline


def test_the_survey_12_months_on_gives_the_investment_after_once_answered(crowded):
    """docs/domain.md, Outcomes and indicators: the investment the year after is the one the
    survey 12 months on measured, when it was answered; an unanswered one changes nothing."""
    answered, unanswered = crowded[0], crowded[1]
    FollowUpSurvey.objects.create(
        application=answered,
        sent_at=timezone.now(),
        investment_after=Decimal("90000"),
        answered_at=timezone.now(),
    )
    FollowUpSurvey.objects.create(application=unanswered, sent_at=timezone.now())
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)

    assert stored_file_and_survey_figures() == counted_by_hand(crowded)
    # Start IA 2023: files 0 (10,000 before, 90,000 a year on) and 1 (20,000 and 40,000).
    figure = latest_snapshot().get("investment_multiplier", "programme_year", "START|2023")
    assert (figure.numerator, figure.denominator) == (130000, 30000)


def test_investments_add_up_to_the_cent(crowded):
    """The surveys' pass adds up the investments in cents (integers the database writes on the
    report): odd cents, an amount at the column's limit and a survey's 12 months on add up
    exactly, in euros."""
    OutcomeReport.objects.filter(application=crowded[0]).update(
        investment_before=Decimal("0.29"), investment_after=Decimal("9999999999.99")
    )
    OutcomeReport.objects.filter(application=crowded[1]).update(
        investment_before=Decimal("1234567.89")
    )
    FollowUpSurvey.objects.create(
        application=crowded[1],
        sent_at=timezone.now(),
        investment_after=Decimal("0.07"),
        answered_at=timezone.now(),
    )
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)

    assert stored_file_and_survey_figures() == counted_by_hand(crowded)
    # Start IA 2023: files 0 and 1 only.
    figure = latest_snapshot().get("investment_multiplier", "programme_year", "START|2023")
    assert (figure.numerator, figure.denominator) == (
        Decimal("10000000000.06"),
        Decimal("1234568.18"),
    )
    assert figure.value == (Decimal("10000000000.06") / Decimal("1234568.18")).quantize(
        Decimal("0.0001")
    )
