"""A call's application form written by AdN staff, in a real browser (issue 19): a programme
manager adds a step with a conditional question and a budget table and previews it; an
applicant answers it (the question appears with its condition, the budget's total follows the
rows typed) and submits; the export holds the answers; the manager then changes the form and
the submitted file still shows the questions it answered.

Fields are found by their name, buttons by their value or form action: labels are translated."""

import pytest
from playwright.sync_api import expect

from applications import selectors
from applications.exports import table
from applications.models import Application
from applications.workflow import Status
from programs.models import FormVersion, Programme
from tests.factories import CallFactory
from tests.fixtures.staff import staff

from .browser import log_in, shot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

COLUMNS = [
    {"name": "what", "kind": "short_text", "label_fr": "Poste"},
    {"name": "amount", "kind": "amount", "label_fr": "Montant"},
]


def _fill_question(page, index: int, **values) -> None:
    """The question's boxes, in order: its kind first (the script then shows that kind's
    settings only), then the rows of its answers or columns."""
    for name, value in values.items():
        if name == "columns":
            for number, column in enumerate(value):
                _fill_question(
                    page, index, **{f"columns-{number}-{k}": v for k, v in column.items()}
                )
            continue
        field = page.locator(f"[name='questions-{index}-{name}']")
        if name in ("kind", "role") or name.endswith("-kind"):
            field.select_option(value)
        elif name == "required":
            field.set_checked(value)
        else:
            field.fill(value)


