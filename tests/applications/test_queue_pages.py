"""The staff queue's pages: next and previous links carry the row to start after (a cursor), so
any page reached through them costs what the first costs; a page typed by its number still
works; a filtered list is counted up to a cap. Also run on PostgreSQL (Makefile's
POSTGRESQL_TESTS): the order's NULLs and the index range differ there."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from adn_portal.accounts.models import User
from adn_portal.lib import seek
from applications.models import Application
from applications.workflow import Status
from tests.auth import login_staff
from tests.factories import OrganisationFactory
from tests.fixtures.staff import scored_call, staff

pytestmark = pytest.mark.django_db
QUEUE = reverse("applications:staff_queue")


@pytest.fixture
def reviewer(db):
    return staff("reviewer", "START")


def files(created_by, n: int, *, same_minute_every: int = 3, undated: int = 0) -> list[str]:
    """`n` submitted files, newest first by reference; every `same_minute_every` share a
    submission moment (ties the primary key decides), and `undated` more without one."""
    call = scored_call()
    organisations = [OrganisationFactory(name=f"Org {i:03d}") for i in range(7)]
    now = timezone.now()
    Application.objects.bulk_create(
        Application(
            call=call,
            programme=call.programme,
            organisation=organisations[i % 7],
            created_by=created_by,
            status=Status.REJECTED if i % 2 else Status.WITHDRAWN,
            reference=f"START-2026-{i:05d}",
            submitted_at=None if i >= n else now - timedelta(minutes=i // same_minute_every),
        )
        for i in range(n + undated)
    )
    return [f"START-2026-{i:05d}" for i in range(n + undated)]


def references(response) -> list[str]:
    assert response.status_code == 200
    return [f.reference for f in response.context["page"]]


def every(pages: list[list[str]]) -> list[str]:
    return [reference for page in pages for reference in page]


def walk(client, params: dict, link: str = "next_cursor") -> list[list[str]]:
    """Every page from the first, through the page's `link` cursor."""
    pages, response = [], client.get(QUEUE, params)
    while True:
        pages.append(references(response))
        cursor = getattr(response.context["page"], link)
        if not cursor:
            return pages
        response = client.get(QUEUE, {**params, "cursor": cursor})


def in_queue_order(created_by_all: list[str]) -> list[str]:
    """The queue's default order: newest submission first, the newest row first on a tie,
    files without a submission moment first (as PostgreSQL orders NULL in a descending key)."""
    rows = Application.objects.exclude(status=Status.DRAFT).values_list(
        "reference", "submitted_at", "pk"
    )
    undated = sorted((r for r in rows if r[1] is None), key=lambda r: -r[2])
    dated = sorted((r for r in rows if r[1] is not None), key=lambda r: (r[1], r[2]), reverse=True)
    return [r[0] for r in undated + dated]


def test_the_next_links_reach_every_file_once_in_the_queue_order(client, reviewer):
    made = files(reviewer, 70, undated=4)
    login_staff(client, reviewer)
    pages = walk(client, {})
    assert [len(p) for p in pages] == [25, 25, 24]
    assert every(pages) == in_queue_order(made)


def test_the_previous_links_come_back_through_the_same_pages(client, reviewer):
    files(reviewer, 80)
    login_staff(client, reviewer)
    forward, response = [], client.get(QUEUE)
    for _ in range(3):  # to page 4
        forward.append(references(response))
        response = client.get(QUEUE, {"cursor": response.context["page"].next_cursor})
    assert response.context["page"].number == 4
    back = response.context["page"]
    # From page 4 back to 3 and 2 through cursors; page 2 links to the first page, plainly.
    for expected in (forward[2], forward[1]):
        response = client.get(QUEUE, {"cursor": back.previous_cursor})
        assert references(response) == expected
        back = response.context["page"]
    assert back.number == 2 and back.previous_cursor is None and back.previous_is_first


def test_a_sort_by_organisation_or_reference_pages_through_cursors_too(client, reviewer):
    files(reviewer, 60)
    login_staff(client, reviewer)
    by_name = every(walk(client, {"ordering": "organisation", "status": "rejected"}))
    rows = Application.objects.filter(status=Status.REJECTED).values_list(
        "reference", "organisation__name", "pk"
    )
    assert by_name == [r[0] for r in sorted(rows, key=lambda r: (r[1], r[2]))]
    by_reference = every(walk(client, {"ordering": "-reference"}))
    assert by_reference == sorted(by_reference, reverse=True) and len(by_reference) == 60


