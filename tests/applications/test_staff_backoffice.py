import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from adn_portal.mailer.models import OutgoingEmail
from applications import services
from applications.models import Application, ApplicationEvent, Assignment, Export
from applications.workflow import Actor, Status
from tests.auth import login, login_staff
from tests.factories import OrganisationFactory, UserFactory
from tests.fixtures.staff import review, scored_call, staff, submitted_file

pytestmark = pytest.mark.django_db
QUEUE = reverse("applications:staff_queue")


@pytest.fixture
def manager(db):
    return staff("programme manager", "START", first_name="Marc", last_name="Gestion")


@pytest.fixture
def reviewer(db):
    return staff("reviewer", "START", first_name="Sophie", last_name="Revue")


def references(response) -> list[str]:
    return [f.reference for f in response.context["page"]]


def tab_counts(response) -> dict[str, int]:
    return {status: n for status, _label, n in response.context["tabs"]}


# --- who sees what -------------------------------------------------------------------------


def test_reviewers_see_only_the_programmes_they_work_on(client, reviewer):
    mine = submitted_file()
    other = submitted_file(scored_call("TREMPLIN"))
    login_staff(client, reviewer)
    assert references(client.get(QUEUE)) == [mine.reference]
    assert client.get(reverse("applications:staff_application", args=[other.pk])).status_code == 404
    assert client.get(reverse("applications:staff_application", args=[mine.pk])).status_code == 200


