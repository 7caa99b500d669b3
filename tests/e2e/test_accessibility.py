"""WCAG 2.1 AA: axe-core (the npm package, never a CDN) runs in Chromium on every kind of page,
as the person who would see it. No violation of impact "serious" or "critical" is allowed; the
others are written to var/e2e-screenshots/accessibility.json for the team to work through."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from adn_portal.accounts.permissions import holds_staff_rights
from applications.services import application_start
from applications.workflow import Status
from programs.models import Programme
from stats.services import snapshot_run
from tests.auth import login, login_staff
from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, make_member
from tests.fixtures.staff import staff, submitted_file

from .browser import SCREENSHOTS

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def session_for(user) -> str:
    """A session as after the log-in forms: staff with their second factor (without it every
    staff page sends them to set one up, and the audit would check that page instead)."""
    client = Client()
    if holds_staff_rights(user):
        login_staff(client, user)
    else:
        login(client, user)
    return client.session.session_key


def audit_pages(browser, live_server, user, urls: list[str]) -> list[dict]:
    # axe is injected as a script: this context alone may bypass the portal's CSP.
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    if user is not None:
        context.add_cookies(
            [{"name": "sessionid", "value": session_for(user), "url": live_server.url}]
        )
    page = context.new_page()
    found = []
    for url in urls:
        # An error page would pass the audit in the page's stead.
        response = page.goto(url)
        assert response.ok, (url, response.status)
        assert urlsplit(page.url).path == urlsplit(url).path, (url, page.url)  # no redirect
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
        )
        found += [
            {
                "url": url,
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]
    context.close()
    return found


def report(found: list[dict], name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"accessibility-{name}.json").write_text(
        json.dumps(found, indent=1, ensure_ascii=False)
    )
    blocking = [v for v in found if v["impact"] in BLOCKING]
    assert not blocking, json.dumps(blocking, indent=1, ensure_ascii=False)


def test_public_pages_have_no_serious_accessibility_violation(browser, live_server):
    call = CallFactory(slug="appel-ouvert", programme=Programme.objects.get(code="START"))
    expert = ExpertFactory(
        organisation__name="Vision Eupen", organisation__postcode="4700", languages=["fr", "de"]
    )
    snapshot_run(trigger="manual")
    urls = [
        "/",
        "/programmes/start-ia/",
        call.get_absolute_url(),
        "/experts/",
        "/experts/?speciality=computer_vision&province=liege&language=de",
        expert.get_absolute_url(),
        "/chiffres-cles/",
        reverse("account_signup"),
        reverse("account_login"),
    ]
    report(audit_pages(browser, live_server, None, urls), "public")


def test_the_applicants_pages_have_no_serious_accessibility_violation(browser, live_server):
    call = CallFactory(
        slug="appel-ouvert",
        programme=Programme.objects.get(code="START"),
        form_sections=["challenges", "expert", "attachments"],
    )
    ExpertFactory(programmes=["START"])
    organisation = OrganisationFactory()
    applicant = make_member(organisation)
    draft = application_start(call=call, organisation=organisation, by=applicant)
    steps = ["organisation", "contact", "needs", "expert", "documents"]
    urls = [reverse("applications:step", args=[draft.pk, step]) for step in steps]
    urls += [
        reverse("applications:review", args=[draft.pk]),
        reverse("applications:my_applications"),
        draft.get_absolute_url(),
        reverse("companies:organisation_list"),
        reverse("profile"),
    ]
    found = audit_pages(browser, live_server, applicant, urls)

    # Each step again with its errors shown (an empty "save and continue").
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.add_cookies(
        [{"name": "sessionid", "value": session_for(applicant), "url": live_server.url}]
    )
    page = context.new_page()
    for step in ("contact", "needs", "expert"):
        page.goto(reverse("applications:step", args=[draft.pk, step]))
        page.click("button[name=save_continue]")
        assert page.locator(".invalid-feedback").count() > 0
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
        )
        found += [
            {"url": f"{step} (errors)", "id": v["id"], "impact": v["impact"], "help": v["help"]}
            for v in result["violations"]
        ]
    # The review page refusing a submission: the failed checks, and the declarations' errors
    # (the button is disabled while a check fails: the form is sent as a stale page would).
    page.goto(reverse("applications:review", args=[draft.pk]))
    with page.expect_navigation():
        page.locator("form[action$='/introduire/']").evaluate("form => form.submit()")
    assert page.locator(".invalid-feedback").count() > 0
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    found += [
        {"url": "review (errors)", "id": v["id"], "impact": v["impact"], "help": v["help"]}
        for v in result["violations"]
    ]
    context.close()
    report(found, "applicant")


def test_the_staff_pages_have_no_serious_accessibility_violation(browser, live_server):
    manager = staff("programme manager", "START")
    application = submitted_file(status=Status.UNDER_REVIEW)
    snapshot_run(trigger="manual")
    urls = [
        reverse("applications:staff_queue"),
        reverse("applications:staff_application", args=[application.pk]),
        reverse("stats:dashboard"),
        reverse("companies:staff_expert_list"),
    ]
    report(audit_pages(browser, live_server, manager, urls), "staff")


def test_the_pages_after_selection_have_no_serious_accessibility_violation(browser, live_server):
    """Issue 20's pages, as each side sees them: the beneficiary's file page with its agreement
    to sign, milestones and payments, a payment request being prepared and the form that
    starts one, the survey a year on; the expert company's list and diagnostic to deliver; the
    staff's file page after selection, a request to check and the accounting list."""
    from decimal import Decimal

    from django.utils import timezone

    from applications import services
    from applications.models import FollowUpSurvey
    from programs.models import Instalment
    from tests.fixtures.after_selection import (
        IBAN,
        expert_member,
        manager_of,
        selected_file,
        signed_file,
        start_call,
        tremplin_call,
    )
    from tests.fixtures.applicants import pdf

    manager = manager_of("TREMPLIN")
    to_sign = selected_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    running = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    services.application_transition(
        application=running, to=Status.IN_PROGRESS, by=manager, actor="manager"
    )
    advance = services.payment_request_start(
        application=running,
        instalment=Instalment.ADVANCE,
        payee_name="Dupont SRL",
        iban=IBAN.replace(" ", ""),
        by=running.created_by,
    )
    done = signed_file(tremplin_call(), manager=manager, amount=Decimal("20000"))
    done.status = Status.COMPLETED
    done.save(update_fields=["status"])
    balance = services.payment_request_start(
        application=done,
        instalment=Instalment.BALANCE,
        payee_name="Dupont SRL",
        iban=IBAN.replace(" ", ""),
        by=done.created_by,
    )
    services.payment_line_add(
        request=balance,
        description="Facture 1",
        amount=Decimal("1000"),
        upload=pdf(),
        by=done.created_by,
    )
    services.payment_request_submit(request=balance, by=done.created_by)
    FollowUpSurvey.objects.create(application=done, sent_at=timezone.now())
    diagnosed = signed_file(start_call(), manager=manager_of("START"))
    today = timezone.localdate()
    company = expert_member(diagnosed)

    found = audit_pages(
        browser,
        live_server,
        to_sign.created_by,
        [to_sign.get_absolute_url()],
    )
    found += audit_pages(
        browser,
        live_server,
        running.created_by,
        [
            running.get_absolute_url(),
            advance.get_absolute_url(),
        ],
    )
    found += audit_pages(
        browser,
        live_server,
        done.created_by,
        [
            reverse("applications:payment_request_create", args=[done.pk]),
            reverse("applications:follow_up_survey", args=[done.pk]),
        ],
    )
    found += audit_pages(
        browser,
        live_server,
        company,
        [
            reverse("applications:expert_applications"),
            reverse("applications:expert_follow_up", args=[diagnosed.pk]),
        ],
    )
    found += audit_pages(
        browser,
        live_server,
        manager,
        [
            reverse("applications:staff_application", args=[to_sign.pk]),
            reverse("applications:staff_application", args=[running.pk]),
            reverse("applications:staff_payment_request", args=[done.pk, balance.pk]),
            reverse("applications:staff_accounting"),
            reverse("applications:staff_accounting") + f"?what=to_pay&start={today}&end={today}",
        ],
    )
    report(found, "after-selection")
