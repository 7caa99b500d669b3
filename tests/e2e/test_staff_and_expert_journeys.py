"""The AdN staff's journeys, in a real browser: from the queue to a decision the applicant
reads, an expert company's recognition up to the public directory, and the indicators.

Several people take turns in one browser: each turn swaps the session cookie for one made by
Django's test client (`log_in`). Buttons and fields are found by their name, value or form
action rather than their label: the labels are translated (French is shown)."""

import re
from collections import Counter

import pytest
from django.utils import dateformat, timezone, translation
from PIL import Image
from playwright.sync_api import expect

from adn_portal.mailer.models import OutgoingEmail
from applications.models import ApplicantMessage, Application, Assignment, Score
from applications.workflow import Status
from companies.models import Expert
from companies.workflow import RecognitionStatus
from stats.models import Indicator
from tests.factories import OrganisationFactory, make_member
from tests.fixtures.staff import scored_call, staff, submitted_file

from .browser import assert_styled, log_in, shot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def log_out(page) -> None:
    page.context.clear_cookies()


def submit(form) -> None:
    """Click the form's (only) submit button and wait for the page it leads to."""
    with form.page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_a_manager_assigns_a_reviewer_scores_the_manager_selects_and_the_applicant_sees_it(
    page, live_server
):
    call = scored_call()
    files = [submitted_file(call) for _ in range(10)]
    manager = staff("programme manager", "START", first_name="Claire", last_name="Gérard")
    anne = staff("reviewer", "START", first_name="Anne", last_name="Lejeune")
    marc = staff("reviewer", "START", first_name="Marc", last_name="Renard")

    # The manager's queue: ten files, nobody on them yet.
    log_in(page, live_server, manager)
    page.goto("/espace-adn/dossiers/")
    assert_styled(page)
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(10)
    expect(rows.filter(has_text=re.compile("Lejeune|Renard"))).to_have_count(0)

    # Automatic assignment with no file ticked: every file shown gets a reviewer, balanced.
    batch = page.locator("form[action$='/espace-adn/dossiers/lot/']")
    expect(batch.locator("input[name=files]:checked")).to_have_count(0)
    batch.locator("select[name=action]").select_option("auto_assign")
    submit(batch)
    expect(page.locator(".messages .alert-success")).to_be_visible()
    current = Assignment.objects.filter(ended_at__isnull=True)
    assert current.count() == 10
    assert set(current.values_list("application_id", flat=True)) == {f.pk for f in files}
    assert Counter(current.values_list("reviewer_id", flat=True)) == {anne.pk: 5, marc.pk: 5}
    expect(rows.filter(has_text="Anne Lejeune")).to_have_count(5)
    expect(rows.filter(has_text="Marc Renard")).to_have_count(5)
    shot(page, "40-staff-queue-assigned")

    # Anne opens one of her files: first she says she has no conflict of interest with the
    # organisation; then she moves it on to the review, and reviews it.
    application = Application.objects.filter(
        assignments__reviewer=anne, assignments__ended_at__isnull=True
    ).earliest("pk")
    staff_url = f"/espace-adn/dossiers/{application.pk}/"
    log_in(page, live_server, anne)
    page.goto(staff_url)
    expect(page.locator("main h1")).to_contain_text(application.reference)
    declaration = page.locator("form[action$='/conflit-d-interets/']")
    declaration.locator("input[name=answer][value=no_conflict]").check()
    submit(declaration)
    expect(page.locator("form[action$='/decision/']")).to_have_count(0)  # not hers to decide
    moves = page.locator(f"form[action='{staff_url}statut/']")
    for target in (Status.ELIGIBILITY_CHECK, Status.UNDER_REVIEW):
        with page.expect_navigation():
            moves.locator(f"button[name=to][value={target.value}]").click()
        expect(page.locator(".messages .alert-success")).to_contain_text(application.reference)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW

    scoring = page.locator(f"form[action='{staff_url}notes/']")
    relevance, feasibility = call.criteria.order_by("position")  # weights 3 and 2
    scoring.locator(f"select[name=score_{relevance.pk}]").select_option("4")
    scoring.locator(f"select[name=score_{feasibility.pk}]").select_option("3")
    scoring.locator(f"textarea[name=comment_{relevance.pk}]").fill("Un besoin clair.")
    scoring.locator("input[name=recommendation][value=fund]").check()
    with page.expect_navigation():
        scoring.locator("button[name=submit]").click()
    expect(page.locator(".messages .alert-success")).to_contain_text(application.reference)
    assert dict(
        Score.objects.filter(application=application, reviewer=anne).values_list(
            "criterion_id", "value"
        )
    ) == {relevance.pk: 4, feasibility.pk: 3}
    expect(page.locator(f"form[action='{staff_url}notes/']")).to_have_count(0)  # locked
    shot(page, "41-staff-file-scored")

    # The manager reads the review beside the file and selects it, with a word for the
    # applicant: the message is shown before it is sent.
    comment = "Bravo : un premier rendez-vous est proposé le 12 juin."
    log_in(page, live_server, manager)
    page.goto(staff_url)
    reviews = page.locator("#reviews table.reviews-side-by-side")
    expect(reviews).to_contain_text("Anne Lejeune")
    expect(reviews).to_contain_text(re.compile(r"18[,.]0 / 25"))  # 4 * 3 + 3 * 2, out of 25
    decision = page.locator(f"form[action='{staff_url}decision/']")
    expect(decision.locator("input[name=decision]:checked")).to_have_count(0)
    decision.locator("input[name=decision][value=selected]").check()
    decision.locator("textarea[name=comment]").fill(comment)
    submit(decision)
    expect(page.locator(".decision-preview")).to_contain_text(comment)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW  # not before the confirmation
    with page.expect_navigation():
        page.locator(f"form[action='{staff_url}decision/'] button[type=submit]").click()
    expect(page.locator(".messages .alert-success")).to_contain_text(application.reference)
    application.refresh_from_db()
    assert application.status == Status.SELECTED
    message = ApplicantMessage.objects.get(application=application)
    assert application.reference in message.subject
    assert comment in message.body
    applicant = application.created_by
    assert OutgoingEmail.objects.filter(to=applicant.email, subject=message.subject).count() == 1

    # The applicant reads the decision on the file's page.
    log_in(page, live_server, applicant)
    page.goto(application.get_absolute_url())
    messages = page.locator("main section[aria-labelledby=messages-title] article")
    expect(messages).to_have_count(1)
    expect(messages.locator("h3")).to_have_text(message.subject)
    expect(messages.locator(".message-body")).to_contain_text(comment)
    shot(page, "42-file-selected-applicant")


