"""The staff's form builder (issue 19): a programme manager, after the second factor, adds,
edits, reorders and removes a call's steps and questions (FR/EN/DE labels, a conditional
question, a budget table), previews the form as an applicant, copies another call's form, and
once a file is submitted a change makes the next version while the file keeps its own."""

import copy

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from applications.services import application_start, application_submit
from applications.steps import describe, steps_for
from programs.application_forms.defaults import default_form
from programs.application_forms.versions import call_form_version
from programs.models import FormVersion, Programme
from tests.auth import login, login_staff
from tests.factories import CallFactory
from tests.fixtures.applicants import DECLARATIONS
from tests.fixtures.form_builder import main_post
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(db):
    return CallFactory(
        programme=Programme.objects.get(code=Programme.Code.CAP_IA),
        slug="cap-communes",
        eligibility_rules=[],
        form_sections=[],
    )


@pytest.fixture
def manager(db):
    return staff("programme manager", "CAP")


def _builder(call) -> str:
    return reverse("applications:staff_form_builder", args=[call.slug])


def _step_url(call, step: str) -> str:
    return reverse("applications:staff_form_builder_step", args=[call.slug, step])


def _question(index: int, **values) -> dict:
    row = {
        "name": "",
        "kind": "short_text",
        "required": "on",
        "role": "",
        "show_if_question": "",
        "show_if_value": "",
        "label_fr": "",
        "label_en": "",
        "label_de": "",
        "help_fr": "",
        "help_en": "",
        "help_de": "",
        "ORDER": str(index + 1),
    } | values
    if row.get("required") is False:
        del row["required"]
    data = {}
    for which in ("choices", "columns"):  # rows of their own: "questions-0-choices-1-value"
        data |= _rows(f"questions-{index}-{which}", row.pop(which, []))
    return data | {f"questions-{index}-{key}": value for key, value in row.items()}


def _rows(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }
    for number, row in enumerate(rows):
        data |= {f"{prefix}-{number}-{key}": value for key, value in row.items()}
    return data


def _step_post(slug: str, questions: list[dict], **title) -> dict:
    data = {
        "slug": slug,
        "section": "",
        "title_fr": title.get("fr", "Projet communal"),
        "title_en": title.get("en", "Municipal project"),
        "title_de": title.get("de", "Gemeindeprojekt"),
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "60",
    }
    for index, question in enumerate(questions):
        data |= _question(index, **question)
    return data


COLUMNS = [
    {"name": "what", "kind": "short_text", "label_fr": "Poste"},
    {"name": "amount", "kind": "amount", "label_fr": "Montant"},
]
QUESTIONS = [
    {
        "name": "service",
        "label_fr": "Service concerné",
        "label_en": "Department",
        "label_de": "Dienst",
    },
    {"name": "has_data", "kind": "yes_no", "label_fr": "Avez-vous des données ?"},
    {
        "name": "data_kind",
        "label_fr": "Lesquelles ?",
        "show_if_question": "has_data",
        "show_if_value": "true",
    },
    {
        "name": "lines",
        "kind": "table",
        "label_fr": "Budget",
        "role": "total_budget",
        "rows": "5",
        "columns": COLUMNS,
    },
    {"name": "asked", "kind": "amount", "label_fr": "Montant demandé", "role": "amount_requested"},
]


def _build(client, call) -> None:
    # The programme's default budget step goes: the new step asks for the amount instead.
    removed = client.post(_builder(call), {"action": "remove", "step": "budget"})
    assert removed.status_code == 302
    added = client.post(
        _builder(call),
        {"action": "add", "slug": "projet", "section": "", "title_fr": "Projet communal"},
    )
    assert added.status_code == 302
    saved = client.post(_step_url(call, "projet"), _step_post("projet", QUESTIONS))
    assert saved.status_code == 302, [str(m) for m in saved.context["messages"]] + [
        f.errors for f in saved.context["formset"]
    ]


