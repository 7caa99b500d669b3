"""A review in a real browser (issue 19): a reviewer opens a file, says she has no conflict of
interest, reviews it on the call's own criteria (one of them scored 0 to 10, with guidance),
submits, and the review is locked; the programme manager reads the reviews side by side and
decides, the applicant's message shown before the confirmation.

Buttons and fields are found by their name, value or form action, not their (translated)
labels."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from applications import services
from applications.models import ApplicantMessage, Review
from applications.workflow import Status
from tests.factories import CallFactory, ScoringCriterionFactory
from tests.fixtures.staff import review, scored_call, staff, submitted_file

from .browser import log_in, shot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_reviewer_declares_scores_a_custom_criterion_submits_and_the_manager_decides(
    page, live_server
):
    call = CallFactory(programme=scored_call().programme)
    relevance = ScoringCriterionFactory(call=call, label_fr="Pertinence", weight=3, position=1)
    jobs = ScoringCriterionFactory(
        call=call,
        label_fr="Emplois créés",
        guidance_fr="Comptez les emplois créés dans les deux ans.",
        scale_min=0,
        scale_max=10,
        weight=Decimal("1.5"),
        position=2,
    )
    application = submitted_file(call, status=Status.UNDER_REVIEW)
    manager = staff("programme manager", "START", first_name="Claire", last_name="Gérard")
    anne = staff("reviewer", "START", first_name="Anne", last_name="Lejeune")
    marc = staff("reviewer", "START", first_name="Marc", last_name="Renard")
    services.application_assign(application=application, reviewer=anne, by=manager)
    review(
        application,
        marc,
        scores={relevance.pk: (2, "Flou"), jobs.pk: (3, "")},
        recommendation="do_not_fund",
    )
    url = f"/espace-adn/dossiers/{application.pk}/"

    # Anne opens the file: the organisation is named, nothing of the file is shown yet.
    log_in(page, live_server, anne)
    page.goto(url)
    expect(page.locator("main h1")).to_contain_text(application.reference)
    expect(page.locator("main")).to_contain_text(application.organisation.name)
    expect(page.locator("#answers")).to_have_count(0)
    shot(page, "90-review-declaration")
    declaration = page.locator("form[action$='/conflit-d-interets/']")
    declaration.locator("input[name=answer][value=no_conflict]").check()
    with page.expect_navigation():
        declaration.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url) + "#my-review$"))
    expect(page.locator("#answers")).to_be_visible()

    # Her review: the custom criterion's scale and guidance; the in-page links lead to it.
    nav = page.locator("nav.page-sections")
    for section in ("answers", "documents", "reviews", "my-review", "timeline"):
        expect(nav.locator(f"a[href='#{section}']")).to_have_count(1)
    form = page.locator(f"form[action='{url}notes/']")
    expect(form).to_contain_text("Comptez les emplois créés dans les deux ans.")
    expect(form.locator(f"select[name=score_{jobs.pk}] option")).to_have_count(12)  # —, 0…10
    form.locator(f"select[name=score_{relevance.pk}]").select_option("4")
    form.locator(f"select[name=score_{jobs.pk}]").select_option("8")
    form.locator(f"textarea[name=comment_{jobs.pk}]").fill("Six emplois prévus.")
    form.locator("textarea[name=comment_for_applicant]").fill("Précisez le calendrier.")
    form.locator("textarea[name=internal_comment]").fill("Dossier solide.")
    form.locator("input[name=recommendation][value=fund_with_conditions]").check()
    with page.expect_navigation():
        form.locator("button[name=submit]").click()
    expect(page.locator(".messages .alert-success")).to_contain_text(application.reference)
    mine = Review.objects.get(application=application, reviewer=anne)
    assert mine.status == Review.Status.SUBMITTED
    assert dict(mine.scores.values_list("criterion_id", "value")) == {relevance.pk: 4, jobs.pk: 8}

    # Locked: no form any more, her review shown as submitted.
    expect(page.locator(f"form[action='{url}notes/']")).to_have_count(0)
    expect(page.locator("#my-review")).to_contain_text("Six emplois prévus.")
    shot(page, "91-review-submitted")

    # The manager reads both reviews side by side and decides.
    log_in(page, live_server, manager)
    page.goto(url)
    table = page.locator("#reviews table.reviews-side-by-side")
    headers = table.locator("thead th")
    expect(headers.nth(1)).to_contain_text("Marc Renard")
    expect(headers.nth(2)).to_contain_text("Anne Lejeune")
    expect(table).to_contain_text(re.compile(r"24[,.]0 / 30"))  # 4 * 3 + 8 * 1.5 of 15 + 15
    expect(table).to_contain_text("Dossier solide.")
    expect(table).to_contain_text("Précisez le calendrier.")
    shot(page, "92-reviews-side-by-side")

    comment = "Un premier rendez-vous est proposé le 12 juin."
    decision = page.locator(f"form[action='{url}decision/']")
    expect(decision.locator("input[name=decision]:checked")).to_have_count(0)
    decision.locator("input[name=decision][value=selected]").check()
    decision.locator("textarea[name=comment]").fill(comment)
    with page.expect_navigation():
        decision.locator("button[type=submit]").click()
    preview = page.locator(".decision-preview")
    expect(preview).to_contain_text(application.reference)
    expect(preview).to_contain_text(comment)
    shot(page, "93-decision-confirmation")
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    with page.expect_navigation():
        page.locator(f"form[action='{url}decision/'] button[type=submit]").click()
    expect(page.locator(".messages .alert-success")).to_contain_text(application.reference)
    application.refresh_from_db()
    assert application.status == Status.SELECTED
    letter = ApplicantMessage.objects.get(application=application, kind="decision")
    assert comment in letter.body


def test_the_review_pages_have_no_serious_accessibility_violation(browser, live_server):
    """The declaration, a file page with a reviewer's form, the reviews side by side and a
    call's review form, audited by axe with the real sessions."""
    from django.urls import reverse

    from tests.e2e.test_accessibility import audit_pages, report

    call = CallFactory(programme=scored_call().programme)
    ScoringCriterionFactory(
        call=call, label_fr="Pertinence", guidance_fr="Le besoin est-il clair ?"
    )
    declaring, reviewing = (submitted_file(call, status=Status.UNDER_REVIEW) for _ in range(2))
    manager = staff("programme manager", "START")
    anne = staff("reviewer", "START")
    services.review_open(application=reviewing, reviewer=anne)
    review(reviewing, staff("reviewer", "START"), 3)
    found = audit_pages(
        browser,
        live_server,
        anne,
        [
            reverse("applications:staff_application", args=[declaring.pk]),
            reverse("applications:staff_application", args=[reviewing.pk]),
        ],
    )
    found += audit_pages(
        browser,
        live_server,
        manager,
        [
            reverse("applications:staff_application", args=[reviewing.pk]),
            reverse("applications:staff_application_reviews", args=[reviewing.pk]),
            reverse("programs:staff_call_review_form", args=[call.slug]),
        ],
    )
    report(found, "reviews")