def test_an_expert_company_applies_a_manager_approves_and_it_appears_in_the_directory(
    page, live_server, tmp_path
):
    name = "Vision Liège Test SRL"
    organisation = OrganisationFactory(name=name, postcode="4700")  # Eupen, province of Liège
    owner = make_member(organisation)
    manager = staff("programme manager", "START")
    logo = tmp_path / "logo.png"
    Image.new("RGB", (64, 64), (0, 90, 160)).save(logo, "PNG")
    filtered = "/experts/?speciality=computer_vision&province=liege&language=de"

    # The owner applies for recognition: facets, description, three references, a logo.
    log_in(page, live_server, owner)
    page.goto("/experts/candidature/")
    form = page.locator("main form[enctype='multipart/form-data']")
    for field, value in [
        ("specialities", "computer_vision"),
        ("specialities", "forecasting"),
        ("sectors", "manufacturing"),
        ("languages", "fr"),
        ("languages", "de"),
        ("programmes", "START"),
    ]:
        form.locator(f"input[name={field}][value={value}]").check()
    form.locator("textarea[name=description_fr]").fill(
        "Vision par ordinateur pour le contrôle qualité des PME de l'Est de la Wallonie."
    )
    form.locator("input[name=team_size]").fill("4")
    form.locator("input[name=public_email]").fill("contact@vision-liege.be")
    references = [
        ("Fromagerie des Hautes Fagnes", "Tri automatique des fromages par caméra.", "2023"),
        ("Menuiserie Kettenis", "Détection des défauts du bois.", "2024"),
        ("Brasserie d'Eupen", "Contrôle du remplissage des bouteilles.", "2025"),
    ]
    for n, (client, summary, year) in enumerate(references):
        form.locator(f"input[name=ref-{n}-client]").fill(client)
        form.locator(f"textarea[name=ref-{n}-summary]").fill(summary)
        form.locator(f"input[name=ref-{n}-year]").fill(year)
    form.locator("input[type=file][name=logo]").set_input_files(logo)
    shot(page, "50-expert-application")
    submit(form)
    page.wait_for_url(re.compile(r"/experts/mon-profil/$"))
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(page.locator("main h1")).to_contain_text(name)
    expert = Expert.objects.get(organisation=organisation)
    assert expert.status == RecognitionStatus.SUBMITTED
    assert expert.logo
    assert expert.references.count() == 3

    # Not recognised yet: a visitor does not find it, filtered or not.
    log_out(page)
    for url in ("/experts/", filtered):
        page.goto(url)
        expect(page.locator("main")).not_to_contain_text(name)

    # The manager approves the application.
    log_in(page, live_server, manager)
    page.goto("/espace-adn/experts/")
    page.locator(f"main table a[href='/espace-adn/experts/{expert.pk}/']").click()
    page.wait_for_url(f"/espace-adn/experts/{expert.pk}/")
    expect(page.locator("main h1")).to_have_text(name)
    shot(page, "51-staff-expert-application")
    with page.expect_navigation():
        page.locator("main form button[name=to][value=active]").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expert.refresh_from_db()
    assert expert.status == RecognitionStatus.ACTIVE
    assert expert.recognised_from == timezone.localdate()

    # A visitor now finds it with the speciality, province and language filters.
    log_out(page)
    page.goto(filtered)
    cards = page.locator("main article.expert-card")
    expect(cards).to_have_count(1)
    expect(cards.locator("h2")).to_have_text(name)
    expect(cards.locator("img.expert-logo")).to_have_attribute(
        "src", f"/experts/{expert.slug}/logo/"
    )
    logo_response = page.request.get(f"/experts/{expert.slug}/logo/")
    assert logo_response.status == 200, logo_response.status
    assert logo_response.headers["content-type"] == "image/png"
    shot(page, "52-directory-filtered")

    # Its public page says since when and until when it is recognised.
    cards.locator(f"a[href='{expert.get_absolute_url()}']").click()
    page.wait_for_url(expert.get_absolute_url())
    expect(page.locator("main h1")).to_have_text(name)
    facts = page.locator("main dl.key-facts")
    expect(facts.locator("dt", has_text=re.compile(r"^Reconnu$"))).to_have_count(1)
    with translation.override("fr"):
        start = dateformat.format(expert.recognised_from, "j F Y")
        end = dateformat.format(expert.recognised_until, "j F Y")
    expect(facts).to_contain_text(f"du {start} au {end}")