def test_drafts_never_reach_the_staff_queue(client, reviewer):
    draft = submitted_file(status=Status.DRAFT)
    login_staff(client, reviewer)
    assert draft.reference not in references(client.get(QUEUE))
    assert client.get(reverse("applications:staff_application", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("who", ["applicant", "expert_user", "reviewer_elsewhere"])
def test_staff_pages_are_404_for_people_without_the_role_or_the_programme(client, who):
    application = submitted_file()
    user = {
        "applicant": lambda: application.created_by,
        "expert_user": lambda: UserFactory(),
        "reviewer_elsewhere": lambda: staff("reviewer", "CAP"),
    }[who]()
    login_staff(client, user)  # even with the second factor in the session
    assert (
        client.get(reverse("applications:staff_application", args=[application.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("applications:staff_application_note", args=[application.pk]), {"text": "intrusion"}
    )
    assert response.status_code == 404
    assert not ApplicationEvent.objects.filter(kind="note").exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_applicants_never_see_internal_notes_scores_or_reviewer_names(client, manager, reviewer):
    application = submitted_file(status=Status.UNDER_REVIEW)
    services.application_assign(application=application, reviewer=reviewer, by=manager)
    services.application_add_note(application=application, by=reviewer, text="Note confidentielle")
    review(application, reviewer, 4, comment="Très bien")

    login(client, application.created_by)
    response = client.get(application.get_absolute_url())
    assert response.status_code == 200  # the file page itself, not a refusal that shows nothing
    page = response.content.decode()
    assert application.reference in page
    assert "Note confidentielle" not in page
    assert "Très bien" not in page
    assert "Revue" not in page  # the reviewer's name

    # Staff read the score in words in the timeline, not a bare number.
    login_staff(client, manager)
    response = client.get(reverse("applications:staff_application", args=[application.pk]))
    assert response.status_code == 200
    staff_page = html.unescape(response.content.decode())
    total = application.events.get(kind="review").comment
    assert f"Total pondéré : {total} points." in staff_page


# --- queue ---------------------------------------------------------------------------------


def test_queue_filters_search_and_my_files(client, reviewer, manager):
    liege = submitted_file(
        organisation=OrganisationFactory(name="Boulangerie Liégeoise", postcode="4000")
    )
    namur = submitted_file(
        organisation=OrganisationFactory(name="Atelier Namurois", postcode="5000"),
        status=Status.UNDER_REVIEW,
    )
    services.application_assign(application=namur, reviewer=reviewer, by=manager)
    login_staff(client, reviewer)

    assert references(client.get(QUEUE, {"province": "namur"})) == [namur.reference]
    assert references(client.get(QUEUE, {"status": "submitted"})) == [liege.reference]
    assert references(client.get(QUEUE, {"q": "boulang"})) == [liege.reference]
    assert references(client.get(QUEUE, {"q": liege.reference})) == [liege.reference]
    assert references(client.get(QUEUE, {"mine": "true"})) == [namur.reference]
    assert references(client.get(QUEUE, {"reviewer": reviewer.pk})) == [namur.reference]
    assert references(client.get(QUEUE, {"ordering": "reference"})) == sorted(
        [liege.reference, namur.reference]
    )


def test_a_hostile_ordering_or_search_is_harmless(client, reviewer):
    submitted_file()
    login_staff(client, reviewer)
    for params in (
        {"ordering": "organisation__memberships__user__password"},
        {"q": "'; DELETE FROM applications_application; --"},
        {"page": "999999"},
    ):
        assert client.get(QUEUE, params).status_code == 200
    assert Application.objects.count() == 1


def bulk_files(created_by, statuses: list[Status]) -> None:
    """One submitted file per status, all of one organisation, referenced START-2025-00000…"""
    call = scored_call()
    organisation = OrganisationFactory()
    Application.objects.bulk_create(
        Application(
            call=call,
            programme=call.programme,
            organisation=organisation,
            created_by=created_by,
            status=status,
            reference=f"START-2025-{n:05d}",
        )
        for n, status in enumerate(statuses)
    )


def test_a_filtered_queue_counts_and_pages_its_files_past_the_end_and_with_a_junk_number(
    client, reviewer
):
    bulk_files(reviewer, [Status.REJECTED if n % 2 else Status.WITHDRAWN for n in range(60)])
    rejected = [f"START-2025-{n:05d}" for n in range(60) if n % 2]  # 30 files: 2 pages
    login_staff(client, reviewer)
    by_reference = {"status": "rejected", "ordering": "reference"}

    first = client.get(QUEUE, by_reference)
    assert first.context["page"].count == 30
    assert references(first) == rejected[:25]
    assert references(client.get(QUEUE, {**by_reference, "page": "2"})) == rejected[25:]
    for past_the_end in ("3", "999999"):  # the last page, as Django's paginator does
        assert (
            references(client.get(QUEUE, {**by_reference, "page": past_the_end})) == rejected[25:]
        )
    # As Django's paginator does: not a number is page 1, a number below 1 the last page.
    for junk, shown in (("abc", 1), ("1.5", 1), ("", 1), ("0", 2), ("-1", 2)):
        page = client.get(QUEUE, {**by_reference, "page": junk})
        assert page.status_code == 200
        assert page.context["page"].count == 30
        assert references(page) == (rejected[:25] if shown == 1 else rejected[25:]), junk
    assert references(client.get(QUEUE, {"status": "closed"})) == []


@pytest.mark.parametrize("files", [10, 1000])
def test_queue_query_count_is_the_same_for_10_and_1000_files(
    client, reviewer, django_assert_num_queries, files
):
    bulk_files(reviewer, [Status.REJECTED] * files)
    login_staff(client, reviewer)
    # session, user (with their roles and programmes), the page's rows (with organisation,
    # call, programme and current reviewer) and the files counted (up to 10,000) in one
    # statement, the user's conflicts of interest (read once: none here, so no counts per
    # status to take off the cached ones), counts per status, programme and call choices of the
    # filter form
    with django_assert_num_queries(7):
        response = client.get(QUEUE, {"status": "rejected"})
    assert response.context["page"].count == files


def test_the_counts_per_status_are_shared_from_the_cache_until_a_file_moves(
    client, manager, reviewer, django_assert_num_queries, django_capture_on_commit_callbacks
):
    application = submitted_file()
    login_staff(client, manager)
    assert tab_counts(client.get(QUEUE)) == {"submitted": 1}
    # The same page without the GROUP BY per status, nor the count: the whole queue's size is
    # the sum of the counts per status (less the user's conflicts of interest: one query).
    with django_assert_num_queries(6):
        assert client.get(QUEUE).context["page"].count == 1
    assert client.get(QUEUE, {"status": "rejected"}).context["page"].count == 0
    with django_capture_on_commit_callbacks(execute=True):  # the move is committed
        services.application_staff_transition(
            application=application, to=Status.ELIGIBILITY_CHECK, by=manager
        )
    assert tab_counts(client.get(QUEUE)) == {"eligibility_check": 1}
    with django_capture_on_commit_callbacks(execute=True):  # a second file moves too
        services.application_staff_transition(
            application=submitted_file(), to=Status.ELIGIBILITY_CHECK, by=manager
        )
    response = client.get(QUEUE)
    assert tab_counts(response) == {"eligibility_check": 2}
    assert response.context["page"].count == len(response.context["page"]) == 2
    # Another member of staff shares the cached counts, limited to their own programmes.
    login_staff(client, staff("reviewer", "TREMPLIN"))
    assert tab_counts(client.get(QUEUE)) == {}


# --- workflow --------------------------------------------------------------------------------


def test_every_move_of_the_follow_up_is_recorded_with_who_and_when(manager, reviewer):
    application = submitted_file(amount_requested=Decimal("3000"))
    services.application_staff_transition(
        application=application, to=Status.ELIGIBILITY_CHECK, by=reviewer
    )
    services.application_staff_transition(
        application=application, to=Status.UNDER_REVIEW, by=reviewer
    )
    review(application, reviewer, 5)
    services.application_decide(application=application, decision=Status.SELECTED, by=manager)
    # Both signatures recorded: the portal moves the file on (docs/domain.md, After selection).
    services.agreement_record_signatures(
        agreement=application.agreements.get(), by=manager, comment="Signée en réunion."
    )
    services.application_staff_transition(
        application=application, to=Status.IN_PROGRESS, by=manager
    )
    application.refresh_from_db()
    moves = list(
        application.events.filter(kind="transition").values_list("from_status", "to_status", "by")
    )
    assert moves == [
        ("submitted", "eligibility_check", reviewer.pk),
        ("eligibility_check", "under_review", reviewer.pk),
        ("under_review", "selected", manager.pk),
        ("selected", "agreement_signed", manager.pk),
        ("agreement_signed", "in_progress", manager.pk),
    ]
    assert application.granted_amount == Decimal("3000")
    selected_event = application.events.get(to_status=Status.SELECTED)
    # Both stamped by the decision and kept as the project goes on: the indicators read them.
    assert application.decided_at is not None
    assert abs(application.selected_at - selected_event.at).total_seconds() < 1


def test_a_reviewer_cannot_decide(reviewer):
    application = submitted_file(status=Status.UNDER_REVIEW)
    with pytest.raises(services.ApplicationError):
        services.application_decide(application=application, decision=Status.SELECTED, by=reviewer)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_a_decision_needs_a_submitted_review(manager, reviewer):
    application = submitted_file(status=Status.UNDER_REVIEW)
    with translation.override("en"), pytest.raises(services.ApplicationError, match="a review"):
        services.application_decide(application=application, decision=Status.REJECTED, by=manager)
    first = application.call.criteria.first()
    review(application, reviewer, scores={first.pk: (3, "")}, submit=False)  # a draft
    with translation.override("en"), pytest.raises(services.ApplicationError, match="a review"):
        services.application_decide(application=application, decision=Status.REJECTED, by=manager)
    review(application, reviewer, 3)
    decided = services.application_decide(
        application=application, decision=Status.REJECTED, by=manager
    )
    assert decided.status == Status.REJECTED


def test_selecting_needs_budget_left_in_the_call_envelope(manager, reviewer):
    call = scored_call(budget_envelope=Decimal("10000"), ceiling_per_file=None)
    first = submitted_file(call, status=Status.UNDER_REVIEW, amount_requested=Decimal("7000"))
    second = submitted_file(call, status=Status.UNDER_REVIEW, amount_requested=Decimal("4000"))
    for application in (first, second):
        review(application, reviewer, 4)
    services.application_decide(application=first, decision=Status.SELECTED, by=manager)
    # The amount left written the reader's way ("€3,000"), not "3000 EUR".
    with translation.override("en"), pytest.raises(services.ApplicationError, match="€3,000"):
        services.application_decide(application=second, decision=Status.SELECTED, by=manager)
    services.application_decide(application=second, decision=Status.WAITLISTED, by=manager)


def test_the_decision_message_is_templated_in_the_applicants_language(client, manager, reviewer):
    application = submitted_file(status=Status.UNDER_REVIEW)
    application.created_by.language = "en"
    application.created_by.save()
    review(application, reviewer, 1)

    services.application_decide(
        application=application,
        decision=Status.REJECTED,
        by=manager,
        comment="The data were too thin.",
    )

    email = OutgoingEmail.objects.get(to=application.created_by.email)
    assert email.subject == f"{application.reference}: decision on your application"
    assert "The data were too thin." in email.body
    client.force_login(application.created_by)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "decision on your application" in page and "The data were too thin." in page


def test_two_decisions_on_a_stale_page_one_is_refused_as_changed(manager, reviewer):
    application = submitted_file(status=Status.UNDER_REVIEW)
    review(application, reviewer, 4)
    services.application_decide(
        application=application,
        decision=Status.SELECTED,
        by=manager,
        expected_status=Status.UNDER_REVIEW,
    )
    with pytest.raises(services.ApplicationError, match="modifié entre-temps"):
        services.application_decide(
            application=application,
            decision=Status.REJECTED,
            by=manager,
            expected_status=Status.UNDER_REVIEW,
        )
    assert application.events.filter(to_status__in=["selected", "rejected"]).count() == 1


def test_batch_decisions_apply_file_by_file(client, manager, reviewer):
    call = scored_call()
    scored = [submitted_file(call, status=Status.UNDER_REVIEW) for _ in range(3)]
    for application in scored:
        review(application, reviewer, 2)
    unscored = submitted_file(call, status=Status.UNDER_REVIEW)
    login_staff(client, manager)
    client.post(
        reverse("applications:staff_queue_batch"),
        {
            "action": "rejected",
            "files": [a.pk for a in [*scored, unscored]],
            "comment": "Merci.",
            "confirmed": "True",  # the messages were shown
        },
    )
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in scored] == ["rejected"] * 3
    assert statuses[unscored.pk] == "under_review"


# --- assignment ------------------------------------------------------------------------------


def test_reassignment_keeps_the_history(manager, reviewer):
    other = staff("reviewer", "START")
    application = submitted_file()
    services.application_assign(application=application, reviewer=reviewer, by=manager)
    services.application_assign(application=application, reviewer=other, by=manager)
    history = list(Assignment.objects.filter(application=application).order_by("pk"))
    assert [a.reviewer for a in history] == [reviewer, other]
    assert history[0].ended_at is not None and history[1].ended_at is None


def test_a_reviewer_with_a_conflict_of_interest_is_never_assigned(manager, reviewer):
    application = submitted_file()
    services.conflict_declare(
        reviewer=reviewer, organisation=application.organisation, reason="Ancien employeur"
    )
    with pytest.raises(services.ApplicationError, match="conflit d'intérêts"):
        services.application_assign(application=application, reviewer=reviewer, by=manager)
    assert (
        services.applications_auto_assign(applications=Application.objects.all(), by=manager) == {}
    )


def test_auto_assignment_balances_open_files_across_reviewers(client, manager, reviewer):
    second = staff("reviewer", "START")
    third = staff("reviewer", "START")
    call = scored_call()
    busy = submitted_file(call)
    services.application_assign(application=busy, reviewer=reviewer, by=manager)
    for _ in range(10):
        submitted_file(call)
    login_staff(client, manager)
    client.post(reverse("applications:staff_queue_batch"), {"action": "auto_assign"})

    loads = sorted(
        Assignment.objects.filter(ended_at__isnull=True).values_list("reviewer", flat=True)
    )
    counts = sorted(loads.count(r.pk) for r in (reviewer, second, third))
    assert counts == [3, 4, 4]  # 11 open files over 3 reviewers, the busy one included
    assert Assignment.objects.filter(ended_at__isnull=True).count() == 11


def test_only_managers_assign(reviewer):
    application = submitted_file()
    with pytest.raises(services.ApplicationError):
        services.application_assign(application=application, reviewer=reviewer, by=reviewer)


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.WITHDRAWN, Status.REJECTED, Status.INELIGIBLE, Status.CLOSED]
)
def test_no_reviewer_is_made_responsible_for_a_draft_or_an_ended_file(manager, reviewer, status):
    application = submitted_file(status=status)
    with pytest.raises(services.ApplicationError, match="encore ouvert"):
        services.application_assign(application=application, reviewer=reviewer, by=manager)
    assert not Assignment.objects.filter(application=application).exists()
    assert (
        services.applications_auto_assign(applications=Application.objects.all(), by=manager) == {}
    )


# --- exports ---------------------------------------------------------------------------------


def test_the_filtered_queue_exports_as_xlsx_with_formula_cells_made_safe(
    client, reviewer, django_capture_on_commit_callbacks
):
    submitted_file(
        organisation=OrganisationFactory(name='=HYPERLINK("http://evil","x")', postcode="5000")
    )
    submitted_file(organisation=OrganisationFactory(name="Atelier Liège", postcode="4000"))
    login_staff(client, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("applications:staff_export_create") + "?province=namur", {"format": "xlsx"}
        )

    export = Export.objects.get()
    assert export.state == Export.State.READY and export.rows == 1
    response = client.get(reverse("applications:staff_export_download", args=[export.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Référence"
    assert rows[1][3] == '\'=HYPERLINK("http://evil","x")'
    assert len(rows) == 2


def test_a_csv_export_is_only_downloadable_by_who_asked(
    client, reviewer, django_capture_on_commit_callbacks
):
    submitted_file()
    login_staff(client, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:staff_export_create"), {"format": "csv"})
    export = Export.objects.get()
    login_staff(client, staff("reviewer", "START"))
    assert (
        client.get(reverse("applications:staff_export_download", args=[export.pk])).status_code
        == 404
    )


def test_an_information_request_from_staff_reaches_the_applicant(client, reviewer):
    application = submitted_file()
    login_staff(client, reviewer)
    client.post(
        reverse("applications:staff_application_request_information", args=[application.pk]),
        {"message": "Joignez le devis.", "due_date": "2030-01-31"},
    )
    application.refresh_from_db()
    assert application.status == Status.INFO_REQUESTED
    message = application.messages.get()
    assert message.due_date.isoformat() == "2030-01-31"
    assert services.staff_actor(reviewer) == Actor.REVIEWER
