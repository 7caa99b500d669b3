"""The staff's form builder (issue 19): a programme manager, after the second factor, adds,
edits, reorders and removes a call's steps and questions (FR/EN/DE labels, a conditional
question, a budget table), previews the form as an applicant, copies another call's form, and
once a file is submitted a change makes the next version while the file keeps its own."""

import pytest
from django.urls import reverse

from applications.services import application_start, application_submit
from applications.steps import describe, steps_for
from programs.models import FormVersion, Programme
from tests.auth import login, login_staff
from tests.factories import CallFactory
from tests.fixtures.applicants import DECLARATIONS
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
        "settings": "",
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
    return {f"questions-{index}-{key}": value for key, value in row.items()}


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


TABLE = (
    '{"rows": 5, "columns": [{"name": "what", "kind": "short_text", "label": {"fr": "Poste"}},'
    ' {"name": "amount", "kind": "amount", "label": {"fr": "Montant"}}]}'
)
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
        "settings": TABLE,
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