def requests_received(page):
    """The headline card of the requests received (its label, in French), its figure."""
    with translation.override("fr"):
        label = str(Indicator.REQUESTS.label)
    card = page.locator("main .headline .card").filter(
        has=page.locator("p.fw-semibold", has_text=re.compile(f"^{re.escape(label)}$"))
    )
    return card.locator("p.display-6")


def test_the_dashboard_shows_fresh_figures_after_a_recompute(page, live_server):
    call = scored_call()
    # Six files of six organisations: above the public pages' small-cell threshold (5).
    files = [submitted_file(call) for _ in range(6)]
    manager = staff("programme manager", "START")

    log_in(page, live_server, manager)
    page.goto("/espace-adn/indicateurs/")
    status = page.locator("main section[aria-live=polite]")
    expect(status).to_contain_text("Aucun instantané")
    expect(page.locator("main .headline")).to_have_count(0)

    # The snapshot is computed at once in tests (Celery is eager).
    with page.expect_navigation():
        page.locator("form[action$='/espace-adn/indicateurs/recalculer/'] button").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(status).not_to_contain_text("Aucun instantané")
    expect(requests_received(page)).to_have_text(str(len(files)))
    shot(page, "60-dashboard-recomputed")

    log_out(page)
    page.goto("/chiffres-cles/")
    expect(requests_received(page)).to_have_text(str(len(files)))
    shot(page, "61-key-figures")