def test_a_manager_builds_a_step_with_a_conditional_question_and_a_budget_table(
    client, call, manager
):
    login_staff(client, manager)

    page = client.get(_builder(call))
    assert page.status_code == 200
    _build(client, call)

    version = FormVersion.objects.get(call=call)
    step = next(s for s in version.definition["steps"] if s["slug"] == "projet")
    names = [q["name"] for q in step["questions"]]
    assert names == ["service", "has_data", "data_kind", "lines", "asked"]
    data_kind = step["questions"][2]
    assert data_kind["show_if"] == {"question": "has_data", "equals": True}
    assert step["questions"][0]["label"] == {
        "fr": "Service concerné",
        "en": "Department",
        "de": "Dienst",
    }
    assert step["questions"][3]["columns"][1]["kind"] == "amount"
    assert version.number == 1  # no file submitted: the version is changed in place


def test_the_preview_shows_the_form_as_an_applicant_sees_it(client, call, manager):
    login_staff(client, manager)
    _build(client, call)

    preview = client.get(reverse("applications:staff_form_builder_preview", args=[call.slug]))

    assert preview.status_code == 200
    content = preview.content.decode()
    assert "Service concerné" in content and "Lesquelles ?" in content
    assert 'name="lines-0-amount"' in content and "data-show-if" in content


def test_the_steps_are_reordered_and_removed(client, call, manager):
    login_staff(client, manager)
    _build(client, call)

    def slugs() -> list[str]:
        return [s["slug"] for s in FormVersion.objects.get(call=call).definition["steps"]]

    assert slugs()[-1] == "projet"
    assert client.post(_builder(call), {"action": "up", "step": "projet"}).status_code == 302
    assert slugs()[-2] == "projet"
    assert client.post(_builder(call), {"action": "remove", "step": "projet"}).status_code == 302
    assert "projet" not in slugs()


def test_a_question_shown_after_one_below_it_is_refused_with_the_reason(client, call, manager):
    login_staff(client, manager)
    _build(client, call)
    wrong = [QUESTIONS[2], QUESTIONS[1]]  # the condition names a question after it

    refused = client.post(_step_url(call, "projet"), _step_post("projet", wrong))

    assert refused.status_code == 400
    assert any("shown after" in str(m) for m in refused.context["messages"])
    step = next(
        s for s in FormVersion.objects.get(call=call).definition["steps"] if s["slug"] == "projet"
    )
    assert [q["name"] for q in step["questions"]][:2] == ["service", "has_data"]


def test_a_form_is_copied_from_an_earlier_call(client, call, manager):
    login_staff(client, manager)
    _build(client, call)
    later = CallFactory(programme=call.programme, slug="cap-communes-2027", form_sections=[])

    copied = client.post(_builder(later), {"action": "copy", "source": call.pk})

    assert copied.status_code == 302
    assert [s.slug for s in steps_for(later)] == [s.slug for s in steps_for(call)]


def test_a_change_after_a_submission_makes_a_new_version_and_the_file_keeps_its_own(
    client, call, manager, applicant
):
    login_staff(client, manager)
    _build(client, call)
    draft = application_start(call=call, organisation=applicant.organisation, by=applicant)
    applicant_client = client.__class__()
    login(applicant_client, applicant)
    for slug, values in {
        "organisation": {"confirmed": "on"},
        "contact": {
            "contact_name": "Julie Dupont",
            "contact_function": "Échevine",
            "contact_email": "julie@commune.be",
            "contact_phone": "+32 4 123 45 67",
        },
        "projet": {
            "service": "Travaux",
            "has_data": "false",
            "lines-0-what": "Étude",
            "lines-0-amount": "4000",
            "asked": "3000",
        },
    }.items():
        draft.refresh_from_db()
        posted = applicant_client.post(
            reverse("applications:step", args=[draft.pk, slug]),
            {**values, "version": str(draft.version), "save_continue": "1"},
        )
        assert posted.status_code == 302, (slug, posted.context and posted.context["form"].errors)
    draft.refresh_from_db()
    application_submit(application=draft, by=applicant, declarations=DECLARATIONS)

    renamed = [{**QUESTIONS[0], "label_fr": "Service communal"}]
    saved = client.post(_step_url(call, "projet"), _step_post("projet", renamed))

    assert saved.status_code == 302
    assert FormVersion.objects.filter(call=call).count() == 2
    draft.refresh_from_db()
    assert draft.form_version.number == 1
    labels = [label for _title, rows in describe(draft) for label, _text in rows]
    assert "Service concerné" in labels and "Service communal" not in labels
    assert draft.total_budget == 4000


