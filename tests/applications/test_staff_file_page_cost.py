"""The staff's file page in a fixed number of queries whatever the file's history, and its
empty forms rendered once per process exactly as crispy renders them (issue 23)."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.urls import reverse
from django.utils import translation

from applications import services
from applications.forms.staff import DecisionForm, InformationRequestForm, NoteForm
from applications.models import (
    ApplicantMessage,
    ApplicationEvent,
    Attachment,
    ConflictOfInterest,
    Milestone,
)
from applications.templatetags.unbound_forms import crispy_unbound
from applications.workflow import Actor, Status
from tests.auth import login_staff
from tests.factories import ExpertFactory
from tests.fixtures.after_selection import signed_file, start_call
from tests.fixtures.applicants import pdf
from tests.fixtures.records import chained_event_queries
from tests.fixtures.staff import review, staff, submitted_file

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("history", [1, 10])
def test_the_staff_file_page_query_count_does_not_grow_with_its_history(
    client, django_assert_num_queries, history
):
    manager = staff("programme manager", "START")
    application = submitted_file(status=Status.ELIGIBILITY_CHECK)
    reviewers = [staff("reviewer", "START") for _ in range(min(history, 3))]
    for n in range(history):
        ApplicationEvent.objects.create(
            application=application, kind=ApplicationEvent.Kind.UPLOAD, comment=f"a{n}.pdf"
        )
        Attachment.objects.create(
            application=application,
            original_name=f"annexe-{n}.pdf",
            content_type="application/pdf",
            size=9,
            sha256="0" * 64,
            file=f"applications/annexe-{n}.pdf",
            uploaded_by=application.created_by,
            version=application.versions.get(),
        )
    for reviewer in reviewers:
        services.application_assign(application=application, reviewer=reviewer, by=manager)
    application.status = Status.UNDER_REVIEW
    application.save(update_fields=["status"])
    for reviewer in reviewers:
        review(application, reviewer)
    login_staff(client, manager)
    url = reverse("applications:staff_application", args=[application.pk])
    # session, user (with roles and programmes worked on); the file (the expert's and earlier
    # file's names, the versions' numbers and whether there are decision letters as subqueries),
    # its organisation, call, programme and form version (in one statement, each by its id:
    # less to plan than a join); its events, documents, assignments, reviews, their scores,
    # the call's criteria; the audit row; the ownership claims waiting (the manager's menu);
    # the reviewers to assign
    with django_assert_num_queries(12 + chained_event_queries()):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"annexe-{history - 1}.pdf" in page
    assert len(response.context["application"].timeline) >= history
    assert response["Cache-Control"] == "private, no-store"


def test_a_file_without_reviews_reads_neither_scores_nor_criteria(
    client, django_assert_num_queries
):
    manager = staff("programme manager", "START")
    application = submitted_file(status=Status.ELIGIBILITY_CHECK)
    login_staff(client, manager)
    url = reverse("applications:staff_application", args=[application.pk])
    # As above, less the reviews' scores and the call's criteria (only reviews read them)
    with django_assert_num_queries(10 + chained_event_queries()):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["summary"]["versions"] == []


def test_the_printouts_list_each_version_and_decision_letter_of_the_file_alone(
    client, django_assert_num_queries
):
    manager = staff("programme manager", "START")
    application, other = (submitted_file(status=Status.ELIGIBILITY_CHECK) for _ in range(2))
    for number in (2, 10):  # numbers sorted as numbers, not as text
        version = application.versions.get(number=1)
        version.pk, version.number = None, number
        version.save()
    letters = [
        ApplicantMessage.objects.create(
            application=application, kind=ApplicantMessage.Kind.DECISION, subject=subject
        )
        for subject in ("First decision", "Second decision")
    ]
    ApplicantMessage.objects.create(
        application=application, kind=ApplicantMessage.Kind.MESSAGE, subject="Not a letter"
    )
    other_letter = ApplicantMessage.objects.create(
        application=other, kind=ApplicantMessage.Kind.DECISION, subject="Other decision"
    )
    login_staff(client, manager)
    url = reverse("applications:staff_application", args=[application.pk])
    # As for a file without reviews, and its decision letters
    with django_assert_num_queries(11 + chained_event_queries()):
        response = client.get(url)
    page = response.content.decode()
    assert response.context["application"].version_numbers == [1, 2, 10]
    for number in (1, 2, 10):
        assert reverse("applications:staff_version_pdf", args=[application.pk, number]) in page
    assert reverse("applications:staff_version_pdf", args=[application.pk, 3]) not in page
    for letter in letters:
        assert (
            reverse("applications:staff_decision_letter_pdf", args=[application.pk, letter.pk])
            in page
        )
    assert "Not a letter" not in page and "Other decision" not in page
    other_page = client.get(reverse("applications:staff_application", args=[other.pk]))
    assert response.context["application"].decision_letters == letters
    assert list(other_page.context["application"].decision_letters) == [other_letter]
    assert other_page.context["application"].version_numbers == [1]


def test_each_file_page_shows_its_own_rows_from_statements_compiled_once(client):
    """The page's statements are written once per process with stand-in ids: the next file's
    page reads its own documents, timeline, reviewers to assign, expert and earlier file."""
    manager = staff("programme manager", "START")
    staff("reviewer", "START", first_name="Rita", last_name="Relue")
    conflicted = staff("reviewer", "START", first_name="Carl", last_name="Conflit")
    expert = ExpertFactory(organisation__name="Experte Conseil SRL", programmes=["START"])
    first = submitted_file(status=Status.ELIGIBILITY_CHECK)
    second = submitted_file(
        status=Status.ELIGIBILITY_CHECK, expert=expert, earlier_application=first
    )
    ConflictOfInterest.objects.create(reviewer=conflicted, organisation=second.organisation)
    for application in (first, second):
        Attachment.objects.create(
            application=application,
            original_name=f"piece-{application.reference}.pdf",
            content_type="application/pdf",
            size=9,
            sha256="0" * 64,
            file=f"applications/piece-{application.pk}.pdf",
            uploaded_by=application.created_by,
            version=application.versions.get(),
        )
        ApplicationEvent.objects.create(
            application=application,
            kind=ApplicationEvent.Kind.NOTE,
            comment=f"note on {application.reference}",
            by=manager,
        )
    login_staff(client, manager)
    pages = {
        application: client.get(
            reverse("applications:staff_application", args=[application.pk])
        ).content.decode()
        for application in (first, second)
    }
    for application, other in ((first, second), (second, first)):
        page = pages[application]
        assert f"piece-{application.reference}.pdf" in page
        assert f"piece-{other.reference}.pdf" not in page
        assert f"note on {application.reference}" in page
        assert f"note on {other.reference}" not in page
    assert "Experte Conseil SRL" in pages[second]
    assert "Experte Conseil SRL" not in pages[first]
    assert "Carl Conflit" in pages[first]  # a reviewer to assign
    assert "Carl Conflit" not in pages[second]  # declared a conflict with its organisation
    assert "Rita Relue" in pages[first] and "Rita Relue" in pages[second]


def test_the_file_page_shows_its_people_by_name_with_their_columns_left_out(client):
    manager = staff("programme manager", "START", first_name="Marc", last_name="Gestion")
    reviewer = staff("reviewer", "START", first_name="Sophie", last_name="Revue")
    application = submitted_file(status=Status.ELIGIBILITY_CHECK)
    services.application_assign(application=application, reviewer=reviewer, by=manager)
    login_staff(client, manager)
    with translation.override("en"):
        response = client.get(reverse("applications:staff_application", args=[application.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sophie Revue ·" in page  # the assignments' history
    assert "Marc Gestion" in page  # the timeline: who assigned


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_an_empty_form_rendered_once_is_what_crispy_renders(language):
    application = submitted_file(status=Status.UNDER_REVIEW)
    with translation.override(language):
        for form in (
            NoteForm(),
            InformationRequestForm(),
            DecisionForm(application=application, actor=Actor.MANAGER),
        ):
            expected = str(as_crispy_form(form))
            assert str(crispy_unbound(form)) == expected
            assert str(crispy_unbound(form)) == expected  # from the kept copy


def test_a_decision_form_is_kept_per_status_and_a_bound_one_never():
    under_review = submitted_file(status=Status.UNDER_REVIEW)
    submitted = submitted_file(status=Status.SUBMITTED)
    with translation.override("en"):
        first = str(crispy_unbound(DecisionForm(application=under_review, actor=Actor.MANAGER)))
        other = str(crispy_unbound(DecisionForm(application=submitted, actor=Actor.MANAGER)))
        assert first != other
        bound = DecisionForm(
            {"decision": "nonsense"}, application=under_review, actor=Actor.MANAGER
        )
        assert not bound.is_valid()
        rendered = str(crispy_unbound(bound))
        assert rendered == str(as_crispy_form(bound))
        assert "is-invalid" in rendered  # its error shown


def test_a_refused_form_comes_back_on_the_whole_file_page(client):
    manager = staff("programme manager", "START")
    reviewer = staff("reviewer", "START", first_name="Rita", last_name="Relue")
    application = submitted_file(status=Status.ELIGIBILITY_CHECK)
    login_staff(client, manager)
    response = client.post(
        reverse("applications:staff_application_note", args=[application.pk]), {"text": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert reverse("applications:staff_version_pdf", args=[application.pk, 1]) in page
    assert str(reviewer) in page  # a reviewer to assign
    assert response.context["note_form"].errors


def test_after_selection_the_file_page_names_the_diagnostics_expert_and_the_report_sent(client):
    manager = staff("programme manager", "START")
    expert = ExpertFactory(organisation__name="Diagnostic Conseil SRL", programmes=["START"])
    application = signed_file(start_call(interim_report_months=1), manager=manager, expert=expert)
    interim = application.milestones.get(kind=Milestone.Kind.INTERIM_REPORT)
    services.milestone_submit(
        milestone=interim, upload=pdf("rapport-intermediaire.pdf"), by=application.created_by
    )
    login_staff(client, manager)
    response = client.get(reverse("applications:staff_application", args=[application.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Diagnostic Conseil SRL · " in page  # the diagnostic's expert company
    assert "rapport-intermediaire.pdf</a>)" in page  # the milestone's report


def test_a_reviewer_of_no_programme_finds_no_file(client):
    application = submitted_file(status=Status.ELIGIBILITY_CHECK)
    login_staff(client, staff("reviewer"))
    url = reverse("applications:staff_application", args=[application.pk])
    assert client.get(url).status_code == 404
