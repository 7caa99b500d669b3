"""Application forms as versioned data (issue 19): every kind of question asked by a form
nobody wrote in code, checked alike by the page and the API (valid, invalid, required,
conditional); the roles that feed the rules; the JSON Schema the call publishes; versions kept
by submitted files; exports with a column per question; constant queries per step page."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from applications import exports, selectors
from applications.services import application_start, application_submit, attachment_add
from applications.services.forms import FormRefused, application_form_save
from applications.steps import describe, steps_for
from programs.application_forms import Kind, Role
from programs.models import FormVersion, Programme
from tests.auth import login
from tests.factories import CallFactory
from tests.fixtures.applicants import DECLARATIONS, pdf
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db


def _q(name, kind, **more):
    return {"name": name, "kind": kind, "label": {"fr": name.title(), "en": name.title()}, **more}


ABOUT = [
    _q("name", Kind.SHORT_TEXT, max_length=20, role=Role.PROJECT_TITLE),
    _q("summary", Kind.LONG_TEXT, limit=50),
    _q("staff", Kind.NUMBER, integer=True, min=0, max=1000),
    _q("share", Kind.PERCENTAGE),
    _q("start", Kind.DATE, role=Role.START_DATE),
    _q("end", Kind.DATE, role=Role.END_DATE),
    _q(
        "sector",
        Kind.CHOICE,
        choices=[
            {"value": "retail", "label": {"en": "Retail"}},
            {"value": "food", "label": {"en": "Food"}},
        ],
    ),
    _q(
        "channels",
        Kind.MULTIPLE_CHOICE,
        choices=[
            {"value": "web", "label": {"en": "Web"}},
            {"value": "shop", "label": {"en": "Shop"}},
        ],
    ),
    _q("has_data", Kind.YES_NO),
    _q("data_kind", Kind.SHORT_TEXT, show_if={"question": "has_data", "equals": True}),
    _q("agree", Kind.CHECKBOX),
]
COSTS = [
    _q(
        "lines",
        Kind.TABLE,
        rows=3,
        role=Role.TOTAL_BUDGET,
        columns=[
            {"name": "what", "kind": Kind.SHORT_TEXT, "label": {"en": "What"}},
            {"name": "amount", "kind": Kind.AMOUNT, "label": {"en": "Amount"}},
        ],
    ),
    _q("asked", Kind.AMOUNT, role=Role.AMOUNT_REQUESTED),
]
DEFINITION = {
    "steps": [
        {"slug": "about", "title": {"fr": "À propos", "en": "About"}, "questions": ABOUT},
        {"slug": "costs", "title": {"fr": "Coûts", "en": "Costs"}, "questions": COSTS},
    ]
}

# A valid answer, as a page posts it and as the API sends it.
ABOUT_PAGE = {
    "name": "Robot",
    "summary": "Un robot.",
    "staff": "12",
    "share": "25,5",
    "start": "2027-01-01",
    "end": "2027-06-30",
    "sector": "food",
    "channels": ["web", "shop"],
    "has_data": "true",
    "data_kind": "Ventes",
    "agree": "on",
}
ABOUT_API = {
    "name": "Robot",
    "summary": "Un robot.",
    "staff": 12,
    "share": 25.5,
    "start": "2027-01-01",
    "end": "2027-06-30",
    "sector": "food",
    "channels": ["web", "shop"],
    "has_data": True,
    "data_kind": "Ventes",
    "agree": True,
}


@pytest.fixture
def custom_call(db):
    call = CallFactory(
        programme=Programme.objects.get(code=Programme.Code.TREMPLIN_IA),
        funding_rate=Decimal("50"),
        ceiling_per_file=Decimal("100000"),
        eligibility_rules=[],
        form_sections=[],
    )
    FormVersion.objects.create(call=call, number=1, definition=DEFINITION)
    return call


@pytest.fixture
def draft(applicant, custom_call):
    return application_start(call=custom_call, organisation=applicant.organisation, by=applicant)


def _page(client, draft, slug, values):
    draft.refresh_from_db()
    return client.post(
        reverse("applications:step", args=[draft.pk, slug]),
        {**values, "version": str(draft.version), "save_continue": "1"},
    )


def _api(draft, slug, values, *, complete=True):
    api = APIClient()
    api.force_authenticate(draft.created_by)
    draft.refresh_from_db()
    return api.put(
        f"/api/v1/applications/{draft.pk}/steps/{slug}/",
        {"version": draft.version, "data": values, "complete": complete},
        format="json",
    )


def _page_errors(response) -> dict:
    assert response.status_code == 200
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def _api_errors(response) -> dict:
    assert response.status_code == 400, response.json()
    errors: dict = {}
    for error in response.json()["errors"]:
        errors.setdefault(error["field"].removeprefix("data."), []).append(error["message"])
    return errors


def test_a_call_gets_its_programmes_default_form_as_version_one():
    call = CallFactory(programme=Programme.objects.get(code=Programme.Code.START_IA))

    assert [s.slug for s in steps_for(call)] == ["organisation", "contact"]
    assert FormVersion.objects.get(call=call).number == 1


def test_every_kind_of_question_takes_a_valid_answer_through_the_page(client, applicant, draft):
    login(client, applicant)

    response = _page(client, draft, "about", ABOUT_PAGE)

    assert response.status_code == 302, response.context and response.context["form"].errors
    draft.refresh_from_db()
    about = draft.data["about"]
    assert about["staff"] == 12 and about["share"] == "25.5"
    assert about["channels"] == ["web", "shop"] and about["has_data"] is True
    assert about["start"] == "2027-01-01" and about["agree"] is True
    assert draft.title == "Robot"  # the project title's role


def test_every_kind_of_question_takes_a_valid_answer_through_the_api(draft):
    response = _api(draft, "about", ABOUT_API)

    assert response.status_code == 200, response.json()
    draft.refresh_from_db()
    assert draft.data["about"]["staff"] == 12 and draft.data["about"]["share"] == "25.5"
    assert "about" in draft.completed_steps


INVALID = {
    "name": "x" * 21,
    "summary": "y" * 51,
    "staff": "1001",
    "share": "101",
    "start": "pas une date",
    "sector": "mining",
    "channels": ["web", "air"],
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_an_invalid_answer_is_refused_alike_by_the_page_and_the_api(client, applicant, draft, name):
    login(client, applicant)
    page = _page_errors(_page(client, draft, "about", {**ABOUT_PAGE, name: INVALID[name]}))
    api = _api_errors(_api(draft, "about", {**ABOUT_API, name: INVALID[name]}))

    assert set(page) == set(api) == {name}
    assert page[name] == api[name]


@pytest.mark.parametrize(
    "name", ["name", "summary", "staff", "sector", "channels", "has_data", "agree"]
)
def test_a_required_question_left_empty_is_refused_alike_by_the_page_and_the_api(
    client, applicant, draft, name
):
    login(client, applicant)
    page_values = {k: v for k, v in ABOUT_PAGE.items() if k != name}
    api_values = {k: v for k, v in ABOUT_API.items() if k != name}

    page = _page_errors(_page(client, draft, "about", page_values))
    api = _api_errors(_api(draft, "about", api_values))

    assert set(page) == set(api) == {name}
    assert page[name] == api[name]


def test_a_conditional_question_is_required_only_when_shown(client, applicant, draft):
    login(client, applicant)
    without = {k: v for k, v in ABOUT_PAGE.items() if k != "data_kind"}

    assert set(_page_errors(_page(client, draft, "about", without))) == {"data_kind"}
    api_without = {k: v for k, v in ABOUT_API.items() if k != "data_kind"}
    assert set(_api_errors(_api(draft, "about", api_without))) == {"data_kind"}

    response = _page(client, draft, "about", {**ABOUT_PAGE, "has_data": "false"})
    assert response.status_code == 302
    draft.refresh_from_db()
    # Hidden, its answer is not kept.
    assert "data_kind" not in draft.data["about"]
    assert draft.data["about"]["has_data"] is False


def test_an_end_before_the_start_is_refused_through_its_role(client, applicant, draft):
    login(client, applicant)
    page = _page_errors(_page(client, draft, "about", {**ABOUT_PAGE, "end": "2026-12-31"}))
    api = _api_errors(_api(draft, "about", {**ABOUT_API, "end": "2026-12-31"}))

    assert set(page) == set(api) == {"end"}
    assert page["end"] == api["end"]


def test_an_unknown_question_and_a_wrong_type_are_named_by_their_path(draft):
    errors = _api(draft, "about", {**ABOUT_API, "status": "selected", "staff": [1]})

    assert errors.status_code == 400
    fields = {(e["field"], e["code"]) for e in errors.json()["errors"]}
    assert ("data.status", "read_only") in fields
    assert any(field == "data.staff" for field, _code in fields)


def test_a_budget_table_totals_its_rows_and_caps_the_amount_requested(client, applicant, draft):
    login(client, applicant)
    rows = {
        "lines-0-what": "Serveur",
        "lines-0-amount": "10 000",
        "lines-1-what": "Étude",
        "lines-1-amount": "30 000",
    }

    refused = _page_errors(_page(client, draft, "costs", {**rows, "asked": "20 001"}))
    assert set(refused) == {"asked"}  # 50 % of 40 000
    api = _api_errors(
        _api(
            draft,
            "costs",
            {
                "lines": [
                    {"what": "Serveur", "amount": 10000},
                    {"what": "Étude", "amount": "30000"},
                ],
                "asked": 20001,
            },
        )
    )
    assert api["asked"] == refused["asked"]

    assert _page(client, draft, "costs", {**rows, "asked": "20 000"}).status_code == 302
    draft.refresh_from_db()
    assert draft.total_budget == Decimal("40000") and draft.amount_requested == Decimal("20000")
    assert draft.data["costs"]["lines"] == [
        {"what": "Serveur", "amount": "10000"},
        {"what": "Étude", "amount": "30000"},
    ]


def test_a_bad_table_cell_is_refused_with_its_row_and_column(client, applicant, draft):
    login(client, applicant)
    page = _page_errors(
        _page(
            client,
            draft,
            "costs",
            {"lines-0-what": "Serveur", "lines-0-amount": "beaucoup", "asked": "1"},
        )
    )
    api = _api_errors(
        _api(draft, "costs", {"lines": [{"what": "Serveur", "amount": "beaucoup"}], "asked": 1})
    )

    assert set(page) == set(api) == {"lines"}
    assert page["lines"] == api["lines"]


def test_the_call_publishes_its_form_as_json_schema(draft, custom_call):
    response = APIClient().get(f"/api/v1/calls/{custom_call.slug}/form/")

    assert response.status_code == 200
    schema = response.json()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["x-steps"] == ["about", "costs"] and schema["x-version"] == 1
    about = schema["properties"]["about"]
    assert about["properties"]["sector"]["x-kind"] == "choice"
    assert about["properties"]["data_kind"]["x-show-if"] == {"question": "has_data", "equals": True}
    validator = Draft202012Validator(about)
    assert validator.is_valid(ABOUT_API)
    assert not validator.is_valid({**ABOUT_API, "sector": "mining"})
    assert not validator.is_valid({k: v for k, v in ABOUT_API.items() if k != "data_kind"})


def test_the_default_forms_schema_is_valid_json_schema(start_call):
    response = APIClient().get(f"/api/v1/calls/{start_call.slug}/form/")

    assert response.status_code == 200
    Draft202012Validator.check_schema(response.json())
    assert response.json()["x-steps"][:3] == ["organisation", "contact", "needs"]


def test_a_definition_that_cannot_be_a_form_is_refused(custom_call):
    manager = staff("programme manager", "TREMPLIN")

    with pytest.raises(FormRefused) as refused:
        application_form_save(
            call=custom_call,
            definition={"steps": [{"slug": "x", "questions": [{"name": "q", "kind": "??"}]}]},
            by=manager,
        )
    assert any("unknown kind" in problem for problem in refused.value.problems)


def _fill(client, draft):
    assert _page(client, draft, "about", ABOUT_PAGE).status_code == 302
    costs = {"lines-0-what": "Serveur", "lines-0-amount": "1000", "asked": "500"}
    assert _page(client, draft, "costs", costs).status_code == 302


def test_a_submitted_file_keeps_its_form_version_when_staff_change_the_form(
    client, applicant, draft, custom_call
):
    manager = staff("programme manager", "TREMPLIN")
    login(client, applicant)
    _fill(client, draft)
    draft.refresh_from_db()
    application_submit(application=draft, by=applicant, declarations=DECLARATIONS)
    changed = {
        "steps": [
            {"slug": "about", "title": {"en": "About"}, "questions": [_q("pitch", Kind.LONG_TEXT)]}
        ]
    }

    version = application_form_save(call=custom_call, definition=changed, by=manager)

    assert version.number == 2
    draft.refresh_from_db()
    assert draft.form_version.number == 1
    labels = [label for _title, rows in describe(draft) for label, _text in rows]
    assert "Staff" in labels and "Pitch" not in labels
    assert [s.slug for s in steps_for(custom_call)] == ["about"]


def test_a_form_without_submitted_files_is_changed_in_place_and_drafts_follow(
    applicant, draft, custom_call
):
    manager = staff("programme manager", "TREMPLIN")
    changed = {
        "steps": [
            {"slug": "about", "title": {"en": "About"}, "questions": [_q("pitch", Kind.LONG_TEXT)]}
        ]
    }

    version = application_form_save(call=custom_call, definition=changed, by=manager)

    assert version.number == 1
    draft.refresh_from_db()
    assert [s.slug for s in steps_for(draft)] == ["about"]


def test_the_export_has_a_column_per_question_of_each_version(client, applicant, draft):
    login(client, applicant)
    _fill(client, draft)
    draft.refresh_from_db()
    application_submit(application=draft, by=applicant, declarations=DECLARATIONS)
    manager = staff("programme manager", "TREMPLIN")

    header, rows = exports.table(selectors.staff_applications(manager).filter(pk=draft.pk))

    about = [h for h in header if " · À propos · " in h]
    assert len(about) == len(ABOUT)
    row = dict(zip(header, rows[0], strict=True))
    assert row[next(h for h in header if h.endswith("· Staff"))] == "12"
    assert "Serveur" in row[next(h for h in header if h.endswith("· Lines"))]


def _form_of(count: int) -> dict:
    questions = [_q(f"q{n}", Kind.SHORT_TEXT, required=False) for n in range(count)]
    return {"steps": [{"slug": "many", "title": {"en": "Many"}, "questions": questions}]}


def test_a_step_page_takes_the_same_queries_for_5_or_40_questions(client, applicant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, applicant)
    counts = []
    for count, code in ((5, Programme.Code.CAP_IA), (40, Programme.Code.START_IA)):
        call = CallFactory(programme=Programme.objects.get(code=code), form_sections=[])
        FormVersion.objects.create(call=call, number=1, definition=_form_of(count))
        draft = application_start(call=call, organisation=applicant.organisation, by=applicant)
        url = reverse("applications:step", args=[draft.pk, "many"])
        client.get(url)  # warm: the session's first read
        with CaptureQueriesContext(connection) as shown:
            assert client.get(url).status_code == 200
        values = {f"q{n}": "oui" for n in range(count)} | {
            "version": str(draft.version),
            "save_draft": "1",
        }
        with CaptureQueriesContext(connection) as saved:
            assert client.post(url, values).status_code == 302
        counts.append((len(shown), len(saved)))

    assert counts[0] == counts[1]


def _documents_call(code=Programme.Code.CAP_IA, **options) -> object:
    call = CallFactory(programme=Programme.objects.get(code=code), form_sections=["attachments"])
    question = {"name": "documents", "kind": Kind.DOCUMENTS, **options}
    step = {"slug": "documents", "title": {"en": "Documents"}, "questions": [question]}
    FormVersion.objects.create(call=call, number=1, definition={"steps": [step]})
    return call


def test_the_forms_documents_question_limits_their_count(applicant):
    call = _documents_call(max_count=1)
    draft = application_start(call=call, organisation=applicant.organisation, by=applicant)
    attachment_add(application=draft, upload=pdf("a.pdf"), kind="annex", by=applicant)

    with pytest.raises(ValidationError) as refused:
        attachment_add(application=draft, upload=pdf("b.pdf"), kind="annex", by=applicant)

    assert refused.value.code == "too_many"
    assert draft.attachments.count() == 1


def test_the_forms_documents_question_limits_their_types_and_size(applicant):
    only_images = _documents_call(types=["png"])
    small = _documents_call(Programme.Code.START_IA, max_size_mb=1)
    first = application_start(call=only_images, organisation=applicant.organisation, by=applicant)
    second = application_start(call=small, organisation=applicant.organisation, by=applicant)

    with pytest.raises(ValidationError) as refused:
        attachment_add(application=first, upload=pdf("a.pdf"), kind="annex", by=applicant)
    assert refused.value.code == "type"
    with pytest.raises(ValidationError) as refused:
        big = pdf("big.pdf", size=1024 * 1024 + 1)
        attachment_add(application=second, upload=big, kind="annex", by=applicant)
    assert refused.value.code == "too_large"
    assert not first.attachments.exists() and not second.attachments.exists()


def test_the_migration_gives_every_call_its_default_form_and_every_file_its_version(applicant):
    """programs 0008 and applications 0017, run on calls and files made before forms were
    data (no version): version 1 of each call is its programme's default form as it was in
    code, and each file answers it."""
    import importlib

    from django.apps import apps

    from applications.models import Application
    from programs.application_forms.defaults import DEFAULT_FORMS

    programs_0008 = importlib.import_module("programs.migrations.0008_form_versions")
    applications_0017 = importlib.import_module(
        "applications.migrations.0017_application_form_version"
    )
    tremplin = CallFactory(programme=Programme.objects.get(code=Programme.Code.TREMPLIN_IA))
    draft = application_start(call=tremplin, organisation=applicant.organisation, by=applicant)
    Application.objects.update(form_version=None)
    FormVersion.objects.all().delete()

    programs_0008.first_versions(apps, None)
    applications_0017.point_at_first_versions(apps, None)

    version = FormVersion.objects.get(call=tremplin)
    assert version.number == 1 and version.definition == DEFAULT_FORMS["TREMPLIN"]
    draft.refresh_from_db()
    assert draft.form_version == version
    assert [s.slug for s in steps_for(draft)] == ["organisation", "contact"] + [
        s.slug for s in steps_for(tremplin) if s.section
    ]


def test_the_api_names_the_form_version_a_file_answers(draft, custom_call):
    api = APIClient()
    api.force_authenticate(draft.created_by)

    response = api.get(f"/api/v1/applications/{draft.pk}/")

    assert response.status_code == 200
    assert response.json()["form_version"] == 1