def test_the_builder_needs_a_manager_of_the_programme_with_the_second_factor(client, call, manager):
    # A password only: sent to the second factor first (as for every staff page).
    login(client, manager)
    without = client.get(_builder(call))
    assert without.status_code == 302 and "/2fa/" in without.url
    # Another programme's manager, or a reviewer of this one: no such page either.
    login_staff(client, staff("programme manager", "START"))
    assert client.get(_builder(call)).status_code == 404
    login_staff(client, staff("reviewer", "CAP"))
    assert client.get(_builder(call)).status_code == 404
    assert client.post(_builder(call), {"action": "remove", "step": "contact"}).status_code == 404
    assert "contact" in [s.slug for s in steps_for(call)]


# --- the kinds' settings, in fields of their own ----------------------------------------------


def _saved_question(call, step: str, name: str) -> dict:
    definition = FormVersion.objects.get(call=call).definition
    questions = next(s for s in definition["steps"] if s["slug"] == step)["questions"]
    return next(q for q in questions if q["name"] == name)


def _label(text: str) -> dict:
    return {"label_fr": text}


SETTINGS_THROUGH_FIELDS = [
    (
        {"kind": "short_text", "max_length": "80"},
        {"max_length": 80},
    ),
    ({"kind": "long_text", "limit": "brief"}, {"limit": "brief"}),
    (
        {"kind": "long_text", "limit": "custom", "limit_characters": "1500"},
        {"limit": 1500},
    ),
    (
        {"kind": "number", "integer": "on", "min": "1", "max": "36"},
        {"integer": True, "min": 1, "max": 36},
    ),
    ({"kind": "amount", "min": "1 000", "max": "250 000,50"}, {"min": 1000, "max": 250000.5}),
    ({"kind": "percentage", "max": "80"}, {"max": 80}),
    (
        {
            "kind": "choice",
            "choices": [
                {"value": "", "label_fr": "Commune", "label_en": "Municipality"},
                {"value": "cpas", "label_fr": "CPAS", "label_de": "ÖSHZ"},
                {"value": "", "label_fr": ""},  # an empty row: no answer
            ],
        },
        {
            "choices": [
                {"value": "commune", "label": {"fr": "Commune", "en": "Municipality"}},
                {"value": "cpas", "label": {"fr": "CPAS", "de": "ÖSHZ"}},
            ]
        },
    ),
    (
        {"kind": "multiple_choice", "choices": [{"value": "web", "label_fr": "Site web"}]},
        {"choices": [{"value": "web", "label": {"fr": "Site web"}}]},
    ),
    (
        {"kind": "table", "rows": "4", "columns": COLUMNS},
        {
            "rows": 4,
            "columns": [
                {"name": "what", "kind": "short_text", "label": {"fr": "Poste"}},
                {"name": "amount", "kind": "amount", "label": {"fr": "Montant"}},
            ],
        },
    ),
    (
        {"kind": "expert", "programme": "START"},
        {"programme": "START"},
    ),
    ({"kind": "earlier_file", "programme": "TREMPLIN"}, {"programme": "TREMPLIN"}),
    ({"kind": "date"}, {}),
]


@pytest.mark.parametrize(
    ("posted", "options"),
    SETTINGS_THROUGH_FIELDS,
    ids=[p["kind"] for p, _o in SETTINGS_THROUGH_FIELDS],
)
def test_each_kinds_settings_are_set_through_fields_of_their_own(
    client, call, manager, posted, options
):
    login_staff(client, manager)
    # Another kind's boxes, filled in too, are neither read nor checked.
    other = {"max_length": "²"} if posted["kind"] != "short_text" else {"rows": "x"}
    question = {"name": "asked", **_label("Question"), **other, **posted}

    saved = client.post(_step_url(call, "contact"), _step_post("contact", [question]))

    assert saved.status_code == 302, saved.context["formset"].errors
    expected = {"name": "asked", "kind": posted["kind"], "label": {"fr": "Question"}, **options}
    assert _saved_question(call, "contact", "asked") == expected