def _save(page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


def test_a_manager_builds_a_form_an_applicant_answers_it_and_the_file_keeps_its_version(
    page, live_server, applicant
):
    call = CallFactory(
        programme=Programme.objects.get(code=Programme.Code.CAP_IA),
        slug="cap-communes",
        eligibility_rules=[],
        form_sections=[],
        funding_rate=50,
        ceiling_per_file=100000,
    )
    manager = staff("programme manager", "CAP", first_name="Claire", last_name="Gérard")
    builder = f"/espace-adn/appels/{call.slug}/formulaire/"

    # The manager removes the default budget step and adds a step of her own.
    log_in(page, live_server, manager)
    page.goto(builder)
    with page.expect_navigation():
        page.locator("tr", has=page.locator("code", has_text="budget")).locator(
            "button[value=remove]"
        ).click()
    page.fill("input[name=slug]", "projet")
    page.fill("input[name=title_fr]", "Projet communal")
    with page.expect_navigation():
        page.locator("form", has=page.locator("input[name=action][value=add]")).locator(
            "button[type=submit]"
        ).click()
    page.goto(f"{builder}etapes/projet/")
    # One row to fill (the formset's extra one), then more after each save.
    questions = [
        {"name": "service", "label_fr": "Service concerné"},
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
            "rows": "4",
            "columns": COLUMNS,
        },
        {
            "name": "asked",
            "kind": "amount",
            "label_fr": "Montant demandé",
            "role": "amount_requested",
        },
    ]
    for index, values in enumerate(questions):
        _fill_question(page, index, **values)
        if values.get("kind") == "table":  # only the table's settings show
            expect(page.locator(f"[name='questions-{index}-max_length']")).to_be_hidden()
            shot(page, "59-form-builder-table-columns")
        _save(page)
        expect(page.locator(".messages .alert-success")).to_be_visible()
    step = next(
        s for s in FormVersion.objects.get(call=call).definition["steps"] if s["slug"] == "projet"
    )
    assert [q["name"] for q in step["questions"]] == [q["name"] for q in questions]
    assert step["questions"][3]["rows"] == 4
    assert [(c["name"], c["kind"]) for c in step["questions"][3]["columns"]] == [
        ("what", "short_text"),
        ("amount", "amount"),
    ]

    # The preview: the conditional question hides until its answer is yes.
    page.goto(f"{builder}apercu/")
    expect(page.locator("main")).to_contain_text("Service concerné")
    shot(page, "60-form-builder-preview")

    # The applicant answers the new step.
    application = Application.objects.create(
        call=call,
        programme=call.programme,
        organisation=applicant.organisation,
        created_by=applicant,
    )
    log_in(page, live_server, applicant)
    page.goto(f"/dossiers/{application.pk}/etapes/projet/")
    data_kind = page.locator("[name=data_kind]")
    expect(data_kind).to_be_hidden()
    page.fill("[name=service]", "Travaux")
    page.check("[name=has_data][value=true]")
    expect(data_kind).to_be_visible()
    data_kind.fill("Relevés de consommation")
    page.fill("[name=lines-0-what]", "Étude")
    page.fill("[name=lines-0-amount]", "4000")
    page.fill("[name=lines-1-what]", "Capteurs")
    page.fill("[name=lines-1-amount]", "6000")
    expect(page.locator("[data-budget-total] [data-total]")).to_contain_text("10")
    expect(page.locator("[data-budget-total] [data-maximum]")).to_contain_text("5")
    page.fill("[name=asked]", "5000")
    shot(page, "61-custom-step-answered")
    with page.expect_navigation():
        page.locator("button[name=save_continue]").click()
    application.refresh_from_db()
    assert application.data["projet"]["data_kind"] == "Relevés de consommation"
    assert application.total_budget == 10000 and application.amount_requested == 5000

    # The other steps (the programme's organisation and contact), then the submission.
    for slug, values in {
        "organisation": {},
        "contact": {
            "contact_name": "Julie Dupont",
            "contact_function": "Échevine",
            "contact_email": "julie@commune.be",
            "contact_phone": "+32 4 123 45 67",
        },
    }.items():
        page.goto(f"/dossiers/{application.pk}/etapes/{slug}/")
        if slug == "organisation":
            page.check("[name=confirmed]")
        for name, value in values.items():
            page.fill(f"[name={name}]", value)
        with page.expect_navigation():
            page.locator("button[name=save_continue]").click()
    page.goto(f"/dossiers/{application.pk}/relecture/")
    expect(page.locator("main")).to_contain_text("Relevés de consommation")
    page.check("input[name=gdpr_consent]")
    page.check("input[name=sworn_statement]")
    with page.expect_navigation():
        page.locator(f"form[action='/dossiers/{application.pk}/introduire/'] button").click()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED

    # The export has a column per question of the version, with the answers.
    header, rows = table(selectors.staff_applications(manager).filter(pk=application.pk))
    row = dict(zip(header, rows[0], strict=True))
    assert row[next(h for h in header if h.endswith("· Lesquelles ?"))] == "Relevés de consommation"

    # The manager renames a question: a new version; the submitted file keeps its own.
    log_in(page, live_server, manager)
    page.goto(f"{builder}etapes/projet/")
    page.fill("[name='questions-0-label_fr']", "Service communal")
    _save(page)
    expect(page.locator(".messages .alert-success")).to_contain_text("2")
    assert FormVersion.objects.filter(call=call).count() == 2
    page.goto(f"/espace-adn/dossiers/{application.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("Service concerné")
    expect(main).not_to_contain_text("Service communal")
    shot(page, "62-submitted-file-keeps-its-version")


def test_the_form_builder_and_a_custom_step_have_no_serious_accessibility_violation(
    browser, live_server, applicant
):
    from applications.services import application_start

    from .test_accessibility import audit_pages, report

    call = CallFactory(
        programme=Programme.objects.get(code=Programme.Code.CAP_IA),
        slug="cap-communes",
        eligibility_rules=[],
        form_sections=["budget"],
    )
    columns = [
        {"name": "what", "kind": "short_text", "label": {"fr": "Poste"}},
        {"name": "amount", "kind": "amount", "label": {"fr": "Montant"}},
    ]
    questions = [
        {"name": "has_data", "kind": "yes_no", "label": {"fr": "Des données ?"}},
        {
            "name": "data_kind",
            "kind": "short_text",
            "label": {"fr": "Lesquelles ?"},
            "show_if": {"question": "has_data", "equals": True},
        },
        {"name": "lines", "kind": "table", "label": {"fr": "Budget"}, "role": "total_budget",
         "columns": columns, "rows": 3},
        {"name": "asked", "kind": "amount", "label": {"fr": "Montant"}, "role": "amount_requested"},
    ]  # fmt: skip
    steps = [{"slug": "projet", "title": {"fr": "Projet"}, "questions": questions}]
    FormVersion.objects.create(call=call, number=1, definition={"steps": steps})
    manager = staff("programme manager", "CAP")
    draft = application_start(call=call, organisation=applicant.organisation, by=applicant)
    builder = f"/espace-adn/appels/{call.slug}/formulaire/"

    found = audit_pages(
        browser,
        live_server,
        manager,
        [builder, f"{builder}etapes/projet/", f"{builder}apercu/"],
    )
    found += audit_pages(browser, live_server, applicant, [f"/dossiers/{draft.pk}/etapes/projet/"])
    report(found, "form-builder")