def test_a_page_through_a_cursor_runs_the_first_pages_queries(
    client, reviewer, django_assert_num_queries
):
    files(reviewer, 60)
    login_staff(client, reviewer)
    first = client.get(QUEUE, {"status": "rejected"})
    with CaptureQueriesContext(connection) as first_page:
        client.get(QUEUE, {"status": "rejected"})
    cursor = first.context["page"].next_cursor
    with django_assert_num_queries(len(first_page)):
        deep = client.get(QUEUE, {"status": "rejected", "cursor": cursor})
    assert deep.context["page"].number == 2
    assert deep.context["page"].count == 30  # still counted


def test_a_page_typed_by_its_number_still_opens_and_links_on_by_cursor(client, reviewer):
    made = files(reviewer, 60)
    login_staff(client, reviewer)
    order = in_queue_order(made)
    response = client.get(QUEUE, {"page": "2"})
    assert references(response) == order[25:50]
    page = response.context["page"]
    assert page.number == 2 and page.num_pages == 3
    assert references(client.get(QUEUE, {"cursor": page.next_cursor})) == order[50:]


@pytest.mark.parametrize(
    "cursor",
    ["", "abc", "eyJrIjpbXX0", "x" * 5000, "ﾠ", "eyJrIjpbIi1zdWJtaXR0ZWRfYXQiLCItcGsiXX0"],
)
def test_a_cursor_that_is_not_one_shows_the_first_page(client, reviewer, cursor):
    made = files(reviewer, 30)
    login_staff(client, reviewer)
    response = client.get(QUEUE, {"cursor": cursor})
    assert references(response) == in_queue_order(made)[:25]
    assert response.context["page"].number == 1


def test_a_cursor_made_for_another_sort_shows_the_first_page(client, reviewer):
    files(reviewer, 30)
    login_staff(client, reviewer)
    by_reference = client.get(QUEUE, {"ordering": "reference"}).context["page"].next_cursor
    response = client.get(QUEUE, {"cursor": by_reference})  # the default sort
    assert response.context["page"].number == 1


def test_a_filtered_queue_counts_up_to_the_cap_and_says_more_than(client, reviewer, monkeypatch):
    files(reviewer, 80)
    monkeypatch.setattr(seek, "COUNT_CAP", 10)
    User.objects.filter(pk=reviewer.pk).update(language="en")  # the page speaks the reader's
    login_staff(client, reviewer)
    # A call is no count the tabs keep: the list is counted, up to the cap.
    narrowed = {"status": "rejected", "call": Application.objects.first().call_id}
    with translation.override("en"):
        response = client.get(QUEUE, narrowed)
    assert response.status_code == 200
    page = response.context["page"]
    assert (page.count, page.more_than, page.num_pages) == (None, 10, None)
    assert "More than 10 files" in response.content.decode()
    assert "Page 1</span>" in response.content.decode()
    assert len(every(walk(client, narrowed))) == 40  # every file still reached


def test_a_list_filtered_by_programme_and_status_alone_is_counted_as_its_tab_whole(
    client, reviewer, monkeypatch
):
    """The tabs' counts per programme and status (queue_counts, the conflicts of interest
    taken off) count such a list exactly, past the cap, with no count in the page's
    statement; any other filter is counted with the page."""
    from applications.models import ConflictOfInterest
    from programs.models import Programme

    files(reviewer, 80)
    conflicted = Application.objects.filter(status=Status.REJECTED).first().organisation
    ConflictOfInterest.objects.create(reviewer=reviewer, organisation=conflicted)
    listed = Application.objects.filter(status=Status.REJECTED).exclude(organisation=conflicted)
    monkeypatch.setattr(seek, "COUNT_CAP", 10)
    start = Programme.objects.get(code="START")
    login_staff(client, reviewer)
    client.get(QUEUE)  # the shared counts, then in the cache
    for params in (
        {"status": "rejected"},
        {"status": "rejected", "programme": start.pk},
        {"status": ["rejected", "withdrawn"], "programme": start.pk, "ordering": "reference"},
        {"status": "rejected", "mine": ""},  # a box left unticked filters nothing
    ):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE, params)
        assert response.status_code == 200
        page = response.context["page"]
        expected = (
            listed.count()
            if params["status"] == "rejected"
            else 80 - Application.objects.filter(organisation=conflicted).count()
        )
        assert (page.count, page.more_than) == (expected, None), params
        page_counts = ("capped_count", "seek_found", "seek_total")
        assert not any(word in q["sql"] for q in captured for word in page_counts), params
        assert page.count == len(every(walk(client, params))), params
    other = Programme.objects.exclude(code="START").first()
    assert client.get(QUEUE, {"programme": other.pk}).context["page"].count == 0
    # Another filter: counted with the page, up to the cap.
    response = client.get(QUEUE, {"status": "rejected", "ordering": "-submitted", "kind": "sme"})
    found = listed.filter(organisation_kind="sme").count()
    page = response.context["page"]
    assert (page.count, page.more_than) == ((None, 10) if found > 10 else (found, None))