def test_the_documents_settings_are_boxes_to_tick_and_numbers(client, call, manager):
    login_staff(client, manager)
    documents = {
        "name": "documents",
        "kind": "documents",
        "types": ["pdf", "xlsx"],
        "max_size_mb": "2,5",
        "max_count": "3",
        "required_kinds": ["quote"],
    }

    saved = client.post(_step_url(call, "documents"), _step_post("documents", [documents]))

    assert saved.status_code == 302, saved.context["formset"].errors
    assert _saved_question(call, "documents", "documents") == {
        "name": "documents",
        "kind": "documents",
        "types": ["pdf", "xlsx"],
        "max_size_mb": 2.5,
        "max_count": 3,
        "required_kinds": ["quote"],
    }


def _in_french(message: str, **values) -> str:
    with translation.override("fr"):
        return str(gettext(message)) % values if values else str(gettext(message))


def _errors_of(response, index: int = 0) -> dict:
    assert response.status_code == 400
    form = response.context["formset"].forms[index]
    return {name: list(errors) for name, errors in form.errors.items()} | {
        "groups": form.group_errors
    }


INVALID_SETTINGS = [
    ({"kind": "number", "min": "10", "max": "5"}, "max", "The maximum is below the minimum."),
    (
        {"kind": "percentage", "max": "150"},
        "max",
        "A bound is a number from %(low)s to %(high)s.",
    ),
    (
        {"kind": "short_text", "max_length": "٣٠"},  # Arabic-Indic digits
        "max_length",
        "Write a whole number with the digits 0 to 9.",
    ),
    (
        {"kind": "short_text", "role": "project_title", "max_length": "500"},
        "max_length",
        "A maximum length is a whole number from 1 to %(max)s.",
    ),
    (
        {"kind": "long_text", "limit": "custom", "limit_characters": ""},
        "limit_characters",
        "A character limit is the long or brief one, or a whole number from 1 to %(max)s.",
    ),
    ({"kind": "amount", "min": "9" * 5000}, "min", "This number is too long."),
    (
        {"kind": "earlier_file", "programme": ""},
        "programme",
        "An earlier file is one of a programme: choose it.",
    ),
    ({"kind": "choice"}, "groups", "List at least one answer."),
    (
        {
            "kind": "choice",
            "choices": [{"value": "a", "label_fr": "A"}, {"value": "a", "label_fr": "B"}],
        },
        "groups",
        "The value %(value)s is given to two answers.",
    ),
    ({"kind": "table"}, "groups", "List the table's columns."),
]


@pytest.mark.parametrize(
    ("posted", "field", "message"), INVALID_SETTINGS, ids=[f for _p, f, _m in INVALID_SETTINGS]
)
def test_an_invalid_setting_is_refused_next_to_its_field_in_french(
    client, call, manager, posted, field, message
):
    login_staff(client, manager)
    before = call_form_version(call=call).definition
    question = {"name": "asked", **_label("Question"), **posted}

    refused = client.post(_step_url(call, "contact"), _step_post("contact", [question]))

    errors = _errors_of(refused)
    values = {"low": "0", "high": "100", "max": 200 if "role" in posted else 100000, "value": "a"}
    expected = _in_french(message, **{k: v for k, v in values.items() if f"%({k})" in message})
    if field == "groups":
        assert expected in next(iter(errors["groups"].values()))
        assert escape(expected) in refused.content.decode()  # shown in the group
    else:
        assert errors[field] == [expected]
    assert call_form_version(call=call).definition == before


