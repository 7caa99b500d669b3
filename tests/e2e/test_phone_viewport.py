"""The portal on a phone (375 by 812 CSS pixels, an iPhone's width): no page scrolls sideways,
the expert directory shows its first result on the first screen (its filters folded away), and
the charts' text is at least 11 px as drawn there. Public pages, an applicant's pages and the
staff's queue and dashboard, each as the person who would see it."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.services import application_start
from applications.workflow import Status
from companies.models import Expert, Language, Sector, Speciality
from programs.models import Programme
from stats.services import snapshot_run
from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, make_member
from tests.fixtures.staff import scored_call, staff, submitted_file

from .browser import log_in, shot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 375, "height": 812}
SMALLEST_CHART_TEXT = 11  # px, as computed at this width

# The elements sticking out on the right, deepest first: what the failure message names.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > width + 0.5 && !e.closest(".visually-hidden"))
    .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > width + 0.5))
    .slice(0, 5)
    .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} `
      + `right=${Math.round(e.getBoundingClientRect().right)} "${e.textContent.trim().slice(0, 40)}"`);
}"""


# The charts' texts (every element with text of its own, SVG text included) smaller than asked.
SMALL_CHART_TEXT = """(smallest) => [...document.querySelectorAll("main figure.chart *")]
  .filter((e) => [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
  .filter((e) => !e.closest(".visually-hidden"))
  .map((e) => [e.tagName.toLowerCase(), e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize)])
  .filter(([tag, text, size]) => size < smallest)"""

# Texts whose words may be cut anywhere, or that stick out of their box.
BROKEN_WORDS = """(es) => es.filter((e) => {
  const style = getComputedStyle(e);
  return style.overflowWrap !== "normal" || style.wordBreak === "break-all" || e.scrollWidth > e.clientWidth;
}).map((e) => e.textContent.trim())"""


def too_wide(page, urls: dict[str, str]) -> list[tuple]:
    """The pages wider than the screen, with their width and what sticks out. Each page is
    reached as asked (no redirect, no error page) and photographed."""
    found = []
    for name, url in urls.items():
        response = page.goto(url)
        assert response.ok, (url, response.status)
        assert urlsplit(page.url).path == urlsplit(url).path, (url, page.url)
        shot(page, f"phone-{name}")
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll_width > inner_width:
            found.append((url, scroll_width, page.evaluate(OVERFLOWING)))
    return found


def many_facets():
    """Experts covering every speciality, sector, language and province: the directory's
    filters are as long as they get (about 35 options)."""
    for i, postcode in enumerate(["1300", "4000", "5000", "6000", "6600", "1000"]):
        ExpertFactory(
            organisation__name=f"Expertise IA {i} SRL",
            organisation__postcode=postcode,
            specialities=Speciality.values,
            sectors=Sector.values,
            languages=Language.values,
            programmes=["START", "TREMPLIN"],
        )


def test_the_public_pages_fit_a_phone(page, live_server):
    page.set_viewport_size(PHONE)
    call = CallFactory(slug="appel-ouvert", programme=Programme.objects.get(code="START"))
    many_facets()
    for _ in range(6):
        submitted_file(call, status=Status.UNDER_REVIEW)
    snapshot_run(trigger="manual")

    urls = {
        "home": "/",
        "programme": "/programmes/start-ia/",
        "call": call.get_absolute_url(),
        "directory": reverse("companies:expert_directory"),
        "expert": Expert.objects.first().get_absolute_url(),
        "key-figures": reverse("stats:key_figures"),
        "contact": reverse("contact"),
        "legal-notice": reverse("legal_notice"),
        "privacy-notice": reverse("privacy_notice"),
        "accessibility": reverse("accessibility"),
        "sign-up": reverse("account_signup"),
        "log-in": reverse("account_login"),
    }
    wide = too_wide(page, urls)
    assert not wide, wide

    # The directory: its first result starts on the first screen, its filters (about 35
    # options) folded under a button above the results; the button unfolds them. On a
    # computer's screen they stand beside the results, unfolded, without the button.
    page.goto(urls["directory"])
    facets = page.locator("main .facet-option")
    assert facets.count() >= 30, facets.count()
    first = page.locator("main article.expert-card").first
    top = first.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    assert top < PHONE["height"], top
    expect(facets.first).to_be_hidden()
    toggle = page.locator("main button[aria-controls=directory-facets]")
    toggle.click()
    expect(facets.first).to_be_visible()
    shot(page, "phone-directory-filters-open")
    page.goto(urls["directory"] + "?language=de&province=liege")
    expect(toggle.locator(".badge")).to_have_text(re.compile(r"^2\b"))  # two filters chosen
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(urls["directory"])
    expect(facets.first).to_be_visible()
    expect(page.locator("main button[aria-controls=directory-facets]")).to_be_hidden()
    page.set_viewport_size(PHONE)

    # The key figures: the charts' text as large as wanted, and no word of a headline card
    # broken in the middle, in French and in German (the longest words).
    page.goto(urls["key-figures"])
    assert page.locator("main figure.chart").count() > 0
    small = page.evaluate(SMALL_CHART_TEXT, SMALLEST_CHART_TEXT)
    assert not small, small
    for language in ("fr", "de"):
        page.context.add_cookies(
            [{"name": "adn_language", "value": language, "url": live_server.url}]
        )
        page.goto(urls["key-figures"])
        broken = page.locator("main .headline .card-body > p").evaluate_all(BROKEN_WORDS)
        assert not broken, (language, broken)
    shot(page, "phone-key-figures-de")


def test_an_applicants_pages_fit_a_phone(page, live_server):
    page.set_viewport_size(PHONE)
    call = CallFactory(
        slug="appel-ouvert",
        programme=Programme.objects.get(code="START"),
        form_sections=["challenges", "expert", "attachments"],
    )
    ExpertFactory(programmes=["START"])
    organisation = OrganisationFactory(name="Menuiserie Dupont et Fils SRL")
    applicant = make_member(organisation)
    draft = application_start(call=call, organisation=organisation, by=applicant)
    # A submitted file of another programme: "My files" lists both.
    submitted = submitted_file(
        scored_call("TREMPLIN"), organisation=organisation, applicant=applicant
    )
    log_in(page, live_server, applicant)

    urls = {
        "my-files": reverse("applications:my_applications"),
        "step-contact": reverse("applications:step", args=[draft.pk, "contact"]),
        "step-expert": reverse("applications:step", args=[draft.pk, "expert"]),
        "review": reverse("applications:review", args=[draft.pk]),
        "file-draft": draft.get_absolute_url(),
        "file-submitted": submitted.get_absolute_url(),
    }
    wide = too_wide(page, urls)
    assert not wide, wide


def test_the_staff_pages_fit_a_phone(page, live_server):
    page.set_viewport_size(PHONE)
    manager = staff("programme manager", "START")
    for _ in range(3):
        submitted_file(status=Status.UNDER_REVIEW)
    snapshot_run(trigger="manual")
    log_in(page, live_server, manager)
    urls = {
        "staff-queue": reverse("applications:staff_queue"),
        "staff-dashboard": reverse("stats:dashboard"),
    }
    wide = too_wide(page, urls)
    assert not wide, wide
    assert page.locator("main figure.chart").count() > 0  # the dashboard, the last page
    small = page.evaluate(SMALL_CHART_TEXT, SMALLEST_CHART_TEXT)
    assert not small, small