@pytest.mark.parametrize(
    "ordering",
    [(), ("reference",), ("-reference",), ("status", "-submitted_at"), ("organisation__name",)],
)
@pytest.mark.parametrize("cap", [10, 74, 100])
def test_a_first_page_and_its_count_read_at_once_are_those_read_twice(reviewer, ordering, cap):
    """seek_page(once=True): the first page's rows and the capped count from one reading of
    the list, in one statement as without: the same rows, count and links, whether the list
    is longer than the cap or not (NULLs first in a descending key, last in an ascending)."""
    files(reviewer, 70, undated=4)
    listed = Application.objects.exclude(status=Status.DRAFT).filter(reference__contains="2026")
    order = ordering or ("-submitted_at",)
    pages = []
    for once in (False, True):
        with CaptureQueriesContext(connection) as statements:
            pages.append(seek.seek_page(listed, order, None, 25, cap=cap, once=once))
        assert len(statements) == 1
        assert ("seek_found" in statements[0]["sql"]) == (once and "__" not in order[0])
    twice, at_once = pages
    assert [r.reference for r in at_once] == [r.reference for r in twice]
    assert len(at_once) == 25
    assert (at_once.count, at_once.more_than) == ((74, None) if cap >= 74 else (None, cap))
    assert (at_once.count, at_once.more_than, at_once.next_cursor) == (
        twice.count,
        twice.more_than,
        twice.next_cursor,
    )


@pytest.mark.parametrize("ordering", ["", "reference", "-reference", "status", "organisation"])
@pytest.mark.parametrize("cap", [10, 100])
def test_a_searchs_first_page_and_count_read_at_once_are_the_lists(
    client, reviewer, monkeypatch, ordering, cap
):
    """A search's first page and its capped count come from one reading of its files (when
    they are no more than the cap, the page is their first rows; else it is read in the
    list's order, as without a search): the same rows, links and count as the same files
    listed by a filter, in as many queries, the undated files first in the default order."""
    files(reviewer, 70, undated=4)
    monkeypatch.setattr(seek, "COUNT_CAP", cap)
    login_staff(client, reviewer)
    sort = {"ordering": ordering} if ordering else {}
    client.get(QUEUE)  # what a first request pays once (the session's, the counts')
    call = Application.objects.first().call_id  # a filter the page counts (the tabs do not)
    with CaptureQueriesContext(connection) as listing:
        listed = client.get(QUEUE, {**sort, "status": ["rejected", "withdrawn"], "call": call})
    with CaptureQueriesContext(connection) as searching:
        searched = client.get(QUEUE, {**sort, "q": "START-2026"})
    assert len(references(searched)) == 25
    assert references(searched) == references(listed)
    page, same = searched.context["page"], listed.context["page"]
    assert (page.count, page.more_than) == ((74, None) if cap == 100 else (None, 10))
    assert (page.count, page.more_than, page.next_cursor, page.has_previous) == (
        same.count,
        same.more_than,
        same.next_cursor,
        same.has_previous,
    )
    assert len(searching) == len(listing)
    # Read at once unless the order goes through a relation (10,001 names to join).
    assert any("seek_found" in q["sql"] for q in searching) == (ordering != "organisation")
    if not ordering:
        assert references(searched) == in_queue_order([])[:25]


