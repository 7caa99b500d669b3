"""What a step page reads: the file, then its organisation, call, programme and form version in
one statement (`adn_portal.lib.compiled.rows_by_ids`, which gives the rows the ORM gives), the
kinds of its documents when its form requires some, and what each question offers (the
earlier files, the experts): the same statements whatever the step's answers, documents or
history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from adn_portal.lib.compiled import rows_by_ids
from applications.services import application_start
from applications.steps import steps_for
from companies.models import Organisation
from programs.models import Call, FormSection, FormVersion, Programme
from tests.fixtures.after_selection import tremplin_call
from tests.fixtures.applicants import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def tremplin_draft(applicant):
    # Every section of the programme's form, as the demo's call.
    call = tremplin_call(form_sections=[s.value for s in FormSection])
    return application_start(call=call, organisation=applicant.organisation, by=applicant)


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_rows_read_by_their_ids_in_one_statement_are_the_orms(
    tremplin_draft, django_assert_num_queries
):
    draft = tremplin_draft
    wanted = [
        (Organisation, draft.organisation_id),
        (Call, draft.call_id),
        (Programme, draft.programme_id),
        (FormVersion, draft.form_version_id),
    ]
    with django_assert_num_queries(1):
        found = rows_by_ids(*wanted)

    for (model, pk), row in zip(wanted, found, strict=True):
        assert type(row) is model and not row._state.adding
        assert _fields(row) == _fields(model.objects.get(pk=pk))
    assert found[3].definition["steps"]  # the form's JSON, read as the ORM reads it
    with pytest.raises(LookupError):
        rows_by_ids((Organisation, draft.organisation_id), (Call, -1))


# Every step page: the session, its user, the file (one of the user's organisations'), its four
# rows (organisation, call, programme, form version), the kinds of its documents (a quote is
# required: the progress shows whether the documents step is done).
STEP_PAGE = 5
# And what a step's questions offer, or its documents step lists.
OFFERED = {
    "project": 1,  # the organisation's earlier files of the programme
    "documents": 1,  # the file's documents
}


def test_each_step_page_takes_the_same_statements_whatever_its_file_holds(
    client, applicant, tremplin_draft, expert
):
    client.force_login(applicant)
    urls = {
        step.slug: reverse("applications:step", args=[tremplin_draft.pk, step.slug])
        for step in steps_for(tremplin_draft)
    }
    expected = {slug: STEP_PAGE + OFFERED.get(slug, 0) for slug in urls}
    assert set(OFFERED) | {"provider"} <= set(urls)
    for _round in range(2):  # an empty draft, then with a document and typed answers
        counted = {}
        for slug, url in urls.items():
            client.get(url)  # warm: the session's first read, the experts' index
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            assert response["Cache-Control"] == "private, no-store"
            counted[slug] = len(queries)
            if slug == "provider":  # the picker's page: from the directory's index, no query
                assert expert.organisation.name in response.content.decode()
        assert counted == expected
        documents = reverse("applications:attachment_upload", args=[tremplin_draft.pk])
        assert client.post(documents, {"file": pdf(), "kind": "quote"}).status_code == 302
        tremplin_draft.refresh_from_db()
        typed = {"roadmap": "Six mois.", "version": tremplin_draft.version, "save_draft": "1"}
        assert client.post(urls["roadmap"], typed).status_code == 302
    tremplin_draft.refresh_from_db()
    assert tremplin_draft.attachments.count() == 2 and tremplin_draft.data["roadmap"]


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_the_earlier_files_listed_are_the_fields_own_choices(
    applicant, start_call, tremplin_draft, language
):
    """The project step's list of earlier files (read by a statement compiled once, with
    their calls' titles) is the field's queryset's: its Start IA files with a reference, not
    withdrawn, ineligible or rejected, not another organisation's; the same list written."""
    from applications.models import Application
    from applications.workflow import Status
    from tests.factories import OrganisationFactory

    start_call.title_en, start_call.title_de = "Start IA <English>", ""
    start_call.save()
    for number, (organisation, status) in enumerate(
        [
            (applicant.organisation, Status.SUBMITTED),
            (applicant.organisation, Status.COMPLETED),
            (applicant.organisation, Status.WITHDRAWN),
            (applicant.organisation, Status.REJECTED),
            (OrganisationFactory(), Status.SUBMITTED),
        ]
    ):
        Application.objects.create(
            call=start_call,
            programme=start_call.programme,
            organisation=organisation,
            created_by=applicant,
            status=status,
            reference=f"START-2026-{number:04d}",
        )
    step = next(s for s in steps_for(tremplin_draft) if s.slug == "project")
    with translation.override(language):
        listed = step.form_class(application=tremplin_draft)
        (name,) = [n for n, f in listed.fields.items() if getattr(f, "listed", None)]
        from_queryset = step.form_class(application=tremplin_draft)
        from_queryset.fields[name].listed = None
        choices = list(listed.fields[name].choices)
        assert [str(label) for _value, label in choices][1:] == [
            f"START-2026-{n:04d} · {start_call.title}"
            for n in (1, 0)  # the latest first
        ]
        assert choices == list(from_queryset.fields[name].choices)
        assert str(listed[name]) == str(from_queryset[name])