def test_a_bad_row_of_answers_or_columns_is_refused_on_its_row(client, call, manager):
    login_staff(client, manager)
    table = {
        "name": "lines",
        "kind": "table",
        **_label("Budget"),
        "columns": [{"name": "Montant!", "kind": "amount", "label_fr": "Montant"}],
    }
    choice = {
        "name": "public",
        "kind": "choice",
        **_label("Public"),
        "choices": [{"value": "x", "label_fr": ""}],
    }

    refused = client.post(_step_url(call, "contact"), _step_post("contact", [table, choice]))

    assert refused.status_code == 400
    forms = refused.context["formset"].forms
    assert forms[0].rows["columns"].forms[0].errors["name"]
    assert forms[1].rows["choices"].forms[0].errors["label_fr"] == [
        _in_french("Give this answer a label.")
    ]
    assert _in_french("Check the columns of this table below.") in forms[0].non_field_errors()


@pytest.mark.parametrize(
    ("field", "junk"),
    [
        ("max_length", "\x00"),
        ("max_length", "²"),
        ("max_length", "9" * 100_000),
        ("label_fr", "a\x00b"),
        ("rows", "99999999999999999999999"),
        ("max", "1e309"),
        ("choices-0-value", "\x00"),
        ("columns-0-name", "٣"),
        ("max_size_mb", "NaN"),
        ("types", "exe"),
        ("limit", "\x00"),
    ],
)
def test_odd_input_in_a_setting_is_a_field_error_never_a_500(client, call, manager, field, junk):
    login_staff(client, manager)
    kinds = {
        "max_length": "short_text", "label_fr": "short_text", "rows": "table", "max": "number",
        "choices-0-value": "choice", "columns-0-name": "table", "max_size_mb": "documents",
        "types": "documents", "limit": "long_text",
    }  # fmt: skip
    question = {"name": "asked", **_label("Question"), "kind": kinds[field]}
    question |= {"choices": [{"label_fr": "A"}], "columns": [{"name": "a", "label_fr": "A"}]}
    data = _step_post("contact", [question])
    data[f"questions-0-{field}"] = junk

    refused = client.post(_step_url(call, "contact"), data)

    assert refused.status_code == 400
    assert refused.context["formset"].total_error_count()


@pytest.mark.parametrize("code", ["START", "TREMPLIN", "CAP"])
def test_the_default_forms_load_into_the_fields_and_save_back_unchanged(client, code):
    programme = Programme.objects.get(code=code)
    call = CallFactory(programme=programme, form_sections=[])
    login_staff(client, staff("programme manager", code))
    default = copy.deepcopy(default_form(code))

    for entry in default["steps"]:
        page = client.get(_step_url(call, entry["slug"]))
        assert page.status_code == 200
        saved = client.post(_step_url(call, entry["slug"]), main_post(page))
        assert saved.status_code == 302, (entry["slug"], saved.context["formset"].errors)

    version = FormVersion.objects.get(call=call)
    assert version.definition == default


def test_the_step_page_shows_every_kinds_settings_labelled_without_a_json_box(
    client, call, manager
):
    login_staff(client, manager)

    page = client.get(_step_url(call, "contact"))

    assert page.status_code == 200
    content = page.content.decode()
    assert "JSON" not in content and "settings" not in page.context["formset"].forms[0].fields
    # The new question (the fifth row) shows every kind's settings, each group saying its kinds.
    for kinds in ("short_text", "long_text", "choice multiple_choice", "table", "documents"):
        assert f'data-kinds="{kinds}' in content
    assert 'name="questions-4-choices-TOTAL_FORMS"' in content
    assert 'for="id_questions-4-columns-0-label_fr"' in content  # each row's box is labelled
    # A saved question shows its own kind's only.
    assert 'name="questions-0-max_length"' in content
    assert 'name="questions-0-choices-TOTAL_FORMS"' not in content
    assert 'name="questions-0-limit"' not in content
    assert "js/form-builder.js" in content