def test_the_links_keep_the_filters_and_drop_the_old_position(client, reviewer):
    files(reviewer, 120)
    login_staff(client, reviewer)
    response = client.get(QUEUE, {"status": "rejected", "page": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    next_link = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(next_link).query)
    assert query["status"] == ["rejected"]
    assert "page" not in query
    assert query["cursor"] == [response.context["page"].next_cursor]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL only")
def test_the_search_is_one_bitmap_or_of_three_indexes_on_postgresql(reviewer):
    from applications.filters import QueueFilter
    from applications.selectors import staff_applications

    files(reviewer, 10)
    queue = QueueFilter({"q": "Org 003"}, queryset=staff_applications(reviewer), user=reviewer)
    searched = queue.search(Application.objects.order_by(), "q", "Org 003")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small is read whole
        sql, params = searched.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The reference, the title and the organisations found by name (an array handed to the
    # files' organisation index): one BitmapOr, no file read to check the search.
    assert "BitmapOr" in plan
    for index in (
        "application_reference_trgm_idx",
        "application_title_trgm_idx",
        "applications_application_organisation_id",
    ):
        assert index in plan
    assert {f.organisation.name for f in queue.qs} == {"Org 003"}


def test_a_search_said_word_by_word_finds_the_files_holding_it_whole(reviewer):
    """The search is said one word at a time for the trigram index (applications.filters
    `_holds`), then checked whole: it finds what `icontains` on the reference, the title and
    the organisation's name finds, nothing more (words in another order, another spacing,
    another separator) and nothing less (case, short words, LIKE's wildcards as text)."""
    from django.db.models import Q

    from applications.filters import QueueFilter
    from applications.selectors import staff_files

    call = scored_call()
    titles = [
        "Projet 602",
        "Projet 6020 bis",
        "PROJET  602",
        "602 Projet",
        "Projet-602",
        "projet 60",
        "Un projet à 12 % d'avance",
        "Projet 6_2",
        "Été 2026, projet B",
    ]
    names = ("Organisation 798", "Org 7980", "Projet SA")
    Application.objects.bulk_create(
        Application(
            call=call,
            programme=call.programme,
            organisation=OrganisationFactory(name=names[i % 3]),  # one open file each
            created_by=reviewer,
            status=Status.SUBMITTED,
            reference=f"START-B0{i}-0{i}1684",
            title=title,
            submitted_at=timezone.now(),
        )
        for i, title in enumerate(titles)
    )
    searches = [
        "Projet 602",
        "projet 60",
        "602 projet",
        "Projet-602",
        "Projet  602",
        "ojet 6",
        "à 12 % d",
        "Projet 6_2",
        "Projet 6%2",
        "été 2026, projet",
        "Organisation 798",
        "Org 798",
        "B03-031684",
        "a b",
        "x",
    ]
    for value in searches:
        queue = QueueFilter({"q": value}, queryset=staff_files(reviewer), user=reviewer)
        found = set(queue.qs.values_list("reference", flat=True))
        holding = Application.objects.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(organisation__name__icontains=value)
        )
        assert found == set(holding.values_list("reference", flat=True)), value
    # Not a vacuous comparison: the search finds some and leaves others.
    queue = QueueFilter({"q": "Projet 602"}, queryset=staff_files(reviewer), user=reviewer)
    assert sorted(queue.qs.values_list("title", flat=True)) == ["Projet 602", "Projet 6020 bis"]


# --- the province filter reads the file's copy of its organisation's province -----------------


def test_a_file_holds_its_organisations_province_whatever_wrote_it(reviewer):
    from companies.models import Organisation
    from tests.fixtures.staff import submitted_file

    namur = OrganisationFactory(postcode="5000")
    application = submitted_file(organisation=namur)
    stored = lambda: Application.objects.values_list("organisation_province", flat=True).get(  # noqa: E731
        pk=application.pk
    )
    assert stored() == "namur"
    # A save from a stale copy of the row (Django writes every column) keeps the true value.
    application.organisation_province = "hainaut"
    application.save()
    assert stored() == "namur"
    # The organisation moves, however it is written (a save, a bulk update): its files follow.
    namur.postcode, namur.province = "4000", "liege"
    namur.save()
    assert stored() == "liege"
    Organisation.objects.filter(pk=namur.pk).update(province="luxembourg")
    assert stored() == "luxembourg"
    # The file changes organisation.
    Application.objects.filter(pk=application.pk).update(
        organisation=OrganisationFactory(postcode="7000")
    )
    assert stored() == "hainaut"


def test_the_queue_filters_by_the_province_the_organisation_has_now(client, reviewer):
    from companies.services.organisations import organisation_save_by_staff
    from tests.fixtures.staff import submitted_file

    organisation = OrganisationFactory(postcode="5000")
    application = submitted_file(organisation=organisation)
    login_staff(client, reviewer)
    assert references(client.get(QUEUE, {"province": "namur"})) == [application.reference]
    organisation.postcode = "4000"
    organisation_save_by_staff(organisation=organisation, fields=["postcode"], by=reviewer)
    assert references(client.get(QUEUE, {"province": "namur"})) == []
    assert references(client.get(QUEUE, {"province": "liege"})) == [application.reference]


def test_the_filter_form_speaks_each_readers_language_though_its_class_is_made_once(
    client, reviewer
):
    files(reviewer, 3)
    login_staff(client, reviewer)
    for language, words in (
        ("de", "Alle Provinzen"),
        ("fr", "Toutes les provinces"),
        ("en", "All provinces"),
        ("de", "Alle Provinzen"),
    ):
        User.objects.filter(pk=reviewer.pk).update(language=language)
        response = client.get(QUEUE, {"status": "rejected"})
        assert response.status_code == 200
        assert words in response.content.decode(), language


# --- the kind filter reads the file's copy of its organisation's kind --------------------------


def test_a_file_holds_its_organisations_kind_whatever_wrote_it(reviewer):
    from companies.models import Organisation
    from tests.fixtures.staff import submitted_file

    startup = OrganisationFactory(kind="startup")
    application = submitted_file(organisation=startup)
    stored = lambda: Application.objects.values_list("organisation_kind", flat=True).get(  # noqa: E731
        pk=application.pk
    )
    assert stored() == "startup"
    # A save from a stale copy of the row (Django writes every column) keeps the true value.
    application.organisation_kind = "commune"
    application.save()
    assert stored() == "startup"
    # The organisation's kind changes, however it is written: its files follow.
    startup.kind = "sme"
    startup.save()
    assert stored() == "sme"
    Organisation.objects.filter(pk=startup.pk).update(kind="large_company")
    assert stored() == "large_company"
    # The file changes organisation; the province is still copied beside the kind.
    Application.objects.filter(pk=application.pk).update(
        organisation=OrganisationFactory(kind="commune", postcode="7000")
    )
    assert stored() == "commune"
    assert Application.objects.get(pk=application.pk).organisation_province == "hainaut"


def test_the_queue_filters_by_the_kind_the_organisation_has_now(client, reviewer):
    from tests.fixtures.staff import submitted_file

    organisation = OrganisationFactory(kind="startup")
    application = submitted_file(organisation=organisation)
    submitted_file(organisation=OrganisationFactory(kind="commune"))
    login_staff(client, reviewer)
    assert references(client.get(QUEUE, {"kind": "startup"})) == [application.reference]
    organisation.kind = "sme"
    organisation.save()
    assert references(client.get(QUEUE, {"kind": "startup"})) == []
    assert references(client.get(QUEUE, {"kind": "sme", "ordering": "reference"})) == [
        application.reference
    ]


def test_each_row_names_the_files_current_reviewer_and_links_to_the_file(client, reviewer):
    from applications.models import Assignment
    from tests.fixtures.staff import submitted_file

    assigned, unassigned = submitted_file(), submitted_file()
    sophie = staff("reviewer", "START", first_name="Sophie", last_name="Revue")
    earlier = Assignment.objects.create(application=assigned, reviewer=reviewer, assigned_by=sophie)
    earlier.ended_at = timezone.now()
    earlier.save()
    Assignment.objects.create(application=assigned, reviewer=sophie, assigned_by=sophie)
    login_staff(client, reviewer)
    rows = {row.reference: row for row in client.get(QUEUE).context["page"]}
    assert rows[assigned.reference].reviewer_shown == "Sophie Revue"
    assert rows[unassigned.reference].reviewer_shown == "—"
    page = client.get(QUEUE).content.decode()
    file_url = reverse("applications:staff_application", args=[assigned.pk])
    assert f'<a href="{file_url}">{assigned.reference}</a>' in page


@pytest.mark.parametrize("listed", [True, False])
def test_each_row_names_its_call_after_its_programme_even_one_the_form_did_not_list(
    client, reviewer, monkeypatch, listed
):
    """The rows' calls are named from the lists the filter form reads; a call created since
    (not in them) is read from the database."""
    from django.utils.html import escape

    from applications.filters import QueueFilter
    from programs.models import call_label
    from tests.fixtures.staff import submitted_file

    application = submitted_file()
    if not listed:
        monkeypatch.setattr(QueueFilter, "listed", lambda self, name: {})
    User.objects.filter(pk=reviewer.pk).update(language="de")
    login_staff(client, reviewer)
    response = client.get(QUEUE)
    assert response.status_code == 200
    with translation.override("de"):
        expected = call_label(application.programme.name, application.call.title)
    (row,) = response.context["page"]
    assert row.call_shown == expected
    assert escape(expected) in response.content.decode()


def test_a_managers_rows_have_their_checkbox_and_unread_messages_link_to_the_conversation(
    client,
):
    from applications import services
    from applications.models import Side
    from tests.fixtures.staff import submitted_file

    application = submitted_file(organisation=OrganisationFactory(name="Dupont <& fils>"))
    services.message_post(
        application=application, by=application.created_by, side=Side.APPLICANT, body="A"
    )
    manager = staff("programme manager", "START")
    User.objects.filter(pk=manager.pk).update(language="en")
    login_staff(client, manager)
    with translation.override("en"):
        page = client.get(QUEUE).content.decode()
    file_url = reverse("applications:staff_application", args=[application.pk])
    conversation_url = reverse("applications:staff_conversation", args=[application.pk])
    assert (
        f'<input class="form-check-input" type="checkbox" name="files" value="{application.pk}" '
        f'aria-label="Select {application.reference}">' in page
    )
    assert (
        f'<a href="{file_url}">{application.reference}</a> <a href="{conversation_url}" '
        'class="text-decoration-none"> <span class="badge rounded-pill text-bg-primary '
        'unread-messages">1<span class="visually-hidden"> unread message</span></span></a>'
    ) in page
    assert "<td>Dupont &lt;&amp; fils&gt;</td>" in page  # the name as text, never as markup


def test_a_programme_chosen_is_checked_against_the_programmes_listed_without_a_query_more(
    client, reviewer
):
    from programs.models import Programme

    files(reviewer, 4)
    start = Programme.objects.get(code="START")
    login_staff(client, reviewer)
    client.get(QUEUE)  # the counts per status, then in the cache
    with CaptureQueriesContext(connection) as unfiltered:
        client.get(QUEUE, {"status": "rejected"})
    # The programmes are read once, for the drop-down and to check the choice.
    with CaptureQueriesContext(connection) as by_programme:
        response = client.get(QUEUE, {"status": "rejected", "programme": start.pk})
    assert len(by_programme) == len(unfiltered)
    assert response.context["page"].count == 2
    # What the ORM takes for this id, the check takes too; anything else is no choice.
    assert client.get(QUEUE, {"programme": f"0{start.pk}"}).context["page"].count == 4
    for junk in ("abc", "999999", "1.5", "1e20"):
        response = client.get(QUEUE, {"programme": junk})
        assert response.status_code == 200
        assert response.context["filter"].form.errors["programme"], junk


def test_the_filter_forms_options_are_escaped_and_the_chosen_ones_selected(client, reviewer):
    from programs.models import Programme
    from tests.factories import CallFactory

    call = CallFactory(programme=Programme.objects.get(code="START"), title_fr='R&D <IA> "pilote"')
    login_staff(client, reviewer)
    with translation.override("fr"):
        page = client.get(
            QUEUE, {"call": call.pk, "status": ["rejected", "selected"]}
        ).content.decode()
    assert f'<option value="{call.pk}" selected>' in page
    assert "R&amp;D &lt;IA&gt; &quot;pilote&quot;</option>" in page
    assert '<option value="rejected" selected>' in page
    assert '<option value="selected" selected>' in page
    assert '<option value="submitted">' in page


def test_a_file_of_a_conflicted_organisation_is_neither_listed_nor_counted(client, reviewer):
    from applications.models import ConflictOfInterest
    from tests.fixtures.staff import submitted_file

    kept, conflicted = submitted_file(), submitted_file()
    ConflictOfInterest.objects.create(
        reviewer=reviewer, organisation=conflicted.organisation, reason="Family."
    )
    login_staff(client, reviewer)
    for query in ({}, {"status": "submitted"}, {"status": "submitted", "ordering": "reference"}):
        page = client.get(QUEUE, query)
        assert references(page) == [kept.reference], query
        assert page.context["page"].count == 1
        assert {status: n for status, _label, n in page.context["tabs"]} == {"submitted": 1}


# --- the filter form's controls, written once per language, read as Django writes them ---------


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_the_filter_controls_read_as_djangos_widgets_write_them(reviewer, language):
    from django.test.html import parse_html
    from django.utils.html import conditional_escape, format_html

    from applications.filters import QueueFilter
    from programs.models import Call, Programme
    from tests.factories import CallFactory

    start = Programme.objects.get(code="START")
    CallFactory(programme=start, title_fr='R&D <IA> "pilote"', title_de="F&E")
    call = Call.objects.order_by("pk").first()
    chosen = {
        "q": 'Projet "7" <b>',
        "programme": str(start.pk),
        "call": str(call.pk),
        "status": ["rejected", "selected"],
        "province": "liege",
        "kind": "cpas",
        "ordering": "-organisation",
        "mine": "on",
        "overdue": "true",
    }
    from django.http import QueryDict

    refused = {
        "q": "x" * 201,
        "programme": "abc",
        "call": "999999",
        "status": ["junk", "submitted"],
        "province": "nowhere",
        "ordering": "-submitted_at",
        "reviewer": "1e30",
    }
    for data in ({}, chosen, {"milestone_overdue": "on", "status": ["submitted"]}, refused):
        query = QueryDict(mutable=True)
        for name, value in data.items():
            query.setlist(name, value if isinstance(value, list) else [value])
        with translation.override(language):
            queue = QueueFilter(query or None, queryset=Application.objects.all(), user=reviewer)
            valid = queue.form.is_valid() or not queue.is_bound
            assert valid == (data is not refused), queue.form.errors
            controls = queue.controls
            for name in queue.form.fields:
                bound = queue.form[name]
                label = format_html(
                    '<label class="form-label" for="{}">{}</label>', bound.id_for_label, bound.label
                )
                if name in ("mine", "overdue", "milestone_overdue"):
                    expected = format_html(
                        '<div class="form-check mt-4">{} <label class="form-check-label" '
                        'for="{}">{}</label></div>',
                        str(bound),
                        bound.id_for_label,
                        bound.label,
                    )
                else:
                    expected = format_html("{}{}", label, str(bound))
                control, _, messages = controls[name].partition(f'<div id="{bound.auto_id}_error"')
                assert parse_html(control) == parse_html(expected), (name, data)
                # A refused filter's messages under it, where its aria-describedby points.
                refused_here = data is refused and name in data
                assert bool(messages) == bool(bound.errors) == refused_here, name
                for error in bound.errors:
                    assert str(conditional_escape(error)) in messages


def test_a_filter_refused_says_why_next_to_its_control(client, reviewer):
    files(reviewer, 2)
    login_staff(client, reviewer)
    with translation.override("fr"):
        response = client.get(QUEUE, {"programme": "abc", "q": "x" * 201})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sélectionnez un choix valide" in page
    assert 'aria-invalid="true"' in page
    # The list is still shown, the refused filters left out.
    assert response.context["page"].count == 2


def test_the_benchs_filter_combinations_are_ones_the_form_accepts(reviewer):
    """bench.misses measures the queue with new filter combinations: each must be one the
    form takes whole (a refused value is ignored, and would measure another page)."""
    from itertools import islice
    from urllib.parse import urlsplit

    from django.http import QueryDict

    from applications.filters import QueueFilter
    from bench.draws import queue_filters

    for url in islice(queue_filters(1130), 200):
        query = QueryDict(urlsplit(url).query)
        queue = QueueFilter(query, queryset=Application.objects.all(), user=reviewer)
        assert queue.form.is_valid(), (url, queue.form.errors)