def test_a_saved_question_given_another_kind_gets_its_settings_once_saved(client, call, manager):
    login_staff(client, manager)
    page = client.get(_step_url(call, "contact"))
    posted = main_post(page)
    posted |= {"questions-3-kind": "choice", "questions-3-label_fr": "Joignable par"}
    posted["questions-3-role"] = ""  # a choice holds no personal details

    # Without the script: the choice's rows were not on the page, so none are posted.
    first = client.post(_step_url(call, "contact"), posted)

    errors = _errors_of(first, 3)
    assert errors["groups"] == {"choices": [_in_french("List at least one answer.")]}
    again = main_post(first)
    assert again["questions-3-choices-TOTAL_FORMS"] == "2"  # its rows are now on the page
    again |= {
        "questions-3-choices-0-label_fr": "Téléphone",
        "questions-3-choices-1-label_fr": "Mail",
    }
    saved = client.post(_step_url(call, "contact"), again)
    assert saved.status_code == 302, saved.context["formset"].errors
    assert _saved_question(call, "contact", "contact_phone")["choices"] == [
        {"value": "telephone", "label": {"fr": "Téléphone"}},
        {"value": "mail", "label": {"fr": "Mail"}},
    ]


def test_a_40_question_step_saves_back_without_the_script_within_the_fields_a_post_may_hold(
    client, call, manager
):
    FormVersion.objects.create(call=call, number=1, definition={"steps": [_step_of(40)]})
    login_staff(client, manager)
    page = client.get(_step_url(call, "projet"))
    posted = main_post(page)
    assert len(posted) < 1000  # DATA_UPLOAD_MAX_NUMBER_FIELDS (a ticked box list counts once)

    saved = client.post(_step_url(call, "projet"), posted)

    assert saved.status_code == 302, saved.context["formset"].errors
    assert FormVersion.objects.get(call=call).definition == {"steps": [_step_of(40)]}


def _step_of(count: int) -> dict:
    kinds = ["short_text", "long_text", "number", "choice", "table"]
    questions = []
    for number in range(count):
        kind = kinds[number % len(kinds)]
        question = {"name": f"q{number}", "kind": kind, "label": {"fr": f"Question {number}"}}
        if kind == "long_text":
            question["limit"] = "long"  # the builder writes the limit it shows
        if kind == "choice":
            question["choices"] = [{"value": "a", "label": {"fr": "A"}}]
        if kind == "table":
            question["columns"] = [{"name": "amount", "kind": "amount", "label": {"fr": "M"}}]
        questions.append(question)
    return {"slug": "projet", "title": {"fr": "Projet"}, "questions": questions}


@pytest.mark.parametrize("count", [5, 40])
def test_the_builders_pages_take_the_same_queries_for_5_or_40_questions(
    client, call, manager, django_assert_num_queries, count
):
    FormVersion.objects.create(call=call, number=1, definition={"steps": [_step_of(count)]})
    login_staff(client, manager)
    # Each page: session, user (with its roles and programmes), the call managed with its
    # criteria, documents and questions (prefetched), the call's current version.
    common = 7
    pages = {
        # + whether a file answering it is submitted, the pending claims' badge, the other calls
        # managed (copy), the versions
        _builder(call): common + 4,
        _step_url(call, "projet"): common,
        reverse("applications:staff_form_builder_preview", args=[call.slug]): common,
    }
    for url, queries in pages.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_the_new_row_posted_by_the_script_without_other_kinds_boxes_adds_no_question(
    client, call, manager
):
    login_staff(client, manager)
    page = client.get(_step_url(call, "contact"))
    posted = main_post(page)
    # form-builder.js disables the hidden groups' boxes: a browser leaves them out.
    hidden = {"limit", "limit_characters", "min", "max", "rows", "max_size_mb", "programme"}
    posted = {k: v for k, v in posted.items() if k.removeprefix("questions-4-") not in hidden}
    posted = {
        k: v
        for k, v in posted.items()
        if not k.startswith(("questions-4-choices", "questions-4-columns"))
    }

    saved = client.post(_step_url(call, "contact"), posted)

    assert saved.status_code == 302, saved.context["formset"].errors
    assert [q["name"] for q in _saved_question_list(call, "contact")] == [
        "contact_name", "contact_function", "contact_email", "contact_phone",
    ]  # fmt: skip


def _saved_question_list(call, step: str) -> list[dict]:
    definition = FormVersion.objects.get(call=call).definition
    return next(s for s in definition["steps"] if s["slug"] == step)["questions"]
